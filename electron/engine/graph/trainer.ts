/**
 * The training loop every model uses: steps a TrainStep with host-side lr schedules, evaluates,
 * checkpoints, resumes exactly, and can be cancelled. Batches come from `batches(step)`, a pure
 * function of the step number, and dropout seeds are derived from (seed, step, micro-batch), so a
 * run resumed from step k produces the same losses as one never interrupted.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Rng } from '../random.ts';
import { type Checkpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import type { HostTensor } from './graph.ts';
import { learningRateAt, type ScheduleConfig } from './schedule.ts';
import type { ExternalGradients, Feeds, TrainStep } from './train-step.ts';

export interface StepEvent {
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Examples (or tokens, when `tokensPerStep` is given) per second over the last step. */
  throughput: number;
  throughputUnit: 'examples/s' | 'tokens/s';
  rssMb: number;
  elapsedSec: number;
  etaSec: number;
}

export interface EvalEvent {
  step: number;
  metrics: Record<string, number>;
}

export interface TrainerEvents {
  step: [StepEvent];
  eval: [EvalEvent];
  checkpoint: [{ step: number; dir: string }];
}

export interface TrainerOptions {
  totalSteps: number;
  schedule: ScheduleConfig;
  /** Multiplier of the scheduled lr per parameter group (default 1 for each group seen). */
  groupLrScale?: Record<string, number>;
  groups: string[];
  /** Micro-batches of optimizer step `step` (a pure function of `step`). */
  batches: (step: number) => Feeds[];
  /** Gradients of host-side (external) parameters, when the TrainStep has some (train-step.ts). */
  externalGradients?: ExternalGradients;
  /** Seed for dropout masks. */
  seed: number;
  examplesPerStep?: number;
  /** Tokens of optimizer step `step` (a function when batches vary in length: real tokens, not padding). */
  tokensPerStep?: number | ((step: number) => number);
  checkpointDir?: string;
  checkpointEvery?: number;
  /** Fingerprint of everything that must match to resume (model, data, hyper-parameters). */
  config?: unknown;
  evaluate?: { every: number; run: (step: number) => Promise<Record<string, number>> };
  /** Checked after each evaluation: true ends training early (e.g. early stopping). */
  shouldStop?: () => boolean;
  /** Extra state saved in each checkpoint and handed back by resume() (best metric, patience…). */
  extraState?: () => Record<string, unknown>;
  signal?: AbortSignal;
}

export interface TrainerResult {
  /** Steps completed in total (including those before a resume). */
  step: number;
  completed: boolean;
  /** True when shouldStop ended training before totalSteps. */
  stoppedEarly: boolean;
  lastLoss: number;
}

/** A float32-exact seed in [0, 2^24) for step/micro-batch, derived from the run seed. */
export function dropoutSeed(seed: number, step: number, micro: number): number {
  const r = new Rng((seed * 1_000_003 + step * 131 + micro) >>> 0);
  return r.nextUint32() & 0xffffff;
}

export function configHash(config: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(config ?? null))
    .digest('hex')
    .slice(0, 16);
}

export class Trainer extends EventEmitter<TrainerEvents> {
  private startStep = 0;

  constructor(
    private readonly ts: TrainStep,
    private readonly opts: TrainerOptions,
  ) {
    super();
  }

  /** Loads the checkpoint in `checkpointDir` if any: the step it resumes from and its extra state. */
  async resume(): Promise<{ step: number; extra: Record<string, unknown> }> {
    if (!this.opts.checkpointDir) return { step: 0, extra: {} };
    const ck = await loadCheckpoint(this.opts.checkpointDir);
    if (!ck) return { step: 0, extra: {} };
    const want = configHash(this.opts.config);
    if (ck.state.configHash !== want) {
      throw new Error(
        `${this.opts.checkpointDir}: the checkpoint was made with another configuration; start fresh instead of resuming`,
      );
    }
    this.ts.restore(ck.params, ck.optimizer);
    this.startStep = ck.state.step;
    return { step: this.startStep, extra: ck.state.extra };
  }

  async checkpoint(step: number): Promise<void> {
    const dir = this.opts.checkpointDir;
    if (!dir) return;
    const ck: Checkpoint = {
      state: {
        version: 1,
        step,
        tensors: '',
        configHash: configHash(this.opts.config),
        extra: this.opts.extraState?.() ?? {},
      },
      params: new Map(this.ts.params),
      optimizer: new Map(this.ts.states),
    };
    await saveCheckpoint(dir, ck);
    this.emit('checkpoint', { step, dir });
  }

  async run(): Promise<TrainerResult> {
    const { totalSteps, schedule } = this.opts;
    const needsSeed = this.ts.batchInputNames.includes('dropout_seed');
    const t0 = performance.now();
    let lastLoss = Number.NaN;
    let step = this.startStep;
    for (; step < totalSteps; step++) {
      if (this.opts.signal?.aborted) {
        await this.checkpoint(step);
        return { step, completed: false, stoppedEarly: false, lastLoss };
      }
      const lr = learningRateAt(schedule, step);
      const lrs: Record<string, number> = {};
      for (const gname of this.opts.groups) lrs[gname] = lr * (this.opts.groupLrScale?.[gname] ?? 1);
      const micro = this.opts
        .batches(step)
        .map((b, k) => (needsSeed ? { ...b, dropout_seed: seedTensor(dropoutSeed(this.opts.seed, step, k)) } : b));
      const s0 = performance.now();
      const r = await this.ts.step(micro, step, lrs, this.opts.externalGradients);
      const dt = (performance.now() - s0) / 1000;
      lastLoss = r.loss;
      const done = step + 1;
      const elapsed = (performance.now() - t0) / 1000;
      const perStep = elapsed / (done - this.startStep);
      const tokens = this.opts.tokensPerStep;
      const units = (typeof tokens === 'function' ? tokens(step) : tokens) ?? this.opts.examplesPerStep ?? 0;
      this.emit('step', {
        step: done,
        totalSteps,
        loss: r.loss,
        lr,
        gradNorm: r.gradNorm,
        throughput: units / dt,
        throughputUnit: tokens !== undefined ? 'tokens/s' : 'examples/s',
        rssMb: process.memoryUsage.rss() / 2 ** 20,
        elapsedSec: elapsed,
        etaSec: perStep * (totalSteps - done),
      });
      if (this.opts.evaluate && done % this.opts.evaluate.every === 0) {
        this.emit('eval', { step: done, metrics: await this.opts.evaluate.run(done) });
      }
      if (this.opts.checkpointEvery && done % this.opts.checkpointEvery === 0) await this.checkpoint(done);
      if (this.opts.evaluate && done % this.opts.evaluate.every === 0 && this.opts.shouldStop?.()) {
        if (this.opts.checkpointDir) await this.checkpoint(done);
        return { step: done, completed: true, stoppedEarly: true, lastLoss };
      }
    }
    if (this.opts.checkpointDir) await this.checkpoint(step);
    return { step, completed: true, stoppedEarly: false, lastLoss };
  }
}

/** The `dropout_seed` graph input is always a float32 scalar (see ops/dropout.ts). */
function seedTensor(x: number): HostTensor {
  return { dtype: 'float32', dims: [], data: Float32Array.of(x) };
}
