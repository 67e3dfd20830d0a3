/**
 * The recommender-vector projector of intention (I) and hybrid (H) alignment, one per kind (user,
 * item): Linear(d_rec → h/2) · GELU (erf) · Linear(h/2 → h), weights in torch layout so they load
 * from and save to `proj_{kind}.{fc1,fc2}.{weight,bias}` unchanged. Forward runs on a batch of S
 * vectors at once and keeps its activations; backward turns d out into weight gradients summed over
 * the batch (and d input when asked; recommender vectors are frozen, so usually not).
 *
 * Shapes: D = d_rec, M = h/2 (the torch reference's `h // 2`), C = h.
 *   fc1.weight [M, D]   fc1.bias [M]   fc2.weight [C, M]   fc2.bias [C]
 *   x [S, D] → pre = x·W1ᵀ + b1 [S, M] → act = gelu(pre) [S, M] → out = act·W2ᵀ + b2 [S, C]
 * Storage is float32 (as in training); every dot product and every gradient sum over the batch is
 * accumulated in a float64 scalar or scratch row and rounded once.
 */
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { Rng } from '../random.ts';
import { gelu, geluDerivative } from './gelu.ts';

export type SlotKind = 'user' | 'item';
export const SLOT_KINDS: readonly SlotKind[] = ['user', 'item'];

export interface Projector {
  /** D: recommender vector size. */
  dRec: number;
  /** M: hidden size of the MLP, h/2. */
  dMid: number;
  /** C: the language model's hidden size h. */
  dModel: number;
  fc1Weight: Float32Array;
  fc1Bias: Float32Array;
  fc2Weight: Float32Array;
  fc2Bias: Float32Array;
}

export type ProjectorGradients = Pick<Projector, 'fc1Weight' | 'fc1Bias' | 'fc2Weight' | 'fc2Bias'>;
type ProjectorTensorField = keyof ProjectorGradients;
const FIELDS: readonly ProjectorTensorField[] = ['fc1Weight', 'fc1Bias', 'fc2Weight', 'fc2Bias'];

/** `proj_user.fc1.weight` etc., the names the torch reference code and our checkpoints use. */
export function projectorTensorName(kind: SlotKind, field: ProjectorTensorField): string {
  return `proj_${kind}.${field.slice(0, 3)}.${field.slice(3).toLowerCase()}`;
}

function fieldDims(p: Pick<Projector, 'dRec' | 'dMid' | 'dModel'>, field: ProjectorTensorField): number[] {
  switch (field) {
    case 'fc1Weight':
      return [p.dMid, p.dRec];
    case 'fc1Bias':
      return [p.dMid];
    case 'fc2Weight':
      return [p.dModel, p.dMid];
    case 'fc2Bias':
      return [p.dModel];
  }
}

export interface ProjectorInit {
  kind: SlotKind;
  dRec: number;
  dModel: number;
  seed: number;
  /** Default ⌊dModel/2⌋, as the reference code's `hidden_size // 2`. */
  dMid?: number;
}

/**
 * torch.nn.Linear's default init: weight kaiming_uniform_(a=√5), i.e. U(±1/√fan_in), and bias
 * U(±1/√fan_in). Each tensor draws from its own stream `new Rng(seed).fork(name)`, so the user and
 * item projectors (and their layers) are independent and reproducible for a given seed.
 */
export function initProjector(init: ProjectorInit): Projector {
  const dMid = init.dMid ?? Math.floor(init.dModel / 2);
  for (const [what, n] of [
    ['dRec', init.dRec],
    ['dMid', dMid],
    ['dModel', init.dModel],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`projector ${init.kind}: ${what} must be ≥ 1, got ${n}`);
  }
  const dims = { dRec: init.dRec, dMid, dModel: init.dModel };
  const p = { ...dims } as Projector;
  for (const field of FIELDS) {
    const shape = fieldDims(dims, field);
    const fanIn = field.startsWith('fc1') ? init.dRec : dMid;
    const bound = 1 / Math.sqrt(fanIn);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const rng = new Rng(init.seed).fork(projectorTensorName(init.kind, field));
    for (let k = 0; k < data.length; k++) data[k] = (2 * rng.next() - 1) * bound;
    p[field] = data;
  }
  return p;
}

/** The projector's four tensors by their torch names (the arrays are shared, not copied). */
export function projectorTensors(kind: SlotKind, p: Projector): Map<string, HostTensor> {
  return new Map(
    FIELDS.map((f) => [projectorTensorName(kind, f), { dtype: 'float32', dims: fieldDims(p, f), data: p[f] }]),
  );
}

/** A projector from `proj_{kind}.*` tensors (float32, torch layout); InputError naming what is wrong. */
export function projectorFromTensors(kind: SlotKind, tensors: ReadonlyMap<string, HostTensor>): Projector {
  const get = (f: ProjectorTensorField) => {
    const name = projectorTensorName(kind, f);
    const t = tensors.get(name);
    if (!t) throw new InputError(`projector weights: missing ${name}`);
    if (!(t.data instanceof Float32Array)) throw new InputError(`projector weights: ${name} must be float32`);
    return { name, t, data: t.data };
  };
  const w1 = get('fc1Weight');
  const w2 = get('fc2Weight');
  if (w1.t.dims.length !== 2 || w2.t.dims.length !== 2)
    throw new InputError(`projector weights: ${w1.name} and ${w2.name} must be matrices`);
  const p = { dMid: w1.t.dims[0], dRec: w1.t.dims[1], dModel: w2.t.dims[0] } as Projector;
  for (const f of FIELDS) {
    const { name, t, data } = get(f);
    const want = fieldDims(p, f);
    if (t.dims.join(',') !== want.join(',') || data.length !== want.reduce((a, b) => a * b, 1))
      throw new InputError(`projector weights: ${name} has shape [${t.dims}], expected [${want}]`);
    p[f] = data;
  }
  return p;
}

/** What forward keeps for backward (torch's saved tensors). */
export interface ProjectorActivations {
  S: number;
  /** [S, D] the input vectors (referenced, not copied). */
  x: Float32Array;
  /** [S, M] fc1 output before GELU. */
  pre: Float32Array;
  /** [S, M] gelu(pre). */
  act: Float32Array;
  /** [S, C] the projected vectors. */
  out: Float32Array;
}

/** out = fc2(gelu(fc1(x))) for S vectors x [S, D]. */
export function projectorForward(p: Projector, x: Float32Array, S: number): ProjectorActivations {
  const { dRec: D, dMid: M, dModel: C } = p;
  if (x.length !== S * D) throw new RangeError(`projector: input has ${x.length} values, expected S·D = ${S}·${D}`);
  const pre = new Float32Array(S * M);
  const act = new Float32Array(S * M);
  const out = new Float32Array(S * C);
  const W1 = p.fc1Weight;
  const W2 = p.fc2Weight;
  // Weight row outermost: each row is read once and stays in cache over the batch.
  for (let m = 0; m < M; m++) {
    const w = m * D;
    for (let s = 0; s < S; s++) {
      const xs = s * D;
      let acc = p.fc1Bias[m];
      for (let d = 0; d < D; d++) acc += W1[w + d] * x[xs + d];
      pre[s * M + m] = acc;
    }
  }
  for (let k = 0; k < S * M; k++) act[k] = gelu(pre[k]);
  for (let c = 0; c < C; c++) {
    const w = c * M;
    for (let s = 0; s < S; s++) {
      const as = s * M;
      let acc = p.fc2Bias[c];
      for (let m = 0; m < M; m++) acc += W2[w + m] * act[as + m];
      out[s * C + c] = acc;
    }
  }
  return { S, x, pre, act, out };
}

export interface ProjectorBackward {
  grads: ProjectorGradients;
  /** [S, D] d input, only when asked for. */
  dInput?: Float32Array;
}

/** Gradients of the four tensors (summed over the S rows) from dOut [S, C]. */
export function projectorBackward(
  p: Projector,
  saved: ProjectorActivations,
  dOut: Float32Array,
  opts: { inputGrad?: boolean } = {},
): ProjectorBackward {
  const { dRec: D, dMid: M, dModel: C } = p;
  const { S, x, pre, act } = saved;
  if (dOut.length !== S * C) throw new RangeError(`projector: dOut has ${dOut.length} values, expected ${S}·${C}`);
  const W1 = p.fc1Weight;
  const W2 = p.fc2Weight;
  const fc2Weight = new Float32Array(C * M);
  const fc2Bias = new Float32Array(C);
  const dAct = new Float64Array(S * M);
  const rowM = new Float64Array(M);
  // fc2: dW2[c,:] = Σ_s dOut[s,c]·act[s,:], db2[c] = Σ_s dOut[s,c], dAct[s,:] += dOut[s,c]·W2[c,:].
  for (let c = 0; c < C; c++) {
    const w = c * M;
    rowM.fill(0);
    let db = 0;
    for (let s = 0; s < S; s++) {
      const g = dOut[s * C + c];
      db += g;
      const as = s * M;
      for (let m = 0; m < M; m++) {
        rowM[m] += g * act[as + m];
        dAct[as + m] += g * W2[w + m];
      }
    }
    fc2Bias[c] = db;
    fc2Weight.set(rowM, w);
  }
  // GELU: dPre = dAct · gelu'(pre), in place.
  for (let k = 0; k < S * M; k++) dAct[k] *= geluDerivative(pre[k]);
  const dPre = dAct;
  // fc1: dW1[m,:] = Σ_s dPre[s,m]·x[s,:], db1[m] = Σ_s dPre[s,m], dx[s,:] += dPre[s,m]·W1[m,:].
  const fc1Weight = new Float32Array(M * D);
  const fc1Bias = new Float32Array(M);
  const dx = opts.inputGrad ? new Float64Array(S * D) : null;
  const rowD = new Float64Array(D);
  for (let m = 0; m < M; m++) {
    const w = m * D;
    rowD.fill(0);
    let db = 0;
    for (let s = 0; s < S; s++) {
      const g = dPre[s * M + m];
      db += g;
      const xs = s * D;
      for (let d = 0; d < D; d++) rowD[d] += g * x[xs + d];
      if (dx) for (let d = 0; d < D; d++) dx[xs + d] += g * W1[w + d];
    }
    fc1Bias[m] = db;
    fc1Weight.set(rowD, w);
  }
  const grads = { fc1Weight, fc1Bias, fc2Weight, fc2Bias };
  return dx ? { grads, dInput: Float32Array.from(dx) } : { grads };
}
