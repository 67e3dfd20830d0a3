/**
 * SASRec training losses over the encoder's features `feats` [B, T, C] and the item table
 * `itemEmb` [N+1, C] (row 0 = padding); targets are int64 [B, T] with 0 at padded positions.
 * - sampled BCE, the original paper's: one positive and one sampled negative per position;
 * - full-softmax cross-entropy, UniRec's (the RecExplainer paper's target): every position against
 *   all N real items.
 * Checked against PyTorch by tests/unit/graph/models-vs-torch.test.ts (BCE) and
 * tests/unit/models/recommender-vs-torch.test.ts (CE).
 */
import type { Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import { type FloatDType, linear } from './layers.ts';

/**
 * BCE(⟨f_t, e_pos_t⟩, 1) + BCE(⟨f_t, e_neg_t⟩, 0), each a mean over the positions where pos ≠ 0.
 * `pos`, `neg` int64 [B, T].
 */
export function sasrecBceLoss(feats: Value, itemEmb: Value, pos: Value, neg: Value): Value {
  const g = feats.graph;
  const dt = feats.dtype;
  const score = (items: Value) => op.reduceSum(op.mul(feats, op.gather(itemEmb, items)), [-1]); // [B, T]
  const weights = op.keepMask(pos, 0, dt as FloatDType); // [B, T]
  const posLoss = op.bceWithLogits(score(pos), g.scalar(1, dt), weights);
  const negLoss = op.bceWithLogits(score(neg), g.scalar(0, dt), weights);
  return op.add(posLoss, negLoss);
}

/**
 * Softmax cross-entropy of every position's logits ⟨f_t, e_i⟩ over the real items i = 1…N against
 * `labels` [B, T], mean over the positions with label ≠ 0. The padding row is not a class (it would
 * otherwise take probability mass and gradient): logits use rows 1…N, so item i is class i − 1 and
 * padding becomes −1, the ignore index.
 */
export function sasrecCeLoss(feats: Value, itemEmb: Value, labels: Value): Value {
  const n = (itemEmb.shape[0] as number) - 1;
  const items = op.slice(itemEmb, [1], [n + 1], [0]); // [N, C]
  const logits = op.reshape(linear(feats, items), [-1, n]); // [B·T, N]
  const classes = op.reshape(op.sub(labels, 1), [-1]); // [B·T], padding → −1
  return op.softmaxCrossEntropy(logits, classes, -1);
}
