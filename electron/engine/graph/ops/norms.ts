/**
 * LayerNorm and RMSNorm over the last axis, with fused backward rules (one closed-form expression
 * from saved statistics instead of differentiating mean/variance/sqrt/div node by node).
 */
import { defineGradient, reduceToShape } from '../gradients.ts';
import type { Composite, Node, Value } from '../graph.ts';
import { add, cast, mul, reciprocal, sqrt, sub } from './elementwise.ts';
import { reduceMean } from './reduce.ts';

/** LayerNorm(x)·weight + bias over the last axis, via ONNX LayerNormalization (opset 17). */
export function layerNorm(x: Value, weight: Value, bias: Value | null, eps = 1e-5): Value {
  const stat = [...x.shape.slice(0, -1), 1];
  const inputs = bias ? [x, weight, bias] : [x, weight];
  // Mean/InvStdDev have the stash type, float32 (ORT's CPU kernels stash no other), whatever x's type.
  return x.graph.node(
    'LayerNormalization',
    inputs,
    [
      { dtype: x.dtype, shape: x.shape },
      { dtype: 'float32', shape: stat, name: 'ln_mean' },
      { dtype: 'float32', shape: stat, name: 'ln_invstd' },
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
  let xhat: Value;
  let inv: Value;
  if (x.dtype === 'float64') {
    // The stashed float32 statistics would cap a float64 backward at ~1e-7: recompute them.
    const xc = sub(x, reduceMean(x, [-1], true));
    inv = reciprocal(sqrt(add(reduceMean(mul(xc, xc), [-1], true), node.attrs.epsilon as number)));
    xhat = mul(xc, inv);
  } else {
    inv = cast(node.outputs[2], x.dtype);
    xhat = mul(sub(x, cast(node.outputs[1], x.dtype)), inv);
  }
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
      if (x.dtype === 'float32') {
        // One ORT kernel (SimplifiedLayerNormalization, ONNX domain in ORT; RMSNormalization only
        // became standard in opset 23) instead of seven; it also returns 1/rms for the backward.
        const [y, inv] = x.graph.node(
          'SimplifiedLayerNormalization',
          [x, weight],
          [
            { dtype: x.dtype, shape: x.shape },
            { dtype: 'float32', shape: [...x.shape.slice(0, -1), 1], name: 'rms_inv' },
          ],
          { axis: -1, epsilon: eps },
        );
        return { outputs: [y], saved: { inv } };
      }
      const inv = reciprocal(sqrt(add(reduceMean(mul(x, x), [-1], true), eps)));
      return { outputs: [mul(mul(x, inv), weight)], saved: { inv } };
    },
    (c, [dy]) => {
      const { inv } = (c as Composite).saved;
      const xhat = mul(x, inv);
      const dx = normInputGrad(mul(dy!, weight), xhat, inv, false);
      return [dx, reduceToShape(mul(dy!, xhat), weight.shape, weight)];
    },
  )[0];
}
