/**
 * Optimizers emitted into the training graph: AdamW (bias-corrected, decoupled weight decay, as
 * torch.optim.AdamW) and SGD with momentum, plus gradient clipping by global norm. Learning rates
 * come in as scalar graph inputs per parameter group (schedules are computed on the host); weight
 * decay, betas and eps are constants of the graph.
 *
 * Per parameter p with gradient g (after clipping):
 *   AdamW: m' = β1·m + (1−β1)·g;  v' = β2·v + (1−β2)·g²
 *          p' = p·(1 − lr·wd) − (lr/bc1) · m' / (√v' / √bc2 + eps),  bc_i = 1 − β_i^t
 *   SGD:   b' = μ·b + g (b = g when μ = 0);  p' = p·(1 − lr·wd) − lr·b'
 */
import type { Graph, Value } from './graph.ts';
import { add, div, mul, sqrt, sub } from './ops/elementwise.ts';
import { reduceSum } from './ops/reduce.ts';

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

export interface OptimizedParam {
  /** The parameter as a graph input. */
  param: Value;
  grad: Value;
  group: ParamGroup;
}

/** Names of the state tensors an optimizer keeps per parameter. */
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

export interface OptimizerGraph {
  /** New parameter values, in the order of `params`. */
  newParams: Value[];
  /** New state tensors: states[k][s] for param k and state name s. */
  newStates: Value[][];
  /** State inputs, same layout. */
  stateInputs: Value[][];
  gradNorm: Value;
}

/** Global L2 norm of all gradients, as a scalar. */
export function globalNorm(grads: Value[]): Value {
  let total: Value | null = null;
  for (const gr of grads) {
    const s = reduceSum(
      mul(gr, gr),
      gr.shape.map((_, k) => k),
    );
    total = total ? add(total, s) : s;
  }
  return sqrt(total!);
}

/**
 * Appends clipping and the update of every parameter. `maxGradNorm` ≤ 0 disables clipping (the
 * norm is still computed and reported).
 */
export function buildOptimizer(
  g: Graph,
  cfg: OptimizerConfig,
  params: OptimizedParam[],
  maxGradNorm: number,
): OptimizerGraph {
  const dt = params[0].param.dtype;
  const scalar = (name: string) => g.input(name, dt, []);
  const lrs = new Map<string, Value>();
  for (const p of params) if (!lrs.has(p.group.name)) lrs.set(p.group.name, scalar(`lr_${p.group.name}`));
  const bc1 = cfg.kind === 'adamw' ? scalar('bias_correction1') : null;
  const sqrtBc2 = cfg.kind === 'adamw' ? scalar('sqrt_bias_correction2') : null;
  const gradNorm = globalNorm(params.map((p) => p.grad));
  // clip = min(1, max / (norm + 1e-6)), written with Min to stay one cheap scalar op.
  const clip =
    maxGradNorm > 0
      ? g.node('Min', [g.scalar(1, dt), div(maxGradNorm, add(gradNorm, 1e-6))], [{ dtype: dt, shape: [] }])[0]
      : null;
  const names = stateNames(cfg);
  const stateInputs = params.map((p) => names.map((s) => g.input(`${s}.${p.param.name}`, dt, p.param.shape)));
  const newParams: Value[] = [];
  const newStates: Value[][] = [];
  params.forEach((p, k) => {
    const lr = lrs.get(p.group.name)!;
    const grad = clip ? mul(p.grad, clip) : p.grad;
    const decayed = p.group.weightDecay > 0 ? mul(p.param, sub(1, mul(lr, p.group.weightDecay))) : p.param;
    if (cfg.kind === 'adamw') {
      const b1 = cfg.beta1 ?? 0.9;
      const b2 = cfg.beta2 ?? 0.999;
      const [m, v] = stateInputs[k];
      const m2 = add(mul(m, b1), mul(grad, 1 - b1));
      const v2 = add(mul(v, b2), mul(mul(grad, grad), 1 - b2));
      const denom = add(div(sqrt(v2), sqrtBc2!), cfg.eps ?? 1e-8);
      const stepSize = div(lr, bc1!);
      newParams.push(sub(decayed, mul(div(m2, denom), stepSize)));
      newStates.push([m2, v2]);
    } else {
      const mu = cfg.momentum ?? 0;
      if (mu > 0) {
        const b2 = add(mul(stateInputs[k][0], mu), grad);
        newParams.push(sub(decayed, mul(b2, lr)));
        newStates.push([b2]);
      } else {
        newParams.push(sub(decayed, mul(grad, lr)));
        newStates.push([]);
      }
    }
  });
  return { newParams, newStates, stateInputs, gradNorm };
}
