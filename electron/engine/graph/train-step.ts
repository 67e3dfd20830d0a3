/**
 * Compiles a model (a loss over parameter inputs) into ORT training-step sessions and runs them.
 * Parameters and optimizer state live on the host as typed arrays: each step feeds them in and
 * takes the outputs back by swapping references (no copies in JS).
 *
 * accumulation = 1: one fused graph (forward, backward, clip, update).
 * accumulation > 1: a gradient graph run per micro-batch that adds into gradient accumulators
 * (fed back in), then an update graph on the summed gradient.
 *
 * External parameters are updated by the same optimizer but used on the host (e.g. the projectors
 * of embedding injection, kernels/): the graph returns the gradients of chosen inputs
 * (`gradInputs`, e.g. inputs_embeds), the caller turns them into the external parameters'
 * gradients each micro-batch, and the update graph applies everything. External parameters form
 * their own optimizer groups; this always uses the two-graph path.
 */
import { grad } from './autodiff.ts';
import { Graph, type HostTensor, numel, type Value } from './graph.ts';
import { add, mul } from './ops/elementwise.ts';
import {
  buildOptimizer,
  type FlatLayout,
  flatLayouts,
  flatten,
  type OptimizerConfig,
  type ParamGroup,
  stateNames,
  stepScalars,
} from './optimizer.ts';
import { GraphSession, type SessionSettings } from './session.ts';

export interface TrainableModel {
  graph: Graph;
  /** Scalar loss (mean over the micro-batch). */
  loss: Value;
  /** Trainable parameters: graph inputs named like their checkpoint keys. */
  params: { value: Value; group: ParamGroup }[];
  /** Inputs whose gradients each micro-batch returns as `grad.<name>` (for external parameters). */
  gradInputs?: Value[];
}

/** A parameter the host uses and the caller differentiates (see the file header). */
export interface ExternalParam {
  name: string;
  dims: number[];
  /** Must not be a group of the graph's own parameters. */
  group: ParamGroup;
}

/** Per micro-batch k: the external parameters' gradients from the gradient graph's outputs. */
export type ExternalGradients = (micro: number, outputs: Feeds) => Map<string, Float32Array>;

/** Builds the model's forward graph; `train` enables dropout (the graph then takes `dropout_seed`). */
export type ModelBuilder = (opts: { train: boolean }) => TrainableModel;

export interface TrainStepConfig {
  optimizer: OptimizerConfig;
  /** ≤ 0: no clipping. */
  maxGradNorm: number;
  /** Micro-batches per optimizer step. */
  accumulation: number;
  session?: SessionSettings;
  external?: ExternalParam[];
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

export type Feeds = Record<string, HostTensor>;

function zeros(dtype: HostTensor['dtype'], dims: number[]): HostTensor {
  const n = numel(dims);
  return { dtype, dims, data: dtype === 'float64' ? new Float64Array(n) : new Float32Array(n) };
}

function scalarTensor(x: number, dtype: HostTensor['dtype']): HostTensor {
  return { dtype, dims: [], data: dtype === 'float64' ? Float64Array.of(x) : Float32Array.of(x) };
}

export class TrainStep {
  /** Current parameter values by name (views into the flat group vectors). */
  readonly params = new Map<string, HostTensor>();
  /** Optimizer state by `${state}.${group}` (flat per group). */
  readonly states = new Map<string, HostTensor>();
  /** Flat parameter vector of each group. */
  private readonly flat = new Map<string, HostTensor>();
  private layouts: FlatLayout[] = [];
  /** Layouts of the external groups (their accumulators live on the host). */
  private externalLayouts: FlatLayout[] = [];
  private dtype: HostTensor['dtype'] = 'float32';

  private constructor(
    private readonly cfg: TrainStepConfig,
    private readonly fused: GraphSession | null,
    private readonly gradSession: GraphSession | null,
    private readonly updateSession: GraphSession | null,
  ) {}

  static async create(build: ModelBuilder, cfg: TrainStepConfig, init: Map<string, HostTensor>): Promise<TrainStep> {
    const model = build({ train: true });
    for (const p of model.params)
      if (!init.has(p.value.name)) throw new Error(`no initial value for parameter ${p.value.name}`);
    const graphLayouts = flatLayouts(model.params);
    const externalLayouts = externalFlatLayouts(cfg.external ?? [], graphLayouts);
    const layouts = [...graphLayouts, ...externalLayouts];
    for (const e of cfg.external ?? [])
      if (!init.has(e.name)) throw new Error(`no initial value for parameter ${e.name}`);
    const g = model.graph;
    const grads = requireGrads(model);
    const gradOf = new Map(model.params.map((p, k) => [p.value.name, grads[k]]));
    const flatGrad = (l: FlatLayout) => flatten(l.params.map((p) => gradOf.get(p.name)!));
    const states = stateNames(cfg.optimizer);
    let step: TrainStep;
    g.output(model.loss, 'loss');
    const twoGraphs = cfg.accumulation > 1 || externalLayouts.length > 0 || (model.gradInputs?.length ?? 0) > 0;
    if (!twoGraphs) {
      // The host also feeds each group's flat vector (the per-parameter inputs are views of it),
      // so the update needs no concatenation of parameters.
      const groups = layouts.map((l) => ({
        layout: l,
        flatParams: g.input(`flat.${l.group.name}`, model.loss.dtype, [l.size]),
        flatGrad: flatGrad(l),
      }));
      const opt = buildOptimizer(g, cfg.optimizer, groups, cfg.maxGradNorm);
      g.output(opt.gradNorm, 'grad_norm');
      outputUpdates(g, layouts, opt.newParams, opt.newStates, states);
      step = new TrainStep(cfg, await GraphSession.create(g, cfg.session), null, null);
    } else {
      const scale = 1 / Math.max(1, cfg.accumulation);
      for (const l of graphLayouts) {
        const acc = g.input(`acc.${l.group.name}`, model.loss.dtype, [l.size]);
        g.output(add(acc, mul(flatGrad(l), scale)), `new.acc.${l.group.name}`);
      }
      const inputGrads = grad(model.loss, model.gradInputs ?? []);
      (model.gradInputs ?? []).forEach((v, k) => {
        if (!inputGrads[k]) throw new Error(`input ${v.name} does not affect the loss`);
        g.output(inputGrads[k]!, `grad.${v.name}`);
      });
      const u = new Graph('update');
      const groups = layouts.map((l) => ({
        layout: l,
        flatParams: u.input(`flat.${l.group.name}`, model.loss.dtype, [l.size]),
        flatGrad: u.input(`acc.${l.group.name}`, model.loss.dtype, [l.size]),
      }));
      const opt = buildOptimizer(u, cfg.optimizer, groups, cfg.maxGradNorm);
      u.output(opt.gradNorm, 'grad_norm');
      outputUpdates(u, layouts, opt.newParams, opt.newStates, states);
      const [gs, us] = [await GraphSession.create(g, cfg.session), await GraphSession.create(u, cfg.session)];
      step = new TrainStep(cfg, null, gs, us);
    }
    step.dtype = model.loss.dtype;
    step.layouts = layouts;
    step.externalLayouts = externalLayouts;
    for (const l of layouts) {
      const flat = zeros(step.dtype, [l.size]);
      for (const p of l.params) (flat.data as Float32Array).set(init.get(p.name)!.data as Float32Array, p.offset);
      step.setFlat(l, flat);
      for (const s of states) step.states.set(`${s}.${l.group.name}`, zeros(step.dtype, [l.size]));
    }
    return step;
  }

  /** Optimizer groups, each taking an `lr_<group>` learning rate. */
  get groupNames(): string[] {
    return this.layouts.map((l) => l.group.name);
  }

  get provider(): string {
    return (this.fused ?? this.gradSession)!.provider;
  }

  /** Names of the per-micro-batch inputs the step graph expects (batch data, dropout_seed). */
  get batchInputNames(): string[] {
    const known = new Set(this.params.keys());
    return (this.fused ?? this.gradSession)!.inputNames.filter(
      (n) => !known.has(n) && !/^(acc|flat|m|v|b)\./.test(n) && !n.startsWith('lr_') && !n.includes('bias_correction'),
    );
  }

  /** Replaces parameters and optimizer state (resuming from a checkpoint); shapes must match. */
  restore(params: Map<string, HostTensor>, states: Map<string, HostTensor>): void {
    for (const l of this.layouts) {
      const flat = zeros(this.dtype, [l.size]);
      for (const p of l.params) {
        const t = params.get(p.name);
        if (!t) throw new Error(`checkpoint has no parameter ${p.name}`);
        if (t.dims.join(',') !== p.dims.join(',')) {
          throw new Error(`checkpoint parameter ${p.name} has shape [${t.dims}], the model needs [${p.dims}]`);
        }
        (flat.data as Float32Array).set(t.data as Float32Array, p.offset);
      }
      this.setFlat(l, flat);
    }
    for (const name of this.states.keys()) {
      const t = states.get(name);
      if (!t || t.data.length !== this.states.get(name)!.data.length)
        throw new Error(`checkpoint has no state ${name} of the right size`);
      this.states.set(name, t);
    }
  }

  /**
   * One optimizer step over `microBatches` (length = accumulation). `step` is the 0-based optimizer
   * step number (for AdamW's bias correction); `lr` gives each group's learning rate.
   */
  async step(
    microBatches: Feeds[],
    step: number,
    lr: Record<string, number>,
    externalGradients?: ExternalGradients,
  ): Promise<StepResult> {
    if (microBatches.length !== Math.max(1, this.cfg.accumulation)) {
      throw new Error(`expected ${this.cfg.accumulation} micro-batches, got ${microBatches.length}`);
    }
    const scalars: Feeds = {};
    for (const [k, v] of Object.entries(stepScalars(this.cfg.optimizer, step, lr)))
      scalars[k] = scalarTensor(v, this.dtype);
    const paramFeeds: Feeds = Object.fromEntries(this.params);
    const stateFeeds: Feeds = Object.fromEntries(this.states);
    const flatFeeds: Feeds = {};
    for (const l of this.layouts) flatFeeds[`flat.${l.group.name}`] = this.flat.get(l.group.name)!;
    if (this.fused) {
      const out = await this.fused.run({ ...microBatches[0], ...paramFeeds, ...flatFeeds, ...stateFeeds, ...scalars });
      this.takeUpdates(out);
      return { loss: Number(out.loss.data[0]), gradNorm: Number(out.grad_norm.data[0]) };
    }
    let acc: Feeds = {};
    for (const l of this.layouts) acc[`acc.${l.group.name}`] = zeros(this.dtype, [l.size]);
    const graphGroups = this.layouts.filter((l) => !this.externalLayouts.includes(l));
    const graphParamFeeds: Feeds = {};
    for (const l of graphGroups) for (const p of l.params) graphParamFeeds[p.name] = paramFeeds[p.name];
    let loss = 0;
    for (const [k, mb] of microBatches.entries()) {
      const graphAcc: Feeds = {};
      for (const l of graphGroups) graphAcc[`acc.${l.group.name}`] = acc[`acc.${l.group.name}`];
      const out = await this.gradSession!.run({ ...mb, ...graphParamFeeds, ...graphAcc });
      loss += Number(out.loss.data[0]) / microBatches.length;
      const next: Feeds = {};
      for (const l of graphGroups) next[`acc.${l.group.name}`] = out[`new.acc.${l.group.name}`];
      for (const l of this.externalLayouts) next[`acc.${l.group.name}`] = acc[`acc.${l.group.name}`];
      acc = next;
      if (this.externalLayouts.length > 0) {
        if (!externalGradients) throw new Error('this step has external parameters: pass their gradients');
        this.addExternal(acc, externalGradients(k, out), 1 / microBatches.length);
      }
    }
    const out = await this.updateSession!.run({ ...flatFeeds, ...stateFeeds, ...acc, ...scalars });
    this.takeUpdates(out);
    return { loss, gradNorm: Number(out.grad_norm.data[0]) };
  }

  /** Adds scaled external gradients into their groups' host accumulators. */
  private addExternal(acc: Feeds, grads: Map<string, Float32Array>, scale: number): void {
    for (const l of this.externalLayouts) {
      const buf = acc[`acc.${l.group.name}`].data as Float32Array;
      for (const p of l.params) {
        const gr = grads.get(p.name);
        if (!gr || gr.length !== p.size)
          throw new Error(`missing or mis-sized gradient for external parameter ${p.name}`);
        for (let i = 0; i < p.size; i++) buf[p.offset + i] += gr[i] * scale;
      }
    }
  }

  /** Installs a group's flat vector and re-derives the per-parameter views into it (no copies). */
  private setFlat(l: FlatLayout, flat: HostTensor): void {
    this.flat.set(l.group.name, flat);
    const data = flat.data as Float32Array;
    for (const p of l.params) {
      this.params.set(p.name, { dtype: flat.dtype, dims: p.dims, data: data.subarray(p.offset, p.offset + p.size) });
    }
  }

  private takeUpdates(out: Feeds): void {
    for (const l of this.layouts) {
      this.setFlat(l, out[`new.flat.${l.group.name}`]);
      for (const s of stateNames(this.cfg.optimizer))
        this.states.set(`${s}.${l.group.name}`, out[`new.${s}.${l.group.name}`]);
    }
  }

  async release(): Promise<void> {
    for (const s of [this.fused, this.gradSession, this.updateSession]) await s?.release();
  }
}

function externalFlatLayouts(external: ExternalParam[], graphLayouts: FlatLayout[]): FlatLayout[] {
  const taken = new Set(graphLayouts.map((l) => l.group.name));
  const byGroup = new Map<string, FlatLayout>();
  for (const e of external) {
    if (taken.has(e.group.name))
      throw new Error(`external parameter ${e.name}: group ${e.group.name} is used by graph parameters`);
    let l = byGroup.get(e.group.name);
    if (!l) {
      l = { group: e.group, size: 0, params: [] };
      byGroup.set(e.group.name, l);
    }
    const size = numel(e.dims);
    l.params.push({ name: e.name, offset: l.size, size, dims: e.dims });
    l.size += size;
  }
  return [...byGroup.values()];
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

function outputUpdates(g: Graph, layouts: FlatLayout[], params: Value[], states: Value[][], stateKeys: string[]): void {
  layouts.forEach((l, k) => {
    g.output(params[k], `new.flat.${l.group.name}`);
    for (const [j, s] of stateKeys.entries()) g.output(states[k][j], `new.${s}.${l.group.name}`);
  });
}
