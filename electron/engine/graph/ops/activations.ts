/**
 * Activations without an ONNX opset-17 op (GELU, SiLU), built from primitives as composites so the
 * backward pass is one closed-form expression instead of the chain through every primitive.
 */
import type { Composite, Value } from '../graph.ts';
import { add, erf, exp, mul, sigmoid, sub, tanh } from './elementwise.ts';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, exact (erf) form or the tanh approximation. */
export function gelu(x: Value, approximate: 'none' | 'tanh' = 'none'): Value {
  if (approximate === 'tanh') {
    return x.graph.composite(
      'GeluTanh',
      [x],
      () => {
        const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), SQRT_2_OVER_PI);
        const t = tanh(inner);
        return { outputs: [mul(mul(x, 0.5), add(t, 1))], saved: { t } };
      },
      (c, [dy]) => {
        // d/dx = 0.5(1+t) + 0.5x(1-t²)·√(2/π)(1+3·0.044715x²)
        const t = (c as Composite).saved.t;
        const dInner = mul(add(mul(mul(x, x), 3 * 0.044715), 1), SQRT_2_OVER_PI);
        const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), dInner));
        return [mul(dy!, d)];
      },
    )[0];
  }
  return x.graph.composite(
    'GeluErf',
    [x],
    () => {
      const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
      return { outputs: [mul(x, cdf)], saved: { cdf } };
    },
    (c, [dy]) => {
      // d/dx = Φ(x) + x·φ(x)
      const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
      return [mul(dy!, add((c as Composite).saved.cdf, mul(x, pdf)))];
    },
  )[0];
}

/** SiLU / swish: x·σ(x). */
export function silu(x: Value): Value {
  return x.graph.composite(
    'Silu',
    [x],
    () => {
      const s = sigmoid(x);
      return { outputs: [mul(x, s)], saved: { s } };
    },
    (c, [dy]) => {
      // d/dx = σ(x)·(1 + x·(1 − σ(x)))
      const s = (c as Composite).saved.s;
      return [mul(dy!, mul(s, add(mul(x, sub(1, s)), 1)))];
    },
  )[0];
}
