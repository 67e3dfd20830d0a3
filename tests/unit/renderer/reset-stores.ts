/** Puts every renderer store back to its start so tests do not leak state into each other. */
import { cleanup } from '@testing-library/react';
import { useExplainStore } from '../../../renderer/src/explorer/explain-store.ts';
import { useJobsStore } from '../../../renderer/src/state/jobs-store.ts';
import { useProjectStore } from '../../../renderer/src/state/project-store.ts';
import { defaultUiState } from '../../../renderer/src/state/ui-state.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { defaultChoices, useWizardStore } from '../../../renderer/src/wizard/choices.ts';
import { usePlanStore } from '../../../renderer/src/wizard/plan.ts';

export function resetStores(): void {
  cleanup();
  useUiStore.getState().replace(defaultUiState());
  useJobsStore.setState({ jobs: {}, metrics: {}, tokens: {}, frozen: false });
  useProjectStore.setState({ app: null, summary: null, runs: [] });
  useWizardStore.setState({ step: 0, choices: defaultChoices() });
  usePlanStore.setState({ pipeline: null });
  useExplainStore.setState({ jobByCase: {}, titles: {} });
}
