/**
 * Causal-LM pre-training batches: the tokenized corpus is one stream (each line ends with EOS),
 * cut into windows of T tokens; each optimizer step takes B windows from a seeded per-epoch
 * permutation, so batches are a pure function of the step (exact resume).
 */
import type { HostTensor } from '../graph/graph.ts';
import { EpochOrder } from '../random.ts';

export class LmBatches {
  readonly windows: number;
  readonly stepsPerEpoch: number;
  private readonly order: EpochOrder;

  constructor(
    private readonly stream: Int32Array,
    private readonly seqLen: number,
    readonly batchSize: number,
    readonly seed: number,
  ) {
    this.windows = Math.floor(stream.length / seqLen);
    if (this.windows < 1) throw new Error(`corpus of ${stream.length} tokens is shorter than one window of ${seqLen}`);
    this.order = new EpochOrder(this.windows, batchSize, seed, 'lm-epoch-', true);
    this.stepsPerEpoch = this.order.stepsPerEpoch;
  }

  /** Token stream from tokenized lines, each followed by `eos`. */
  static streamOf(lines: number[][], eos: number): Int32Array {
    const total = lines.reduce((n, l) => n + l.length + 1, 0);
    const out = new Int32Array(total);
    let p = 0;
    for (const l of lines) {
      out.set(l, p);
      p += l.length;
      out[p++] = eos;
    }
    return out;
  }

  batch(step: number): Record<string, HostTensor> {
    const rows = this.order.rows(step);
    const t = this.seqLen;
    const ids = new BigInt64Array(rows.length * t);
    rows.forEach((w, r) => {
      for (let j = 0; j < t; j++) ids[r * t + j] = BigInt(this.stream[w * t + j]);
    });
    const tensor: HostTensor = { dtype: 'int64', dims: [rows.length, t], data: ids };
    return { input_ids: tensor, labels: tensor };
  }
}
