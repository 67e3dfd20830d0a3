/**
 * Seeded dropout for training graphs. ONNX Dropout/RandomUniform keep their generator inside the
 * session, so a resumed run would draw different masks; instead the mask is a counter-based hash of
 * (element index, per-step seed, site) computed in the graph. The host feeds a new float seed each
 * step (derived from the project seed and the step number), so training is exactly repeatable and
 * resumable. Quality is ample for dropout (a mask, not cryptography). Models declare the seed as a
 * float32 scalar graph input named `dropout_seed` (the Trainer feeds it when present).
 */
import type { Value } from '../graph.ts';
import { add, cast, greater, mul, sub, where } from './elementwise.ts';

function frac(x: Value): Value {
  const g = x.graph;
  return sub(x, g.node('Floor', [x], [{ dtype: x.dtype, shape: x.shape }])[0]);
}

function sin(x: Value): Value {
  return x.graph.node('Sin', [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

interface HashBase {
  /** Seed-independent per-element phase of the first round. */
  phase: Value;
  /** Seed-independent per-element term of the second round. */
  mix: Value;
}

/**
 * The per-element part of the hash depends only on the tensor's shape, so dropout sites of the same
 * shape share it (profiling SASRec showed the per-site rebuild as half of a training step).
 * Symbolic dims are compared by name: the same name means the same size within a graph.
 */
const bases = new WeakMap<object, Map<string, HashBase>>();

function hashBase(x: Value): HashBase {
  const g = x.graph;
  let perGraph = bases.get(g);
  if (!perGraph) {
    perGraph = new Map();
    bases.set(g, perGraph);
  }
  const key = x.shape.join(',');
  const cached = perGraph.get(key);
  if (cached) return cached;
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  const size = g.node('Size', [x], [{ dtype: 'int64', shape: [] }])[0];
  const i64 = (v: number) => g.constant(BigInt64Array.of(BigInt(v)), 'int64', [], `i64_${v}`);
  const iota = g.node('Range', [i64(0), size, i64(1)], [{ dtype: 'int64', shape: ['n'] }])[0];
  const idx = g.node('Reshape', [iota, shape], [{ dtype: 'int64', shape: x.shape }])[0];
  // The element index in int64, split into parts float32 holds exactly: a float32 counter stops
  // counting at 2^24, which gave every later element the same mask value.
  const part = (op: 'Mod' | 'Div') =>
    cast(g.node(op, [idx, i64(65536)], [{ dtype: 'int64', shape: x.shape }])[0], 'float32');
  const [lo, hi] = [part('Mod'), part('Div')];
  // The low part is wrapped first to keep float32 sin accurate.
  const phase = add(mul(lo, (12.9898 * 1024) / 65536.123), mul(frac(mul(hi, 0.6180339887)), 1000));
  const base = { phase, mix: mul(frac(mul(lo, 0.1234567)), 47.233) };
  perGraph.set(key, base);
  return base;
}

/** Uniform [0, 1) pseudo-random values shaped like x, from a scalar seed value and a site number. */
export function hashUniformLike(x: Value, seed: Value, site: number): Value {
  const { phase, mix } = hashBase(x);
  const offset = add(mul(cast(seed, 'float32'), 78.233), site * 37.719); // scalar
  // Two rounds of the classic sin-hash.
  const a = frac(mul(sin(add(phase, offset)), 43758.5453));
  return frac(mul(sin(add(mul(a, 93.9898), mix)), 43758.5453)); // float32, shaped like x
}

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p). */
export function dropout(x: Value, p: number, seed: Value | null, site: number): Value {
  if (!seed || p <= 0) return x;
  const u = hashUniformLike(x, seed, site);
  // One mask pass with the scale folded in: where(u > p, 1/(1−p), 0).
  const scaled = where(greater(u, p), x.graph.scalar(1 / (1 - p), 'float32'), x.graph.scalar(0, 'float32'));
  return mul(x, cast(scaled, x.dtype));
}
