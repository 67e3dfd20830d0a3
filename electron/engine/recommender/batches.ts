/**
 * Training batches for the target recommenders, each a pure function of the optimizer step (so
 * training resumes exactly): the epoch's user (or interaction) order is a seeded permutation of the
 * epoch number, negatives come from a generator seeded by the step.
 *
 * SASRec (as the original): per user, the training part t₁…t_m (validation and test held out);
 * input seq = t₁…t_{m−1} and targets t₂…t_m, both the last maxLen positions, left-padded with 0;
 * a negative per position is drawn from items the user never interacted with in training.
 * MF: one (user, positive, negative) triple per training interaction.
 */

import type { ProcessedDataset } from '../data/preprocess.ts';
import type { HostTensor } from '../graph/graph.ts';
import { EpochOrder, Rng } from '../random.ts';

export interface TrainingData {
  numUsers: number;
  numItems: number;
  /** Training part of user u (1-based): items[offsets[u-1] .. trainEnd[u-1]). */
  offsets: Uint32Array;
  trainEnd: Uint32Array;
  items: Uint32Array;
}

export function trainingData(ds: Pick<ProcessedDataset, 'numUsers' | 'numItems' | 'offsets' | 'items'>): TrainingData {
  const trainEnd = new Uint32Array(ds.numUsers);
  for (let u = 0; u < ds.numUsers; u++) trainEnd[u] = ds.offsets[u + 1] - 2;
  return { numUsers: ds.numUsers, numItems: ds.numItems, offsets: ds.offsets, trainEnd, items: ds.items };
}

/** Draws an item in 1…numItems that `excluded` does not contain (rejection sampling). */
function negative(rng: Rng, numItems: number, excluded: (i: number) => boolean): number {
  for (let tries = 0; tries < 1000; tries++) {
    const i = 1 + rng.int(numItems);
    if (!excluded(i)) return i;
  }
  return 1 + rng.int(numItems); // a user who has seen nearly everything: accept a collision
}

function int64(dims: number[], data: BigInt64Array): HostTensor {
  return { dtype: 'int64', dims, data };
}

export class SasrecBatches {
  readonly stepsPerEpoch: number;
  private readonly order: EpochOrder;

  constructor(
    private readonly data: TrainingData,
    private readonly maxLen: number,
    readonly batchSize: number,
    private readonly seed: number,
    /** 'bce' adds `pos`/`neg`; 'ce' adds `labels`. */
    private readonly loss: 'bce' | 'ce',
  ) {
    this.order = new EpochOrder(data.numUsers, batchSize, seed, 'epoch-');
    this.stepsPerEpoch = this.order.stepsPerEpoch;
  }

  batch(step: number): Record<string, HostTensor> {
    const users = this.order.rows(step);
    const b = users.length;
    const t = this.maxLen;
    const seq = new BigInt64Array(b * t);
    const target = new BigInt64Array(b * t);
    const neg = new BigInt64Array(b * t);
    const rng = new Rng(this.seed).fork(`negatives-${step}`);
    const { offsets, trainEnd, items, numItems } = this.data;
    for (let r = 0; r < b; r++) {
      const u = users[r];
      const start = offsets[u];
      const end = trainEnd[u];
      const seen = new Set<number>();
      for (let p = start; p < end; p++) seen.add(items[p]);
      // Walk back from the last training item: position (t−1) predicts items[end−1] from items[end−2].
      let pos = t - 1;
      for (let p = end - 1; p > start && pos >= 0; p--, pos--) {
        seq[r * t + pos] = BigInt(items[p - 1]);
        target[r * t + pos] = BigInt(items[p]);
        if (this.loss === 'bce') neg[r * t + pos] = BigInt(negative(rng, numItems, (i) => seen.has(i)));
      }
    }
    if (this.loss === 'ce') return { seq: int64([b, t], seq), labels: int64([b, t], target) };
    return { seq: int64([b, t], seq), pos: int64([b, t], target), neg: int64([b, t], neg) };
  }
}

export class MfBatches {
  readonly stepsPerEpoch: number;
  private readonly userOf: Uint32Array;
  private readonly itemOf: Uint32Array;
  private readonly order: EpochOrder;

  constructor(
    private readonly data: TrainingData,
    readonly batchSize: number,
    private readonly seed: number,
    private readonly negatives: number,
  ) {
    let n = 0;
    for (let u = 0; u < data.numUsers; u++) n += data.trainEnd[u] - data.offsets[u];
    this.userOf = new Uint32Array(n);
    this.itemOf = new Uint32Array(n);
    let k = 0;
    for (let u = 0; u < data.numUsers; u++) {
      for (let p = data.offsets[u]; p < data.trainEnd[u]; p++) {
        this.userOf[k] = u + 1;
        this.itemOf[k++] = data.items[p];
      }
    }
    this.order = new EpochOrder(n, batchSize, seed, 'epoch-');
    this.stepsPerEpoch = this.order.stepsPerEpoch;
  }

  batch(step: number): Record<string, HostTensor> {
    const rows = this.order.rows(step);
    const b = rows.length;
    const rng = new Rng(this.seed).fork(`negatives-${step}`);
    const user = new BigInt64Array(b);
    const pos = new BigInt64Array(b);
    const neg = new BigInt64Array(b * this.negatives);
    const { offsets, trainEnd, items, numItems } = this.data;
    rows.forEach((row, r) => {
      const u = this.userOf[row];
      user[r] = BigInt(u);
      pos[r] = BigInt(this.itemOf[row]);
      const seen = items.subarray(offsets[u - 1], trainEnd[u - 1]);
      for (let j = 0; j < this.negatives; j++)
        neg[r * this.negatives + j] = BigInt(negative(rng, numItems, (i) => seen.includes(i)));
    });
    return {
      user: int64([b], user),
      pos: int64([b], pos),
      neg: this.negatives === 1 ? int64([b], neg) : int64([b, this.negatives], neg),
    };
  }
}
