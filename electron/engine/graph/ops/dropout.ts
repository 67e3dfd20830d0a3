/**
 * Seeded dropout for training graphs. ONNX Dropout/RandomUniform keep their generator inside the
 * session, so a resumed run would draw different masks; instead the mask is a counter-based hash of
 * (element index, per-step seed, site) computed in the graph. The host feeds a new float seed each
 * step (derived from the project seed and the step number), so training is exactly repeatable and
 * resumable. Quality is ample for dropout (a mask, not cryptography). Models declare the seed as a
 * float32 scalar graph input named `dropout_seed` (the Trainer feeds it when present).
 */
import type { Value } from '../graph.ts';
import { add, cast, div, greater, mul, sub } from './elementwise.ts';

function frac(x: Value): Value {
  const g = x.graph;
  return sub(x, g.node('Floor', [x], [{ dtype: x.dtype, shape: x.shape }])[0]);
}

function sin(x: Value): Value {
  return x.graph.node('Sin', [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

/** Uniform [0, 1) pseudo-random values shaped like x, from a scalar seed value and a site number. */
export function hashUniformLike(x: Value, seed: Value, site: number): Value {
  const g = x.graph;
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
  // Two rounds of the classic sin-hash; the low part is wrapped first to keep float32 sin accurate.
  const wrapped = mul(lo, 1 / 65536.123);
  const s = cast(seed, 'float32');
  const offset = add(add(mul(s, 78.233), site * 37.719), mul(frac(mul(hi, 0.6180339887)), 1000));
  const a = frac(mul(sin(add(mul(wrapped, 12.9898 * 1024), offset)), 43758.5453));
  const b = frac(mul(sin(add(mul(a, 93.9898), mul(frac(mul(lo, 0.1234567)), 47.233))), 43758.5453));
  return cast(b, x.dtype);
}

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1−p). */
export function dropout(x: Value, p: number, seed: Value | null, site: number): Value {
  if (!seed || p <= 0) return x;
  const keep = cast(greater(hashUniformLike(x, seed, site), p), x.dtype);
  return div(mul(x, keep), 1 - p);
}
