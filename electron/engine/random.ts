/**
 * Seeded pseudo-random numbers (sfc32 seeded through splitmix32). Every random choice in the engine
 * takes one of these, built from the project seed, so the same seed gives byte-identical output.
 */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    this.d = sm();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A derived generator for an independent stream (e.g. one per pipeline stage). */
  fork(label: string): Rng {
    let h = 2166136261;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    return new Rng((this.nextUint32() ^ h) >>> 0);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Index drawn with probability proportional to weights[i] (weights ≥ 0, not all zero). */
  weighted(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i];
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(arr: T): T {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i];
      arr[i] = arr[j];
      arr[j] = tmp;
    }
    return arr;
  }
}

/**
 * Rows of a data set visited in a seeded permutation per epoch and cut into batches, so the rows of
 * optimizer step s are a pure function of s (what exact resume needs). `label` names the stream.
 */
export class EpochOrder {
  readonly stepsPerEpoch: number;
  private order: Uint32Array | null = null;
  private orderEpoch = -1;

  constructor(
    private readonly n: number,
    private readonly batchSize: number,
    private readonly seed: number,
    private readonly label: string,
    /** Drop the last partial batch of each epoch (all batches then have the same size). */
    dropLast = false,
  ) {
    this.stepsPerEpoch = dropLast ? Math.max(1, Math.floor(n / batchSize)) : Math.ceil(n / batchSize);
  }

  rows(step: number): Uint32Array {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.orderEpoch) {
      this.order = new Rng(this.seed)
        .fork(`${this.label}${epoch}`)
        .shuffle(Uint32Array.from({ length: this.n }, (_, k) => k));
      this.orderEpoch = epoch;
    }
    const k = step % this.stepsPerEpoch;
    return this.order!.subarray(k * this.batchSize, (k + 1) * this.batchSize);
  }
}
