/**
 * Compiles a model (a loss over parameter inputs) into ORT training-step sessions and runs them.
 * Parameters and optimizer state live on the host as typed arrays: each step feeds them in and
 * takes the outputs back by swapping references (no copies in JS).
 *
 * accumulation = 1: one fused graph (forward, backward, clip, update).
 * accumulation > 1: a gradient graph run per micro-batch that adds into gradient accumulators
 * (fed back in), then an update graph on the summed gradient.
 */
import { grad } from './autodiff.ts';
import { Graph, type HostTensor, numel, type Value } from './graph.ts';
import { mul } from './ops/elementwise.ts';
import { buildOptimizer, type OptimizerConfig, type ParamGroup, stateNames, stepScalars } from './optimizer.ts';
import { GraphSession, type SessionSettings } from './session.ts';

export interface TrainableModel {
  graph: Graph;
  /** Scalar loss (mean over the micro-batch). */
  loss: Value;
  /** Trainable parameters: graph inputs named like their checkpoint keys. */
  params: { value: Value; group: ParamGroup }[];
}

/** Builds the model's forward graph; `train` enables dropout (the graph then takes `dropout_seed`). */
export type ModelBuilder = (opts: { train: boolean }) => TrainableModel;

export interface TrainStepConfig {
  optimizer: OptimizerConfig;
  /** ≤ 0: no clipping. */
  maxGradNorm: number;
  /** Micro-batches per optimizer step. */
  accumulation: number;
  session?: SessionSettings;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

export type Feeds = Record<string, HostTensor>;

function zerosLike(t: HostTensor): HostTensor {
  const Ctor = t.data.constructor as new (n: number) => HostTensor['data'];
  return { dtype: t.dtype, dims: [...t.dims], data: new Ctor(numel(t.dims)) };
}

function scalarTensor(x: number, dtype: HostTensor['dtype']): HostTensor {
  return { dtype, dims: [], data: dtype === 'float64' ? Float64Array.of(x) : Float32Array.of(x) };
}

export class TrainStep {
  /** Current parameter values by name. */
  readonly params = new Map<string, HostTensor>();
  /** Optimizer state by `${state}.${param}`. */
  readonly states = new Map<string, HostTensor>();
  private groups = new Map<string, string>();
  private dtype: HostTensor['dtype'] = 'float32';

  private constructor(
    private readonly cfg: TrainStepConfig,
    private readonly fused: GraphSession | null,
    private readonly gradSession: GraphSession | null,
    private readonly updateSession: GraphSession | null,
    private readonly paramNames: string[],
  ) {}

  static async create(build: ModelBuilder, cfg: TrainStepConfig, init: Map<string, HostTensor>): Promise<TrainStep> {
    const model = build({ train: true });
    const names = model.params.map((p) => p.value.name);
    for (const n of names) if (!init.has(n)) throw new Error(`no initial value for parameter ${n}`);
    let step: TrainStep;
    if (cfg.accumulation <= 1) {
      const g = model.graph;
      const grads = requireGrads(model);
      const opt = buildOptimizer(
        g,
        cfg.optimizer,
        model.params.map((p, k) => ({ param: p.value, grad: grads[k], group: p.group })),
        cfg.maxGradNorm,
      );
      g.output(model.loss, 'loss');
      g.output(opt.gradNorm, 'grad_norm');
      outputUpdates(g, names, opt.newParams, opt.newStates, stateNames(cfg.optimizer));
      step = new TrainStep(cfg, await GraphSession.create(g, cfg.session), null, null, names);
    } else {
      const g = model.graph;
      const grads = requireGrads(model);
      g.output(model.loss, 'loss');
      grads.forEach((d, k) => {
        const acc = g.input(`acc.${names[k]}`, d.dtype, model.params[k].value.shape);
        const scaled = mul(d, 1 / cfg.accumulation);
        g.output(g.node('Add', [acc, scaled], [{ dtype: d.dtype, shape: acc.shape }])[0], `new.acc.${names[k]}`);
      });
      const u = new Graph('update');
      const params = model.params.map((p) => ({
        param: u.input(p.value.name, p.value.dtype, p.value.shape),
        grad: u.input(`acc.${p.value.name}`, p.value.dtype, p.value.shape),
        group: p.group,
      }));
      const opt = buildOptimizer(u, cfg.optimizer, params, cfg.maxGradNorm);
      u.output(opt.gradNorm, 'grad_norm');
      outputUpdates(u, names, opt.newParams, opt.newStates, stateNames(cfg.optimizer));
      const [gs, us] = [await GraphSession.create(g, cfg.session), await GraphSession.create(u, cfg.session)];
      step = new TrainStep(cfg, null, gs, us, names);
    }
    step.dtype = model.params[0].value.dtype;
    for (const p of model.params) step.groups.set(p.value.name, p.group.name);
    for (const n of names) {
      step.params.set(n, init.get(n)!);
      for (const s of stateNames(cfg.optimizer)) step.states.set(`${s}.${n}`, zerosLike(init.get(n)!));
    }
    return step;
  }

  get provider(): string {
    return (this.fused ?? this.gradSession)!.provider;
  }

  /** Names of the per-micro-batch inputs the step graph expects (batch data, dropout_seed). */
  get batchInputNames(): string[] {
    const known = new Set([...this.params.keys(), ...this.states.keys()]);
    return (this.fused ?? this.gradSession)!.inputNames.filter(
      (n) => !known.has(n) && !n.startsWith('acc.') && !n.startsWith('lr_') && !n.includes('bias_correction'),
    );
  }

  /** Replaces parameters and optimizer state (resuming from a checkpoint); shapes must match. */
  restore(params: Map<string, HostTensor>, states: Map<string, HostTensor>): void {
    for (const [name, cur] of [...this.params, ...this.states]) {
      const next = params.get(name) ?? states.get(name);
      if (!next) throw new Error(`checkpoint has no tensor ${name}`);
      if (next.dims.join(',') !== cur.dims.join(',')) {
        throw new Error(`checkpoint tensor ${name} has shape [${next.dims}], the model needs [${cur.dims}]`);
      }
      (this.params.has(name) ? this.params : this.states).set(name, next);
    }
  }

  /**
   * One optimizer step over `microBatches` (length = accumulation). `step` is the 0-based optimizer
   * step number (for AdamW's bias correction); `lr` gives each group's learning rate.
   */
  async step(microBatches: Feeds[], step: number, lr: Record<string, number>): Promise<StepResult> {
    if (microBatches.length !== Math.max(1, this.cfg.accumulation)) {
      throw new Error(`expected ${this.cfg.accumulation} micro-batches, got ${microBatches.length}`);
    }
    const scalars: Feeds = {};
    for (const [k, v] of Object.entries(stepScalars(this.cfg.optimizer, step, lr)))
      scalars[k] = scalarTensor(v, this.dtype);
    const paramFeeds: Feeds = {};
    for (const [k, v] of this.params) paramFeeds[k] = v;
    const stateFeeds: Feeds = {};
    for (const [k, v] of this.states) stateFeeds[k] = v;
    if (this.fused) {
      const out = await this.fused.run({ ...microBatches[0], ...paramFeeds, ...stateFeeds, ...scalars });
      this.takeUpdates(out);
      return { loss: Number(out.loss.data[0]), gradNorm: Number(out.grad_norm.data[0]) };
    }
    let acc: Feeds = {};
    for (const n of this.paramNames) acc[`acc.${n}`] = zerosLike(this.params.get(n)!);
    let loss = 0;
    for (const mb of microBatches) {
      const out = await this.gradSession!.run({ ...mb, ...paramFeeds, ...acc });
      loss += Number(out.loss.data[0]) / microBatches.length;
      acc = {};
      for (const n of this.paramNames) acc[`acc.${n}`] = out[`new.acc.${n}`];
    }
    const out = await this.updateSession!.run({ ...paramFeeds, ...stateFeeds, ...acc, ...scalars });
    this.takeUpdates(out);
    return { loss, gradNorm: Number(out.grad_norm.data[0]) };
  }

  private takeUpdates(out: Feeds): void {
    for (const n of this.paramNames) {
      this.params.set(n, out[`new.${n}`]);
      for (const s of stateNames(this.cfg.optimizer)) this.states.set(`${s}.${n}`, out[`new.${s}.${n}`]);
    }
  }

  async release(): Promise<void> {
    for (const s of [this.fused, this.gradSession, this.updateSession]) await s?.release();
  }
}

function requireGrads(model: TrainableModel): Value[] {
  const grads = grad(
    model.loss,
    model.params.map((p) => p.value),
  );
  return grads.map((d, k) => {
    if (!d) throw new Error(`parameter ${model.params[k].value.name} does not affect the loss`);
    return d;
  });
}

function outputUpdates(g: Graph, names: string[], params: Value[], states: Value[][], stateKeys: string[]): void {
  params.forEach((p, k) => {
    g.output(p, `new.${names[k]}`);
    for (const [j, s] of stateKeys.entries()) g.output(states[k][j], `new.${s}.${names[k]}`);
  });
}
