/**
 * Optimizers emitted into the training graph: AdamW (bias-corrected, decoupled weight decay, as
 * torch.optim.AdamW) and SGD with momentum, plus gradient clipping by global norm. Learning rates
 * come in as scalar graph inputs per parameter group (schedules are computed on the host); weight
 * decay, betas and eps are constants of the graph.
 *
 * The update runs on one flat vector per parameter group (parameters and gradients concatenated,
 * optimizer state kept flat): a dozen element-wise kernels per group instead of a dozen per tensor,
 * which was the largest cost after the matrix products (profiled on the tiny Llama step).
 *
 * Per element, with gradient g after clipping:
 *   AdamW: m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²
 *          p' = p·(1 − lr·wd) − (lr/bc1) · m' / (√v' / √bc2 + eps),  bc_i = 1 − β_i^t
 *          (computed as m' / (√v' + eps·√bc2) · lr·√bc2/bc1: the same value, one pass fewer)
 *   SGD:   b' = μ·b + g (b = g when μ = 0);  p' = p·(1 − lr·wd) − lr·b'
 */
import type { Graph, Value } from './graph.ts';
import { add, div, mul, sqrt, sub } from './ops/elementwise.ts';
import { reduceSum } from './ops/reduce.ts';
import { concat, reshape } from './ops/shape.ts';

export interface AdamWConfig {
  kind: 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface SgdConfig {
  kind: 'sgd';
  momentum?: number;
}

export type OptimizerConfig = AdamWConfig | SgdConfig;

export interface ParamGroup {
  name: string;
  weightDecay: number;
}

/** Where each parameter sits in its group's flat vector. */
export interface FlatLayout {
  group: ParamGroup;
  size: number;
  params: { name: string; offset: number; size: number; dims: number[] }[];
}

/** Names of the flat state vectors an optimizer keeps per group. */
export function stateNames(cfg: OptimizerConfig): string[] {
  if (cfg.kind === 'adamw') return ['m', 'v'];
  return (cfg.momentum ?? 0) > 0 ? ['b'] : [];
}

/** Host-side scalars fed each step: lr per group, and AdamW's bias-correction terms. */
export function stepScalars(
  cfg: OptimizerConfig,
  step: number,
  lrByGroup: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [group, lr] of Object.entries(lrByGroup)) out[`lr_${group}`] = lr;
  if (cfg.kind === 'adamw') {
    const t = step + 1;
    out.bias_correction1 = 1 - (cfg.beta1 ?? 0.9) ** t;
    out.sqrt_bias_correction2 = Math.sqrt(1 - (cfg.beta2 ?? 0.999) ** t);
  }
  return out;
}

/** Groups parameters (in first-seen group order) and lays each group out as one flat vector. */
export function flatLayouts(params: { value: Value; group: ParamGroup }[]): FlatLayout[] {
  const byGroup = new Map<string, FlatLayout>();
  for (const p of params) {
    if (!p.value.shape.every((d) => typeof d === 'number'))
      throw new Error(`parameter ${p.value.name} needs a static shape`);
    const dims = p.value.shape as number[];
    const size = dims.reduce((a, d) => a * d, 1);
    let l = byGroup.get(p.group.name);
    if (!l) {
      l = { group: p.group, size: 0, params: [] };
      byGroup.set(p.group.name, l);
    }
    l.params.push({ name: p.value.name, offset: l.size, size, dims });
    l.size += size;
  }
  return [...byGroup.values()];
}

/** Concatenates values (flattened) into one vector [Σ size]. */
export function flatten(values: Value[]): Value {
  const flat = values.map((v) => reshape(v, [-1]));
  return flat.length === 1 ? flat[0] : concat(flat, 0);
}

export interface GroupUpdate {
  layout: FlatLayout;
  /** The group's parameters concatenated, and their (summed) gradient, both [size]. */
  flatParams: Value;
  flatGrad: Value;
}

export interface OptimizerGraph {
  /** Per group: the new flat parameter vector. */
  newParams: Value[];
  /** Per group: new flat state vectors in stateNames order. */
  newStates: Value[][];
  gradNorm: Value;
}

/** Appends clipping and the update of every group. `maxGradNorm` ≤ 0 disables clipping. */
export function buildOptimizer(
  g: Graph,
  cfg: OptimizerConfig,
  groups: GroupUpdate[],
  maxGradNorm: number,
): OptimizerGraph {
  const dt = groups[0].flatGrad.dtype;
  const scalar = (name: string) => g.input(name, dt, []);
  const bc1 = cfg.kind === 'adamw' ? scalar('bias_correction1') : null;
  const sqrtBc2 = cfg.kind === 'adamw' ? scalar('sqrt_bias_correction2') : null;
  // Squared gradients: summed for the global norm, reused by Adam's second moment.
  const squares = groups.map((u) => mul(u.flatGrad, u.flatGrad));
  let sq: Value | null = null;
  for (const gsq of squares) {
    const s = reduceSum(gsq, [0]);
    sq = sq ? add(sq, s) : s;
  }
  const gradNorm = sqrt(sq!);
  // clip = min(1, max / (norm + 1e-6)), as in torch.nn.utils.clip_grad_norm_.
  const clip =
    maxGradNorm > 0
      ? g.node('Min', [g.scalar(1, dt), div(maxGradNorm, add(gradNorm, 1e-6))], [{ dtype: dt, shape: [] }])[0]
      : null;
  const names = stateNames(cfg);
  const newParams: Value[] = [];
  const newStates: Value[][] = [];
  // Scalar factors are folded first so each full-size vector is touched as few times as possible
  // (the update is memory-bound): clip goes into the moment coefficients, 1/√bc2 into the step size.
  groups.forEach((u, k) => {
    const { group, size } = u.layout;
    const lr = scalar(`lr_${group.name}`);
    const [s0, s1] = names.map((s) => g.input(`${s}.${group.name}`, dt, [size]));
    const p = u.flatParams;
    const decayed = group.weightDecay > 0 ? mul(p, sub(1, mul(lr, group.weightDecay))) : p;
    if (cfg.kind === 'adamw') {
      const b1 = cfg.beta1 ?? 0.9;
      const b2 = cfg.beta2 ?? 0.999;
      const eps = cfg.eps ?? 1e-8;
      const c1 = clip ? mul(clip, 1 - b1) : 1 - b1;
      const c2 = clip ? mul(mul(clip, clip), 1 - b2) : 1 - b2;
      const m2 = add(mul(s0, b1), mul(u.flatGrad, c1));
      const v2 = add(mul(s1, b2), mul(squares[k], c2));
      // m/(√v/√bc2 + eps)·lr/bc1 = m/(√v + eps·√bc2) · (lr·√bc2/bc1)
      const stepSize = div(mul(lr, sqrtBc2!), bc1!);
      const denom = add(sqrt(v2), mul(sqrtBc2!, eps));
      newParams.push(sub(decayed, mul(div(m2, denom), stepSize)));
      newStates.push([m2, v2]);
    } else {
      const grad = clip ? mul(u.flatGrad, clip) : u.flatGrad;
      if ((cfg.momentum ?? 0) > 0) {
        const b2 = add(mul(s0, cfg.momentum!), grad);
        newParams.push(sub(decayed, mul(b2, lr)));
        newStates.push([b2]);
      } else {
        newParams.push(sub(decayed, mul(grad, lr)));
        newStates.push([]);
      }
    }
  });
  return { newParams, newStates, gradNorm };
}
