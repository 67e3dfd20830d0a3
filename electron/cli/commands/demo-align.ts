/**
 * The demo's alignment stage: B, I and H each trained and evaluated, several at once where there are
 * cores. An ORT session runs synchronously on the JS thread, so methods run side by side only in
 * separate processes: each is a child `recx demo-align-job '<job json>'` (hidden command) that relays
 * its progress lines on stderr and sends its result over IPC.
 *
 * Decision: a lane per core, one thread each. On 2 cores two 1-thread children beat one 2-thread run
 * (ORT's second thread adds ~30 % to a small model's step, a second process ~100 %), and a 1-thread
 * run is reproducible (ORT's multi-threaded training kernels do not sum in a fixed order).
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import type { AlignmentReport } from '../../engine/align/eval/alignment-report.ts';
import type { AlignmentMetrics } from '../../engine/align/eval/evaluate-alignment.ts';
import { type Explanation, evaluateRun } from '../../engine/align/eval-run.ts';
import type { Method } from '../../engine/align/example.ts';
import { DEFAULT_ALIGN_STEPS, trainAlignment } from '../../engine/align/train-align.ts';
import { createStageProgress } from '../progress.ts';
import { attachTrainingProgress } from '../training-progress.ts';

export interface AlignJob {
  project: string;
  method: Method;
  /** Default: the method's default (DEFAULT_ALIGN_STEPS). */
  steps?: number;
  seed: number;
  threads: number;
  maxTest: number;
  explain: number;
}

export interface AlignJobResult {
  method: Method;
  runId: string;
  metrics: AlignmentMetrics;
  baselines: Record<string, AlignmentMetrics>;
  explanations: Explanation[];
  report: AlignmentReport;
}

/** Trains and evaluates one method in this process, with progress on stderr. */
export async function runAlignJob(job: AlignJob): Promise<AlignJobResult> {
  let stop = () => {};
  const run = await trainAlignment({
    project: job.project,
    method: job.method,
    steps: job.steps,
    seed: job.seed,
    threads: job.threads,
    onWarning: (m) => process.stderr.write(`warning: align ${job.method}: ${m}\n`),
    onTrainer: (t) => {
      stop = attachTrainingProgress(t, `align ${job.method}`);
    },
  });
  stop();
  const progress = createStageProgress();
  const ev = await evaluateRun(job.project, run.runId, {
    maxTest: job.maxTest,
    explain: job.explain,
    threads: job.threads,
    onProgress: (label, d, t) =>
      progress.update(`eval ${label === job.method ? label : `${job.method}/${label}`}`, d, t),
  });
  progress.stop();
  return {
    method: job.method,
    runId: run.runId,
    metrics: ev.metrics,
    baselines: ev.baselines,
    explanations: ev.explanations,
    report: ev.report,
  };
}

/** Methods aligned at once: one lane per method at most, at least one (1 = one after the other, in-process). */
export function alignLanes(parallel: number, methods: number): number {
  return Math.max(1, Math.min(parallel, methods));
}

/** Longest first, so that the lanes finish together (steps × a method's time per step). */
export function byExpectedCost(jobs: readonly AlignJob[]): AlignJob[] {
  // Relative time per step on the demo (B 85 ms, I 59 ms, H 92 ms): I's prompts are shortest (no titles).
  const perStep: Record<Method, number> = { B: 1, I: 0.7, H: 1.1 };
  const cost = (j: AlignJob) => (j.steps ?? DEFAULT_ALIGN_STEPS[j.method]) * perStep[j.method];
  return [...jobs].sort((a, b) => cost(b) - cost(a));
}

export const RECX_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/recx.js');

/**
 * Forks `recx <args>` with its stderr lines passed on to `stderr`; `tail` holds the last five, for the
 * error message when the child fails.
 */
export function forkRecx(
  args: string[],
  stdout: 'ignore' | 'pipe',
  stderr: (s: string) => void,
): { child: ChildProcess; tail: string[] } {
  const child = fork(RECX_BIN, args, { stdio: ['ignore', stdout, 'pipe', 'ipc'] });
  const tail: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr(`${line}\n`);
    tail.push(line);
    if (tail.length > 5) tail.shift();
  });
  return { child, tail };
}

/** Runs the jobs `lanes` at a time (in-process when 1); results come back in the jobs' order. */
export async function runAlignJobs(
  jobs: readonly AlignJob[],
  lanes: number,
  stderr: (s: string) => void,
): Promise<AlignJobResult[]> {
  if (lanes <= 1) {
    const out: AlignJobResult[] = [];
    for (const job of jobs) out.push(await runAlignJob(job));
    return out;
  }
  const limit = pLimit(lanes);
  const children = new Set<ChildProcess>();
  const forkJob = (job: AlignJob) =>
    new Promise<AlignJobResult>((resolve, reject) => {
      const { child, tail } = forkRecx(['demo-align-job', JSON.stringify(job)], 'ignore', stderr);
      children.add(child);
      let result: AlignJobResult | undefined;
      child.on('message', (m) => {
        result = m as AlignJobResult;
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (code === 0 && result) resolve(result);
        else reject(new Error(`aligning method ${job.method} failed (exit ${code ?? signal}): ${tail.join(' | ')}`));
      });
    });
  const byMethod = new Map<Method, Promise<AlignJobResult>>();
  for (const job of byExpectedCost(jobs))
    byMethod.set(
      job.method,
      limit(() => forkJob(job)),
    );
  try {
    return await Promise.all(jobs.map((j) => byMethod.get(j.method)!));
  } catch (err) {
    limit.clearQueue();
    for (const c of children) c.kill();
    throw err;
  }
}
