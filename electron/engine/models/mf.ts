/**
 * Matrix factorisation as an emitted training graph: a user table and an item table, score =
 * ⟨u, i⟩ (the user embedding is the user's row, the item embedding the item's row). Row 0 of each
 * table is padding: it starts at zero and valid batches never read it. Checked against a plain
 * PyTorch module by tests/unit/models/recommender-vs-torch.test.ts (gen_graph_fixtures.py).
 *
 * Losses (inputs int64 `user` [B], `pos` [B], `neg` [B] or [B, k]):
 * - BPR (Rendle et al. 2009): −log σ(⟨u, i⁺⟩ − ⟨u, i⁻⟩), mean over the batch;
 * - sampled softmax: cross-entropy of the positive against its k sampled negatives,
 *   logits [⟨u, i⁺⟩, ⟨u, i⁻₁⟩, …, ⟨u, i⁻ₖ⟩], mean over the batch.
 * Both add the common BPR-MF regulariser λ·(‖u‖² + ‖i⁺‖² + Σⱼ‖i⁻ⱼ‖²)/B on the rows the batch uses
 * (Rendle's per-sample L2 in SGD form, as LightGCN's and NGCF's MF baselines, whose code also has a
 * ½ that we fold into λ). Unlike AdamW's decoupled weight decay it only touches rows in the batch,
 * so popular items are regularised more: weight decay therefore defaults to 0 here.
 *
 * Not here: biases, implicit-ALS or any closed-form solver; negatives are sampled by the caller.
 * Shapes: B batch, k negatives, d dim, U = numUsers + 1, I = numItems + 1.
 */
import { InputError } from '../errors.ts';
import { Graph, type HostTensor, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import type { ModelBuilder, TrainableModel } from '../graph/train-step.ts';
import { declareParams, type FloatDType, initParams, type ParamSpec, paramGroups } from './layers.ts';

export interface MfConfig {
  numUsers: number;
  numItems: number;
  dim: number;
}

export interface MfGraphOptions {
  dtype?: FloatDType;
  /** λ of the L2 regulariser in the loss. Default 0. */
  l2?: number;
  /** AdamW decoupled weight decay of both tables. Default 0 (the L2 term is the regulariser). */
  weightDecay?: number;
}

/**
 * Initial values: normal with std 0.1 (MyMediaLite's BPRMF default, also Cornac's), small enough
 * that initial scores are near 0 so BPR starts at log 2, large enough to break symmetry.
 */
export const MF_INIT_STD = 0.1;

export function validateMfConfig(cfg: MfConfig): void {
  for (const k of ['numUsers', 'numItems', 'dim'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0)
      throw new InputError(`mf config: ${k} must be a positive integer, got ${cfg[k]}`);
  }
}

export function mfParamSpecs(cfg: MfConfig): ParamSpec[] {
  validateMfConfig(cfg);
  const table = (name: string, rows: number): ParamSpec => ({
    name,
    dims: [rows, cfg.dim],
    decay: true,
    init: { kind: 'normal', std: MF_INIT_STD, zeroRows: [0] },
  });
  return [table('user_emb.weight', cfg.numUsers + 1), table('item_emb.weight', cfg.numItems + 1)];
}

/** Deterministic initial weights (each table from its own seeded stream, row 0 zero). */
export function initMfParams(cfg: MfConfig, seed: number, dtype: FloatDType = 'float32'): Map<string, HostTensor> {
  return initParams(mfParamSpecs(cfg), seed, dtype);
}

/** Σ of squares over every axis but the batch axis 0: [B, …] → [B]. */
function rowSquares(x: Value): Value {
  return op.reduceSum(op.mul(x, x), x.shape.map((_, k) => k).slice(1));
}

/** λ·mean over the batch of the squared norms of the rows each example uses. */
function l2Term(l2: number, rows: Value[]): Value {
  const perExample = rows.map(rowSquares).reduce((a, b) => op.add(a, b)); // [B]
  return op.mul(op.reduceMean(perExample, [0]), l2);
}

type MfLoss = (g: Graph, u: Value, itemEmb: Value, pos: Value, l2: number) => Value;

function mfTrainingGraph(name: string, cfg: MfConfig, opts: MfGraphOptions, loss: MfLoss): TrainableModel {
  const g = new Graph(name);
  const specs = mfParamSpecs(cfg);
  const params = declareParams(g, specs, opts.dtype ?? 'float32');
  const user = g.input('user', 'int64', ['B']);
  const pos = g.input('pos', 'int64', ['B']);
  const u = op.gather(params['user_emb.weight'], user); // [B, d]
  return {
    graph: g,
    loss: loss(g, u, params['item_emb.weight'], pos, opts.l2 ?? 0),
    params: paramGroups(specs, params, opts.weightDecay ?? 0),
  };
}

/** BPR training graph: inputs `user`, `pos`, `neg` (int64 [B]) and both tables; MF has no dropout. */
export function buildMfBpr(cfg: MfConfig, opts: MfGraphOptions = {}): TrainableModel {
  return mfTrainingGraph('mf_bpr', cfg, opts, (g, u, itemEmb, pos, l2) => {
    const neg = g.input('neg', 'int64', ['B']);
    const [ip, ineg] = [op.gather(itemEmb, pos), op.gather(itemEmb, neg)]; // [B, d]
    const margin = op.reduceSum(op.mul(u, op.sub(ip, ineg)), [-1]); // [B]
    // −log σ(x) = BCE(x, 1), whose fused backward is σ(x) − 1.
    const bpr = op.bceWithLogits(margin, g.scalar(1, margin.dtype));
    return l2 > 0 ? op.add(bpr, l2Term(l2, [u, ip, ineg])) : bpr;
  });
}

/** A ModelBuilder for TrainStep.create. */
export function mfBprBuilder(cfg: MfConfig, opts: MfGraphOptions = {}): ModelBuilder {
  return () => buildMfBpr(cfg, opts);
}

/**
 * Sampled-softmax training graph: inputs `user`, `pos` (int64 [B]) and `neg` (int64 [B, k]; [B]
 * when k = 1, as batches of one negative come).
 */
export function buildMfSampledSoftmax(cfg: MfConfig, negatives: number, opts: MfGraphOptions = {}): TrainableModel {
  if (!Number.isInteger(negatives) || negatives <= 0)
    throw new InputError(`mf sampled softmax: negatives must be a positive integer, got ${negatives}`);
  return mfTrainingGraph('mf_sampled_softmax', cfg, opts, (g, u, itemEmb, pos, l2) => {
    const neg = g.input('neg', 'int64', negatives === 1 ? ['B'] : ['B', negatives]);
    const negs = negatives === 1 ? op.unsqueeze(neg, [1]) : neg; // [B, k]
    const cands = op.gather(itemEmb, op.concat([op.unsqueeze(pos, [1]), negs], 1)); // [B, 1+k, d]
    const logits = op.reduceSum(op.mul(op.unsqueeze(u, [1]), cands), [-1]); // [B, 1+k]
    const shape = g.node('Shape', [pos], [{ dtype: 'int64', shape: [1] }])[0];
    const zero = { dtype: 'int64' as const, dims: [1], data: BigInt64Array.of(0n) };
    const target = g.node('ConstantOfShape', [shape], [{ dtype: 'int64', shape: pos.shape }], { value: zero })[0]; // [B]: class 0 = the positive
    const ce = op.softmaxCrossEntropy(logits, target);
    return l2 > 0 ? op.add(ce, l2Term(l2, [u, cands])) : ce;
  });
}

/** A ModelBuilder for TrainStep.create. */
export function mfSampledSoftmaxBuilder(cfg: MfConfig, negatives: number, opts: MfGraphOptions = {}): ModelBuilder {
  return () => buildMfSampledSoftmax(cfg, negatives, opts);
}
