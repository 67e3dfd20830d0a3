/**
 * Reverse-mode autodiff over the IR. `grad(loss, wrt)` appends backward nodes to the loss's graph
 * and returns d loss / d w for each w (null when the loss does not depend on it).
 *
 * Units of differentiation are single nodes, or whole composites (a fused backward rule replaces
 * the chain through the composite's inner nodes). Only units on a path from some `wrt` to the loss
 * get gradients; gradient contributions to one value are summed with Add.
 */
import { gradientRule } from './gradients.ts';
import type { Composite, Node, Value } from './graph.ts';
import './ops/index.ts';

type Unit = { kind: 'node'; node: Node } | { kind: 'composite'; c: Composite };

const isFloat = (v: Value) => v.dtype === 'float32' || v.dtype === 'float64' || v.dtype === 'float16';

function unitInputs(u: Unit): (Value | null)[] {
  return u.kind === 'node' ? u.node.inputs : u.c.inputs;
}

function unitOutputs(u: Unit): Value[] {
  return u.kind === 'node' ? u.node.outputs : u.c.outputs;
}

/** Units in forward order; a composite stands at the position of its first node. */
function units(nodes: Node[]): Unit[] {
  const out: Unit[] = [];
  const seen = new Set<Composite>();
  for (const node of nodes) {
    if (node.composite) {
      if (!seen.has(node.composite)) {
        seen.add(node.composite);
        out.push({ kind: 'composite', c: node.composite });
      }
    } else out.push({ kind: 'node', node });
  }
  return out;
}

export function grad(loss: Value, wrt: Value[]): (Value | null)[] {
  const g = loss.graph;
  if (loss.shape.length !== 0) throw new Error(`grad: loss must be a scalar, got shape [${loss.shape}]`);
  const forward = units([...g.nodes]);
  // Values that depend on some wrt (float only: integer/bool values carry no gradient).
  const live = new Set<Value>(wrt);
  for (const u of forward) {
    if (unitInputs(u).some((i) => i && live.has(i))) for (const o of unitOutputs(u)) if (isFloat(o)) live.add(o);
  }
  if (!live.has(loss)) return wrt.map(() => null);
  // Values the loss depends on, restricted to live ones: the units to differentiate.
  const needed = new Set<Value>([loss]);
  const path: Unit[] = [];
  for (let k = forward.length - 1; k >= 0; k--) {
    const u = forward[k];
    if (!unitOutputs(u).some((o) => needed.has(o))) continue;
    path.push(u);
    for (const i of unitInputs(u)) if (i && live.has(i)) needed.add(i);
  }
  const grads = new Map<Value, Value>();
  const accumulate = (v: Value, d: Value) => {
    const prev = grads.get(v);
    grads.set(v, prev ? g.node('Add', [prev, d], [{ dtype: d.dtype, shape: v.shape }])[0] : d);
  };
  grads.set(loss, g.scalar(1, loss.dtype));
  for (const u of path) {
    const outs = unitOutputs(u);
    const dOuts = outs.map((o) => grads.get(o) ?? null);
    if (dOuts.every((d) => d === null)) continue;
    const rule = u.kind === 'composite' ? u.c.gradient : gradientRule(u.node);
    const label = u.kind === 'composite' ? u.c.name : u.node.op;
    if (!rule) throw new Error(`no gradient rule for ${label}`);
    const dIns = rule(u.kind === 'composite' ? u.c : u.node, dOuts);
    unitInputs(u).forEach((input, k) => {
      const d = dIns[k];
      if (input && d && needed.has(input)) accumulate(input, d);
    });
  }
  return wrt.map((w) => grads.get(w) ?? null);
}
