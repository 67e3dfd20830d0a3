/**
 * The tensor-graph IR: named values with dtype and (possibly symbolic) static shape, ONNX nodes,
 * graph inputs/outputs and initializers. Op builders (ops/) append nodes; autodiff (autodiff.ts)
 * appends the backward nodes to the same graph; onnx-writer.ts serialises it.
 *
 * Not a general compiler: no control flow, one graph per ORT session, shapes known at build time
 * except for named symbolic dims (e.g. 'B', 'T') that a graph accepts at several sizes.
 */

export type DType = 'float32' | 'float64' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8';
/** A dimension: a fixed size, or a symbolic name bound at run time. */
export type Dim = number | string;
export type Shape = Dim[];

export type TypedArray = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

/** A tensor held on the host (parameters, constants, feeds). */
export interface HostTensor {
  dtype: DType;
  dims: number[];
  data: TypedArray;
}

export type AttrValue = number | string | number[] | string[] | HostTensor | { float: number };

export interface Value {
  readonly graph: Graph;
  readonly id: number;
  name: string;
  readonly dtype: DType;
  readonly shape: Shape;
  /** The node computing it; undefined for graph inputs and initializers. */
  producer?: Node;
}

export interface Node {
  readonly id: number;
  op: string;
  domain: string;
  inputs: (Value | null)[];
  outputs: Value[];
  attrs: Record<string, AttrValue>;
  /** Set when the node belongs to a composite op whose gradient is given as a whole. */
  composite?: Composite;
}

/** Gradient rule: given the node's inputs and gradients of its outputs, gradients of its inputs. */
export type GradientRule = (node: Node | Composite, gradOutputs: (Value | null)[]) => (Value | null)[];

/** A group of nodes differentiated as one unit (fused backward), like torch.autograd.Function. */
export interface Composite {
  readonly id: number;
  name: string;
  inputs: (Value | null)[];
  outputs: Value[];
  /** Values the backward rule needs besides inputs/outputs (e.g. saved statistics). */
  saved: Record<string, Value>;
  attrs: Record<string, AttrValue>;
  gradient: GradientRule;
}

export const ELEMENT_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int64: 8,
  int32: 4,
  bool: 1,
  uint8: 1,
};

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers = new Map<Value, HostTensor>();
  readonly composites: Composite[] = [];
  private readonly names = new Set<string>();
  private nextValueId = 0;
  private nextNodeId = 0;
  private openComposite: Composite | null = null;
  private readonly scalarCache = new Map<string, Value>();

  constructor(readonly name = 'graph') {}

  /** A fresh unique name: `base` if free, else `base_1`, `base_2`, … (stable across identical builds). */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  private newValue(dtype: DType, shape: Shape, name: string): Value {
    return { graph: this, id: this.nextValueId++, name: this.uniqueName(name), dtype, shape: [...shape] };
  }

  input(name: string, dtype: DType, shape: Shape): Value {
    const v = this.newValue(dtype, shape, name);
    this.inputs.push(v);
    return v;
  }

  initializer(name: string, t: HostTensor): Value {
    const v = this.newValue(t.dtype, t.dims, name);
    this.initializers.set(v, t);
    return v;
  }

  /** A constant tensor (stored as an initializer). */
  constant(data: TypedArray, dtype: DType, dims: number[], name = 'const'): Value {
    return this.initializer(name, { dtype, dims, data });
  }

  /** A cached scalar constant of rank 0 (or the given rank of ones, for broadcasting). */
  scalar(x: number, dtype: DType = 'float32'): Value {
    const key = `${dtype}:${x}`;
    let v = this.scalarCache.get(key);
    if (!v) {
      v = this.constant(typedArrayOf(dtype, [x]), dtype, [], `c_${dtype}_${String(x).replace(/[^0-9a-z]/gi, '_')}`);
      this.scalarCache.set(key, v);
    }
    return v;
  }

  /** An int64 1-D constant (axes, shapes, indices). */
  ints(values: number[], name = 'ints'): Value {
    return this.constant(BigInt64Array.from(values.map(BigInt)), 'int64', [values.length], name);
  }

  /** Appends a node; `outputs` gives each output's dtype and shape. */
  node(
    op: string,
    inputs: (Value | null)[],
    outputs: { dtype: DType; shape: Shape; name?: string }[],
    attrs: Record<string, AttrValue> = {},
    domain = '',
  ): Value[] {
    for (const i of inputs) if (i && i.graph !== this) throw new Error(`${op}: input ${i.name} is from another graph`);
    const node: Node = { id: this.nextNodeId++, op, domain, inputs, outputs: [], attrs };
    node.outputs = outputs.map((o) => {
      const v = this.newValue(o.dtype, o.shape, o.name ?? op.toLowerCase());
      v.producer = node;
      return v;
    });
    if (this.openComposite) node.composite = this.openComposite;
    this.nodes.push(node);
    return node.outputs;
  }

  /**
   * Builds a composite op: the nodes `build` appends are differentiated as one unit by `gradient`
   * instead of node by node (for fused backward formulas).
   */
  composite(
    name: string,
    inputs: (Value | null)[],
    build: () => { outputs: Value[]; saved?: Record<string, Value> },
    gradient: GradientRule,
    attrs: Record<string, AttrValue> = {},
  ): Value[] {
    if (this.openComposite) return build().outputs; // nested: the outer unit's rule covers it
    const c: Composite = { id: this.composites.length, name, inputs, outputs: [], saved: {}, attrs, gradient };
    this.openComposite = c;
    try {
      const r = build();
      c.outputs = r.outputs;
      c.saved = r.saved ?? {};
    } finally {
      this.openComposite = null;
    }
    this.composites.push(c);
    return c.outputs;
  }

  /** Marks a value as a graph output under `name` (adds an Identity when the name differs). */
  output(v: Value, name?: string): Value {
    let out = v;
    if (name !== undefined && name !== v.name) {
      if (!v.producer || this.outputs.includes(v) || this.names.has(name)) {
        out = this.node('Identity', [v], [{ dtype: v.dtype, shape: v.shape, name }])[0];
      } else {
        this.names.delete(v.name);
        v.name = this.uniqueName(name);
      }
    }
    this.outputs.push(out);
    return out;
  }
}

export function typedArrayOf(dtype: DType, values: number[] | ArrayLike<number>): TypedArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(Array.from(values, (x) => BigInt(Math.trunc(x))));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values);
    case 'float16':
      throw new Error('float16 constants are built with the fp16 helpers');
  }
}
