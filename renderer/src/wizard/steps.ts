/** The wizard's steps: which ones the open project has done already, and what each validates. */
import type { DatasetPreview, LlmInfo, ProjectSummary } from '../contracts.ts';
import {
  type Errors,
  validateAlign,
  validateDataset,
  validateLlm,
  validateRecommender,
  type WizardChoices,
} from './choices.ts';

export type StepId = 'project' | 'dataset' | 'recommender' | 'llm' | 'align' | 'review';

export interface StepDef {
  id: StepId;
  title: string;
}

export const STEPS: StepDef[] = [
  { id: 'project', title: 'Project' },
  { id: 'dataset', title: 'Dataset' },
  { id: 'recommender', title: 'Recommender' },
  { id: 'llm', title: 'Language model' },
  { id: 'align', title: 'Alignment' },
  { id: 'review', title: 'Review & run' },
];

/** Whether the project already holds this step's stage (and it is not to be redone). */
export function stepDone(id: StepId, s: ProjectSummary | null, c: WizardChoices): boolean {
  if (!s) return false;
  switch (id) {
    case 'project':
      return true;
    case 'dataset':
      return !!s.dataset && !c.redo.dataset;
    case 'recommender':
      return !!s.recommender && !c.redo.recommender && !c.redo.dataset;
    case 'llm':
      return !!s.llm && !c.redo.llm;
    default:
      return false;
  }
}

export interface ValidationInputs {
  summary: ProjectSummary | null;
  preview: DatasetPreview | null;
  llmInfo: LlmInfo | null;
}

/** The errors of one step; none for a done step, which is skipped. */
export function validateStep(id: StepId, c: WizardChoices, v: ValidationInputs): Errors {
  if (id !== 'review' && id !== 'align' && stepDone(id, v.summary, c)) return {};
  switch (id) {
    case 'project':
      return v.summary ? {} : { form: 'Create or open a project first.' };
    case 'dataset':
      return validateDataset(c.dataset, v.preview !== null);
    case 'recommender':
      return validateRecommender(c.recommender);
    case 'llm':
      return validateLlm(c.llm, v.llmInfo !== null);
    case 'align':
      return validateAlign(c.align);
    default:
      return {};
  }
}
