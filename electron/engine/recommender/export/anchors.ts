/**
 * Anchor positions of the export. An anchor (user, p) stands for the user's history items[0..p)
 * (oldest first), the state in which the recommender is asked for its labels. Per user with
 * sequence length L (leave-one-out: T = L − 2 training items, then validation, then test):
 *   training anchors  p = 1 … T − 1  (≥ 1 history item; the item at p is still a training item)
 *   test anchor       p = L − 1      (history = training + validation items)
 * `maxAnchorsPerUser` (default null = all) keeps the test anchor and a seeded uniform choice of
 * the training anchors, in position order. List-only recommenders get the test anchor alone: their
 * one list per user describes the whole known history, not earlier states.
 */
import type { ProcessedDataset } from '../../data/preprocess.ts';
import { leaveOneOutSplit } from '../../data/split.ts';
import type { Rng } from '../../random.ts';

export type AnchorDataset = Pick<ProcessedDataset, 'numUsers' | 'numItems' | 'offsets' | 'items'>;

export interface AnchorSet {
  /** 1-based user of each anchor; anchors are ordered by user, then position. */
  user: Int32Array;
  position: Int32Array;
  isTest: Uint8Array;
  trainAnchors: number;
  testAnchors: number;
  cappedUsers: number;
}

export interface AnchorOptions {
  /** null = every anchor; otherwise ≥ 1, the test anchor counting as one. */
  maxAnchorsPerUser: number | null;
  testOnly: boolean;
}

/** The user's history at an anchor (a view into the dataset, no copy). */
export function anchorHistory(ds: AnchorDataset, user: number, position: number): Uint32Array {
  const start = ds.offsets[user - 1];
  return ds.items.subarray(start, start + position);
}

export function enumerateAnchors(ds: AnchorDataset, opts: AnchorOptions, rng: Rng): AnchorSet {
  const cap = opts.maxAnchorsPerUser;
  if (cap !== null && (!Number.isInteger(cap) || cap < 1)) {
    throw new RangeError(`maxAnchorsPerUser must be a positive integer or null, got ${cap}`);
  }
  const split = leaveOneOutSplit(ds); // validates L ≥ 3 for every user
  const trainLength = (u: number) => split.trainSequence(u).length;
  const keptTrain = (u: number) => {
    if (opts.testOnly) return 0;
    const all = Math.max(0, trainLength(u) - 1);
    return cap === null ? all : Math.min(all, cap - 1);
  };
  let total = 0;
  for (let u = 1; u <= ds.numUsers; u++) total += keptTrain(u) + 1;

  const out: AnchorSet = {
    user: new Int32Array(total),
    position: new Int32Array(total),
    isTest: new Uint8Array(total),
    trainAnchors: total - ds.numUsers,
    testAnchors: ds.numUsers,
    cappedUsers: 0,
  };
  let scratch = new Int32Array(0);
  let at = 0;
  for (let u = 1; u <= ds.numUsers; u++) {
    const all = opts.testOnly ? 0 : Math.max(0, trainLength(u) - 1);
    const keep = keptTrain(u);
    out.user.fill(u, at, at + keep + 1);
    if (keep === all) {
      for (let p = 1; p <= keep; p++) out.position[at++] = p;
    } else {
      out.cappedUsers++;
      if (scratch.length < all) scratch = new Int32Array(all);
      const positions = scratch.subarray(0, all);
      for (let k = 0; k < all; k++) positions[k] = k + 1;
      for (let a = 0; a < keep; a++) {
        const b = a + rng.int(all - a);
        const t = positions[a];
        positions[a] = positions[b];
        positions[b] = t;
      }
      out.position.set(positions.subarray(0, keep).sort(), at);
      at += keep;
    }
    out.position[at] = ds.offsets[u] - ds.offsets[u - 1] - 1;
    out.isTest[at] = 1;
    at++;
  }
  return out;
}
