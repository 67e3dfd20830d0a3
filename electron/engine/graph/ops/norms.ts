/**
 * LayerNorm and RMSNorm over the last axis, with fused backward rules (one closed-form expression
 * from saved statistics instead of differentiating mean/variance/sqrt/div node by node).
 */
import { defineGradient, reduceToShape } from '../gradients.ts';
import type { Composite, Node, Value } from '../graph.ts';
import { add, mul, reciprocal, sqrt, sub } from './elementwise.ts';
import { reduceMean } from './reduce.ts';

/** LayerNorm(x)·weight + bias over the last axis, via ONNX LayerNormalization (opset 17). */
export function layerNorm(x: Value, weight: Value, bias: Value | null, eps = 1e-5): Value {
  const stat = [...x.shape.slice(0, -1), 1];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return x.graph.node(
    'LayerNormalization',
    inputs,
    [
      { dtype: x.dtype, shape: x.shape },
      { dtype: x.dtype, shape: stat, name: 'ln_mean' },
      { dtype: x.dtype, shape: stat, name: 'ln_invstd' },
    ],
    { axis: -1, epsilon: eps },
  )[0];
}

/** dx = inv·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·w (centered=false drops the mean term). */
function normInputGrad(dxhat: Value, xhat: Value, inv: Value, centered: boolean): Value {
  let inner = sub(dxhat, mul(xhat, reduceMean(mul(dxhat, xhat), [-1], true)));
  if (centered) inner = sub(inner, reduceMean(dxhat, [-1], true));
  return mul(inv, inner);
}

defineGradient('LayerNormalization', (n, [dy]) => {
  const node = n as Node;
  const [x, w, b] = node.inputs as Value[];
  const [, mean, inv] = node.outputs;
  const xhat = mul(sub(x, mean), inv);
  const dx = normInputGrad(mul(dy!, w), xhat, inv, true);
  const dw = reduceToShape(mul(dy!, xhat), w.shape, w);
  const db = b ? reduceToShape(dy!, b.shape, b) : null;
  return b ? [dx, dw, db] : [dx, dw];
});

/** RMSNorm (Llama): x / sqrt(mean(x²) + eps) · weight over the last axis. */
export function rmsNorm(x: Value, weight: Value, eps = 1e-6): Value {
  return x.graph.composite(
    'RMSNorm',
    [x, weight],
    () => {
      const inv = reciprocal(sqrt(add(reduceMean(mul(x, x), [-1], true), eps)));
      const xhat = mul(x, inv);
      return { outputs: [mul(xhat, weight)], saved: { inv, xhat } };
    },
    (c, [dy]) => {
      const { inv, xhat } = (c as Composite).saved;
      const dx = normInputGrad(mul(dy!, weight), xhat, inv, false);
      return [dx, reduceToShape(mul(dy!, xhat), weight.shape, weight)];
    },
  )[0];
}
