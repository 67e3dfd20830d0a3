/**
 * The wizard's Run: the steps still to do, as one engine-side pipeline (`pipeline.start`), so it goes
 * on when the page reloads or closes. The plan store mirrors the open project's latest pipeline:
 * kept current by `pipeline.update` events and found again with `pipeline.list` after a reload.
 */
import { create } from 'zustand';
import {
  DEFAULT_ALIGN_STEPS,
  type PipelineInfo,
  type PipelineStep,
  type ProjectSummary,
  parseTrainCounts,
  type RecxApi,
} from '../contracts.ts';
import { useUiStore } from '../state/ui-store.ts';
import { tasksForMethod, type WizardChoices } from './choices.ts';

export function buildPlan(c: WizardChoices, summary: ProjectSummary): PipelineStep[] {
  const project = summary.dir;
  const steps: PipelineStep[] = [];
  const newData = !summary.dataset || c.redo.dataset;
  if (newData) {
    const d = c.dataset;
    const force = !!summary.dataset;
    if (d.source === 'demo') {
      steps.push({
        kind: 'dataset.import',
        label: `Dataset: demo (${d.users} users, ${d.items} items)`,
        params: { project, format: 'synthetic', synthetic: { users: d.users, items: d.items }, force },
      });
    } else {
      const { userCol, itemCol, timeCol, titleCol, delimiter } = d.csv;
      const format = d.format ?? 'csv';
      const csv =
        format === 'csv'
          ? {
              userCol,
              itemCol,
              ...(timeCol ? { timeCol } : {}),
              ...(titleCol ? { titleCol } : {}),
              ...(delimiter ? { delimiter } : {}),
            }
          : undefined;
      steps.push({
        kind: 'dataset.import',
        label: `Dataset: import ${d.format} from ${d.input}`,
        params: { project, format, input: d.input.trim(), ...(csv ? { csv } : {}), force },
      });
    }
  }
  // A new dataset makes the old recommender (and a tiny LM built from the old corpus) stale.
  if (newData || !summary.recommender || c.redo.recommender) {
    const { preset, epochs } = c.recommender;
    steps.push({
      kind: 'recommender.train',
      label: `Recommender: ${preset}, ${epochs} epochs`,
      params: { project, preset, epochs },
    });
  }
  if (!summary.llm || c.redo.llm || (newData && summary.llm.kind === 'tiny' && c.llm.source === 'tiny')) {
    const l = c.llm;
    steps.push(
      l.source === 'tiny'
        ? {
            kind: 'llm.createTiny',
            label: `Language model: built-in tiny LM, ${l.steps} steps`,
            params: { project, steps: l.steps },
          }
        : { kind: 'llm.useHf', label: `Language model: ${l.hfDir}`, params: { project, dir: l.hfDir.trim() } },
    );
  }
  const text = c.align.trainCounts.trim();
  const parsed = text ? parseTrainCounts(text) : null;
  const trainCounts = parsed && 'counts' in parsed ? parsed.counts : null; // validateAlign reports errors
  const embeddings = c.align.embeddings === 'auto' ? {} : { trainEmbeddings: c.align.embeddings === 'train' };
  const embeddingsLabel =
    c.align.embeddings === 'auto' ? '' : `, embeddings ${c.align.embeddings === 'train' ? 'trained' : 'frozen'}`;
  for (const method of c.align.methods) {
    const tasks = tasksForMethod(c.align.tasks, method);
    // No steps given: the engine uses the method's default, which the label shows.
    const n = c.align.steps ?? DEFAULT_ALIGN_STEPS[method];
    const stepsParam = c.align.steps === null ? {} : { steps: c.align.steps };
    steps.push({
      kind: 'align.train',
      label: `Align ${method}: tasks ${tasks.join(', ')}, ${n} steps${trainCounts ? `, examples ${text}` : ''}${embeddingsLabel}`,
      params: { project, method, tasks, ...stepsParam, ...(trainCounts ? { trainCounts } : {}), ...embeddings },
    });
    // No run: the engine evaluates the run the align.train step just before wrote.
    if (c.align.evaluate) steps.push({ kind: 'align.eval', label: `Evaluate ${method}`, params: { project } });
  }
  return steps;
}

export type StepState = PipelineInfo['steps'][number]['state'];

export interface PlanState {
  /** The open project's latest pipeline (null when it has none this engine session). */
  pipeline: PipelineInfo | null;
}

export const usePlanStore = create<PlanState>()(() => ({ pipeline: null }));

export const isPipelineRunning = (p: PipelineInfo | null) => p?.state === 'running';

/** Shows a pipeline's state when it belongs to the open project and is not older than the one shown. */
export function showPipeline(p: PipelineInfo): void {
  const project = useUiStore.getState().projectDir;
  if (!project || p.project !== project) return;
  const shown = usePlanStore.getState().pipeline;
  if (shown && shown.project === project && shown.id !== p.id && p.createdAt < shown.createdAt) return;
  usePlanStore.setState({ pipeline: p });
}

/** Finds the project's newest pipeline again (after a reload, or when another project opens). */
export async function restorePipeline(api: RecxApi, project: string | null): Promise<void> {
  const before = usePlanStore.getState().pipeline;
  if (before && before.project !== project) usePlanStore.setState({ pipeline: null });
  if (!project) return;
  const all = await api.invoke('pipeline.list', {});
  if (useUiStore.getState().projectDir !== project) return; // another project opened meanwhile
  const newest = all.filter((p) => p.project === project).at(-1) ?? null;
  const now = usePlanStore.getState().pipeline;
  // An event about the same pipeline may have arrived meanwhile with a newer state: keep it.
  if (now && now !== before && newest && now.id === newest.id) return;
  if (newest) showPipeline(newest);
  else if (now && now.project !== project) usePlanStore.setState({ pipeline: null });
}

/**
 * Feeds the plan store from `pipeline.update` events and restores the open project's pipeline now
 * and whenever another project opens; returns the unsubscribe.
 */
export function connectPipelineEvents(api: RecxApi): () => void {
  const restore = (project: string | null) => restorePipeline(api, project).catch(() => {});
  const offEvent = api.on('pipeline.update', showPipeline);
  const offProject = useUiStore.subscribe((s, prev) => {
    if (s.projectDir !== prev.projectDir) void restore(s.projectDir);
  });
  void restore(useUiStore.getState().projectDir);
  return () => {
    offEvent();
    offProject();
  };
}

/** Starts the steps as one pipeline and shows it. */
export async function startPlan(api: RecxApi, project: string, steps: PipelineStep[]): Promise<PipelineInfo> {
  const p = await api.invoke('pipeline.start', { project, steps });
  // Its first events may have come before the answer, with a newer state: keep those.
  if (usePlanStore.getState().pipeline?.id !== p.id) usePlanStore.setState({ pipeline: p });
  return p;
}
