/**
 * Serialises a Graph to an ONNX ModelProto (opset 17, IR 8) with protobufjs and the official
 * onnx.proto (committed beside this file). Initializers above `externalThreshold` bytes go to an
 * external-data blob (needed beyond protobuf's 2 GB limit and to keep frozen weights out of memory
 * copies); the caller writes it beside the model under `externalDataName`.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { type AttrValue, type Graph, type HostTensor, numel, type Value } from './graph.ts';
import { onnxTypeCode } from './ops/elementwise.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

let modelType: protobuf.Type | null = null;
function modelProto(): protobuf.Type {
  if (!modelType) {
    const root = protobuf.loadSync(fileURLToPath(new URL('./onnx.proto', import.meta.url)));
    modelType = root.lookupType('onnx.ModelProto');
  }
  return modelType;
}

const FLOAT_ATTRS = new Set(['epsilon', 'alpha', 'beta', 'gamma', 'ratio', 'lambd', 'scale', 'bias']);
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 };

function tensorBytes(t: HostTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function tensorProto(name: string, t: HostTensor) {
  return { name, dims: t.dims, dataType: onnxTypeCode(t.dtype), rawData: tensorBytes(t) };
}

function attributeProto(name: string, v: AttrValue) {
  if (typeof v === 'number') {
    return FLOAT_ATTRS.has(name) || !Number.isInteger(v)
      ? { name, type: ATTR.FLOAT, f: v }
      : { name, type: ATTR.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return { name, type: ATTR.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    }
    return { name, type: ATTR.INTS, ints: v };
  }
  if ('float' in v) return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.TENSOR, t: tensorProto(name, v) };
}

function valueInfo(v: Value) {
  const dim = v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: onnxTypeCode(v.dtype), shape: { dim } } } };
}

export interface OnnxModel {
  model: Uint8Array;
  /** Bytes of the external-data file (empty when every initializer is inline). */
  external: Uint8Array[];
}

export interface WriteOptions {
  /** Initializers at least this large (bytes) go to external data; default: never. */
  externalThreshold?: number;
  externalDataName?: string;
}

export function writeOnnx(graph: Graph, opts: WriteOptions = {}): OnnxModel {
  const threshold = opts.externalThreshold ?? Number.POSITIVE_INFINITY;
  const location = opts.externalDataName ?? `${graph.name}.onnx.data`;
  const external: Uint8Array[] = [];
  let offset = 0;
  const initializer = [...graph.initializers].map(([v, t]) => {
    const bytes = t.data.byteLength;
    if (bytes < threshold) return tensorProto(v.name, t);
    const pad = (64 - (offset % 64)) % 64; // keep tensors aligned for mmap-friendly loading
    if (pad) external.push(new Uint8Array(pad));
    offset += pad;
    external.push(tensorBytes(t));
    const entry = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(bytes) },
    ];
    offset += bytes;
    return { name: v.name, dims: t.dims, dataType: onnxTypeCode(t.dtype), dataLocation: 1, externalData: entry };
  });
  const node = graph.nodes.map((n) => ({
    name: `n${n.id}_${n.op}`,
    opType: n.op,
    domain: n.domain,
    input: n.inputs.map((i) => (i ? i.name : '')),
    output: n.outputs.map((o) => o.name),
    attribute: Object.entries(n.attrs).map(([k, v]) => attributeProto(k, v)),
  }));
  const domains = new Set(graph.nodes.map((n) => n.domain).filter((d) => d !== ''));
  const model = {
    irVersion: IR_VERSION,
    producerName: 'recexplainer-workbench',
    opsetImport: [{ domain: '', version: OPSET }, ...[...domains].map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: graph.name,
      node,
      initializer,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
    },
  };
  const T = modelProto();
  return { model: T.encode(T.fromObject(model)).finish(), external };
}

/** Node counts by op, parameter count, and serialized size: what RECX_DEBUG=graph prints. */
export function graphSummary(graph: Graph, bytes?: number): string {
  const counts = new Map<string, number>();
  for (const n of graph.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  const ops = [...counts].sort((a, b) => b[1] - a[1]).map(([op, c]) => `${op}×${c}`);
  const inputElems = graph.inputs.reduce(
    (p, v) => p + (v.shape.every((d) => typeof d === 'number') ? numel(v.shape as number[]) : 0),
    0,
  );
  const initElems = [...graph.initializers.values()].reduce((p, t) => p + numel(t.dims), 0);
  return [
    `graph ${graph.name}: ${graph.nodes.length} nodes, ${graph.inputs.length} inputs (${inputElems} static elements), ${graph.outputs.length} outputs`,
    `  initializers: ${graph.initializers.size} (${initElems} elements)${bytes !== undefined ? `, serialized ${(bytes / 1024).toFixed(1)} KiB` : ''}`,
    `  ops: ${ops.join(' ')}`,
  ].join('\n');
}
