/**
 * Leave-one-out split: per user, the last interaction is the test item, the second-to-last the
 * validation item, and everything before is training. Views share memory with the dataset.
 */
import type { ProcessedDataset } from './preprocess.ts';

export interface LeaveOneOutSplit {
  /** Training prefix of user u (1-based): items[trainOffsets[u-1] .. trainEnd[u-1]). */
  trainSequence(u: number): Uint32Array;
  /** validation[u-1] / test[u-1]: the held-out item of user u. */
  validation: Uint32Array;
  test: Uint32Array;
  sizes: { train: number; validation: number; test: number };
}

export function leaveOneOutSplit(ds: Pick<ProcessedDataset, 'numUsers' | 'offsets' | 'items'>): LeaveOneOutSplit {
  const validation = new Uint32Array(ds.numUsers);
  const test = new Uint32Array(ds.numUsers);
  let train = 0;
  for (let u = 0; u < ds.numUsers; u++) {
    const start = ds.offsets[u];
    const end = ds.offsets[u + 1];
    if (end - start < 3) throw new Error(`user ${u + 1} has ${end - start} interactions; leave-one-out needs 3`);
    test[u] = ds.items[end - 1];
    validation[u] = ds.items[end - 2];
    train += end - start - 2;
  }
  return {
    trainSequence: (u) => ds.items.subarray(ds.offsets[u - 1], ds.offsets[u] - 2),
    validation,
    test,
    sizes: { train, validation: ds.numUsers, test: ds.numUsers },
  };
}
