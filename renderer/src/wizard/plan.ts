/**
 * The wizard's Run: the steps still to do, started one after the other (each waits for the previous
 * job to end, since it needs that job's output), with their state shown in the review and monitor.
 */
import { create } from 'zustand';
import { plainError } from '../api/errors.ts';
import type { JobInfo, ProjectSummary, RecxApi } from '../contracts.ts';
import { waitForJob } from '../state/jobs-store.ts';
import { tasksForMethod, type WizardChoices } from './choices.ts';

export interface PlanContext {
  /** The last finished job (an eval step reads its run id from the training job before it). */
  previous: JobInfo | null;
}

export interface PlanStep {
  label: string;
  /** Starts the work: a job id to wait for, or null when the request itself did it. */
  start(api: RecxApi, ctx: PlanContext): Promise<string | null>;
}

/** The run id an align.train job wrote. */
export function runOfJob(job: JobInfo | null): string | null {
  if (!job) return null;
  const fromResult = (job.result as { run?: unknown } | undefined)?.run;
  return job.run ?? (typeof fromResult === 'string' ? fromResult : null);
}

export function buildPlan(c: WizardChoices, summary: ProjectSummary): PlanStep[] {
  const project = summary.dir;
  const steps: PlanStep[] = [];
  const newData = !summary.dataset || c.redo.dataset;
  if (newData) {
    const d = c.dataset;
    const force = !!summary.dataset;
    steps.push(
      d.source === 'demo'
        ? {
            label: `Dataset: demo (${d.users} users, ${d.items} items)`,
            start: async (api) =>
              (
                await api.invoke('dataset.import', {
                  project,
                  format: 'synthetic',
                  synthetic: { users: d.users, items: d.items },
                  force,
                })
              ).job,
          }
        : {
            label: `Dataset: import ${d.format} from ${d.input}`,
            start: async (api) => {
              const { userCol, itemCol, timeCol, titleCol, delimiter } = d.csv;
              const csv =
                d.format === 'csv'
                  ? {
                      userCol,
                      itemCol,
                      ...(timeCol ? { timeCol } : {}),
                      ...(titleCol ? { titleCol } : {}),
                      ...(delimiter ? { delimiter } : {}),
                    }
                  : undefined;
              const format = d.format ?? 'csv';
              return (await api.invoke('dataset.import', { project, format, input: d.input.trim(), csv, force })).job;
            },
          },
    );
  }
  // A new dataset makes the old recommender (and a tiny LM built from the old corpus) stale.
  if (newData || !summary.recommender || c.redo.recommender) {
    const { preset, epochs } = c.recommender;
    steps.push({
      label: `Recommender: ${preset}, ${epochs} epochs`,
      start: async (api) => (await api.invoke('recommender.train', { project, preset, epochs })).job,
    });
  }
  if (!summary.llm || c.redo.llm || (newData && summary.llm.kind === 'tiny' && c.llm.source === 'tiny')) {
    const l = c.llm;
    steps.push(
      l.source === 'tiny'
        ? {
            label: `Language model: built-in tiny LM, ${l.steps} steps`,
            start: async (api) => (await api.invoke('llm.createTiny', { project, steps: l.steps })).job,
          }
        : {
            label: `Language model: ${l.hfDir}`,
            start: async (api) => {
              await api.invoke('llm.useHf', { project, dir: l.hfDir.trim() });
              return null;
            },
          },
    );
  }
  for (const method of c.align.methods) {
    const tasks = tasksForMethod(c.align.tasks, method);
    steps.push({
      label: `Align ${method}: tasks ${tasks.join(', ')}, ${c.align.steps} steps`,
      start: async (api) => (await api.invoke('align.train', { project, method, tasks, steps: c.align.steps })).job,
    });
    if (c.align.evaluate) {
      steps.push({
        label: `Evaluate ${method}`,
        start: async (api, ctx) => {
          const run = runOfJob(ctx.previous);
          if (!run) throw new Error(`The ${method} training job did not say which run it wrote.`);
          return (await api.invoke('align.eval', { project, run })).job;
        },
      });
    }
  }
  return steps;
}

export type StepState = 'pending' | 'running' | 'done' | 'failed';

export interface PlanState {
  steps: { label: string; state: StepState; job: string | null; error: string | null }[];
  running: boolean;
}

export const usePlanStore = create<PlanState>()(() => ({ steps: [], running: false }));

/** Runs the steps in order; stops at the first failure (later steps need its output). */
export async function runPlan(api: RecxApi, steps: PlanStep[]): Promise<boolean> {
  usePlanStore.setState({
    running: true,
    steps: steps.map((s) => ({ label: s.label, state: 'pending', job: null, error: null })),
  });
  const patch = (i: number, p: Partial<PlanState['steps'][number]>) =>
    usePlanStore.setState((s) => ({ steps: s.steps.map((x, j) => (j === i ? { ...x, ...p } : x)) }));
  let previous: JobInfo | null = null;
  for (const [i, step] of steps.entries()) {
    patch(i, { state: 'running' });
    try {
      const job = await step.start(api, { previous });
      patch(i, { job });
      if (job) {
        previous = await waitForJob(job);
        if (previous.state !== 'done') {
          throw new Error(previous.error?.message ?? `the job was ${previous.state}`);
        }
      }
      patch(i, { state: 'done' });
    } catch (e) {
      patch(i, { state: 'failed', error: plainError(e) });
      usePlanStore.setState({ running: false });
      return false;
    }
  }
  usePlanStore.setState({ running: false });
  return true;
}
