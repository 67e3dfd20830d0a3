/**
 * Fused embedding injection, the pure-TS reference that defines its semantics (DESIGN.md §8; the
 * native addon must match it). For intention (I) and hybrid (H) alignment, the `<user>` / `<item>`
 * placeholder positions get their recommender vector projected and added to the token embedding:
 *
 *   forward   out[b, t] = E[tok[b, t]] + (slot at (b, t) ? P_kind(vec[slot]) : 0)      out [B, T, C]
 *   backward  d P_kind weights  = projector backward of dOut gathered at that kind's slots [S, C]
 *             d E[r] (r trained) = Σ over every position (b, t) with tok[b, t] = r of dOut[b, t]
 *
 * The second sum runs over all positions, inside slots or not: a new token's row is trained by every
 * occurrence. Rows not listed as trained get no gradient (the frozen base vocabulary). The projector
 * of a kind runs once over all slots of that kind ([S, D] → [S, C]), not per slot.
 *
 * Shapes: B batch, T sequence, C hidden (h), V vocabulary, D d_rec, S slots of one kind.
 */
import {
  type Projector,
  type ProjectorActivations,
  type ProjectorGradients,
  projectorBackward,
  projectorForward,
  SLOT_KINDS,
  type SlotKind,
} from './projector.ts';

/** The S slots of one kind, compact: flat positions b·T + t [S] and their vectors [S, D]. */
export interface SlotBatch {
  positions: Int32Array;
  vectors: Float32Array;
}
export type InjectionSlots = Partial<Record<SlotKind, SlotBatch>>;
export type InjectionProjectors = Partial<Record<SlotKind, Projector>>;

/** One slot, the convenient form; `packSlots` turns a list of them into the compact layout. */
export interface InjectionSlot {
  b: number;
  t: number;
  kind: SlotKind;
  vector: Float32Array;
}

export interface InjectionInput {
  /** [B·T] token ids. */
  tokens: Int32Array;
  B: number;
  T: number;
  /** Hidden size h (the table's row length). */
  C: number;
  /** [V, C] the token embedding table. */
  table: Float32Array;
  slots: InjectionSlots | readonly InjectionSlot[];
  /** One per kind that has slots in this batch. */
  projectors: InjectionProjectors;
}

/** What backward needs; the arrays are referenced, so don't change them in between. */
export interface InjectionSaved {
  B: number;
  T: number;
  C: number;
  V: number;
  tokens: Int32Array;
  kinds: Partial<Record<SlotKind, { positions: Int32Array; projector: Projector; acts: ProjectorActivations }>>;
}

export interface InjectionForward {
  /** [B, T, C] inputs_embeds. */
  embeds: Float32Array;
  saved: InjectionSaved;
}

export interface InjectionBackwardOptions {
  /** Embedding rows to train (e.g. the `<user>` and `<item>` token ids); each gets an entry. */
  trainedRows: readonly number[];
  /** Also return d vector [S, D] per kind (the vectors are frozen in training, so off by default). */
  vectorGrads?: boolean;
}

export interface InjectionGradients {
  /**
   * Per kind with at least one slot in the batch, summed over its slots. A kind without slots has
   * no entry: in torch its parameters' .grad stays None and AdamW skips them, so a trainer can too.
   */
  projectors: Partial<Record<SlotKind, ProjectorGradients>>;
  /** row → [C], one entry per trained row (zeros when the row does not occur in the batch). */
  rows: Map<number, Float32Array>;
  /** Per kind, [S, D] in slot order; only with `vectorGrads`. */
  vectors?: Partial<Record<SlotKind, Float32Array>>;
}

/** Slots as a compact layout per kind (list order kept within a kind). */
export function packSlots(list: readonly InjectionSlot[], T: number): InjectionSlots {
  const out: InjectionSlots = {};
  for (const kind of SLOT_KINDS) {
    const mine = list.filter((s) => s.kind === kind);
    if (mine.length === 0) continue;
    const D = mine[0].vector.length;
    const positions = new Int32Array(mine.length);
    const vectors = new Float32Array(mine.length * D);
    mine.forEach((s, i) => {
      if (s.vector.length !== D)
        throw new RangeError(`slot (${s.b}, ${s.t}): ${kind} vector has ${s.vector.length} values, others ${D}`);
      if (!Number.isInteger(s.t) || s.t < 0 || s.t >= T)
        throw new RangeError(`slot (${s.b}, ${s.t}): t outside the sequence [0, ${T})`);
      positions[i] = s.b * T + s.t;
      vectors.set(s.vector, i * D);
    });
    out[kind] = { positions, vectors };
  }
  return out;
}

function checkSize(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`injection: ${what} must be a positive integer, got ${n}`);
}

export function injectForward(input: InjectionInput): InjectionForward {
  const { tokens, B, T, C, table, projectors } = input;
  checkSize('B', B);
  checkSize('T', T);
  checkSize('C', C);
  const BT = B * T;
  if (tokens.length !== BT) throw new RangeError(`injection: ${tokens.length} tokens, expected B·T = ${BT}`);
  if (table.length === 0 || table.length % C !== 0)
    throw new RangeError(`injection: table of ${table.length} values is not [V, ${C}]`);
  const V = table.length / C;
  const slots = Array.isArray(input.slots) ? packSlots(input.slots, T) : (input.slots as InjectionSlots);

  // out[b, t] = E[tok[b, t]]
  const embeds = new Float32Array(BT * C);
  for (let p = 0; p < BT; p++) {
    const tok = tokens[p];
    if (!(tok >= 0 && tok < V)) throw new RangeError(`injection: token ${tok} at position ${p} outside [0, ${V})`);
    embeds.set(table.subarray(tok * C, tok * C + C), p * C);
  }

  // out[slot] += P_kind(vec[slot]), the projector batched over the kind's S slots.
  const taken = new Uint8Array(BT);
  const kinds: InjectionSaved['kinds'] = {};
  for (const kind of SLOT_KINDS) {
    const batch = slots[kind];
    if (!batch || batch.positions.length === 0) continue;
    const projector = projectors[kind];
    if (!projector) throw new RangeError(`injection: ${kind} slots but no ${kind} projector`);
    if (projector.dModel !== C)
      throw new RangeError(`injection: ${kind} projector outputs ${projector.dModel} values, the model needs ${C}`);
    const { positions, vectors } = batch;
    const S = positions.length;
    for (let s = 0; s < S; s++) {
      const p = positions[s];
      if (!(p >= 0 && p < BT)) throw new RangeError(`injection: ${kind} slot position ${p} outside [0, ${BT})`);
      if (taken[p]) throw new RangeError(`injection: two slots at position ${p} (b ${Math.floor(p / T)}, t ${p % T})`);
      taken[p] = 1;
    }
    if (vectors.length !== S * projector.dRec)
      throw new RangeError(
        `injection: ${S} ${kind} slots need ${S}·${projector.dRec} vector values, got ${vectors.length}`,
      );
    const acts = projectorForward(projector, vectors, S);
    const proj = acts.out;
    for (let s = 0; s < S; s++) {
      const o = positions[s] * C;
      const q = s * C;
      for (let c = 0; c < C; c++) embeds[o + c] += proj[q + c];
    }
    kinds[kind] = { positions, projector, acts };
  }
  return { embeds, saved: { B, T, C, V, tokens, kinds } };
}

export function injectBackward(
  dOut: Float32Array,
  saved: InjectionSaved,
  opts: InjectionBackwardOptions,
): InjectionGradients {
  const { B, T, C, V, tokens } = saved;
  const BT = B * T;
  if (dOut.length !== BT * C) throw new RangeError(`injection: dOut has ${dOut.length} values, expected B·T·C`);

  // d E[r] = Σ_{(b,t): tok = r} dOut[b, t], accumulated in float64 per trained row.
  const sums = new Map<number, Float64Array>();
  for (const r of opts.trainedRows) {
    if (!(Number.isInteger(r) && r >= 0 && r < V))
      throw new RangeError(`injection: trained row ${r} outside [0, ${V})`);
    if (!sums.has(r)) sums.set(r, new Float64Array(C));
  }
  if (sums.size > 0) {
    for (let p = 0; p < BT; p++) {
      const acc = sums.get(tokens[p]);
      if (!acc) continue;
      const o = p * C;
      for (let c = 0; c < C; c++) acc[c] += dOut[o + c];
    }
  }
  const rows = new Map<number, Float32Array>();
  for (const [r, acc] of sums) rows.set(r, Float32Array.from(acc));

  // d P_kind: dOut gathered at the kind's slots [S, C] through the projector.
  const projectors: InjectionGradients['projectors'] = {};
  const vectors: NonNullable<InjectionGradients['vectors']> = {};
  for (const kind of SLOT_KINDS) {
    const k = saved.kinds[kind];
    if (!k) continue;
    const S = k.positions.length;
    const dProj = new Float32Array(S * C);
    for (let s = 0; s < S; s++) dProj.set(dOut.subarray(k.positions[s] * C, k.positions[s] * C + C), s * C);
    const back = projectorBackward(k.projector, k.acts, dProj, { inputGrad: opts.vectorGrads });
    projectors[kind] = back.grads;
    if (back.dInput) vectors[kind] = back.dInput;
  }
  return opts.vectorGrads ? { projectors, rows, vectors } : { projectors, rows };
}
