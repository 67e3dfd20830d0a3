/**
 * Alignment training batches: encoded examples drawn by a seeded per-epoch permutation (a pure
 * function of the step, for exact resume), right-padded to the longest in the batch (causal
 * attention makes right padding harmless; padded labels are ignored), and turned into
 * `inputs_embeds` by the injection kernel with the projectors' current weights. The kernel's saved
 * activations are kept until the step's gradients come back, for the projectors' backward. Each
 * example's answer tokens share a loss weight of 1/B (`loss_weights`), so every example counts the same.
 *
 * With `lengthParts` p > 1 each batch runs as p micro-batches of its examples sorted by length, each
 * padded to its own longest: the same examples and, summed, the same gradient as one padded batch,
 * for less padding (batches mix short yes/no prompts with long rankings: padded tokens are ~1.6–1.9×
 * the real ones on the demo, ~1.3 with two parts). The TrainStep then accumulates over
 * accumulation·p micro-batches, scaling each by 1/(accumulation·p); each part's loss weights are
 * multiplied by p to make up for it.
 */
import type { HostTensor } from '../graph/graph.ts';
import type { Feeds } from '../graph/train-step.ts';
import type { InjectionSaved } from '../kernels/embedding-injection.ts';
import { type InjectionKernels, loadInjectionKernels } from '../kernels/injection-kernels.ts';
import { projectorFromTensors, projectorTensors, SLOT_KINDS, type SlotKind } from '../kernels/projector.ts';
import { EpochOrder } from '../random.ts';
import { EMBED_TABLE, EMBED_WEIGHT, LOSS_WEIGHTS } from './align-model.ts';
import { type EncodedExample, IGNORE_INDEX } from './encode.ts';
import type { AlignExample } from './example.ts';

export interface AlignBatchesOptions {
  examples: { example: AlignExample; encoded: EncodedExample }[];
  batchSize: number;
  seed: number;
  /** Token embedding table [V, hidden]: fixed, or the current one when the run trains it. */
  table: Float32Array | (() => Float32Array);
  /**
   * The run trains the embedding table (external parameter EMBED_WEIGHT): 'tied' when the head reads
   * it too (fed as EMBED_TABLE, its head gradient returned by the graph), 'input' when only the inputs do.
   */
  trainEmbeddings?: 'tied' | 'input';
  hidden: number;
  padId: number;
  /** Exports' user vectors [anchors, dRec] (slot ref = anchor row); null for list-only recommenders. */
  userVectors: Float32Array | null;
  /** Recommender item table [items + 1, dRec] (slot ref = item id). */
  itemTable: Float32Array | null;
  dRec: number;
  /** Current parameters (projector tensors among them). */
  params: () => Map<string, HostTensor>;
  kernels?: InjectionKernels;
  /** Micro-batches per batch, by length (see above); default 1. Capped by the batch's size. */
  lengthParts?: number;
}

export class AlignBatches {
  readonly stepsPerEpoch: number;
  /** Micro-batches each batch runs as: the TrainStep's accumulation is accumulation × this. */
  readonly partsPerBatch: number;
  private readonly kernels: InjectionKernels;
  private readonly order: EpochOrder;
  /** Kernel activations of the micro-batches of the current step, by micro index. */
  private saved: InjectionSaved[] = [];

  constructor(private readonly o: AlignBatchesOptions) {
    if (o.examples.length === 0) throw new Error('no training examples');
    this.order = new EpochOrder(o.examples.length, o.batchSize, o.seed, 'align-epoch-', true);
    this.stepsPerEpoch = this.order.stepsPerEpoch;
    const rowsPerBatch = Math.min(o.batchSize, o.examples.length); // EpochOrder drops partial batches
    this.partsPerBatch = Math.max(1, Math.min(o.lengthParts ?? 1, rowsPerBatch));
    this.kernels = o.kernels ?? loadInjectionKernels();
  }

  private rows(step: number): Uint32Array {
    return this.order.rows(step);
  }

  /** Task id → number of examples in the batch of `step`. */
  tasksOf(step: number): Record<number, number> {
    const out: Record<number, number> = {};
    for (const r of this.rows(step)) {
      const t = this.o.examples[r].example.task;
      out[t] = (out[t] ?? 0) + 1;
    }
    return out;
  }

  /** Real (unpadded) tokens of optimizer step `step`'s n micro-batches, for the tokens/s figure. */
  tokensOf(step: number, n = 1): number {
    let tokens = 0;
    for (let k = 0; k < n; k++)
      for (const r of this.rows(step * n + k)) tokens += this.o.examples[r].encoded.ids.length;
    return tokens;
  }

  private vector(kind: SlotKind, ref: number): Float32Array {
    const d = this.o.dRec;
    const src = kind === 'user' ? this.o.userVectors : this.o.itemTable;
    if (!src) throw new Error(`the recommender has no ${kind} vectors: use method B`);
    return src.subarray(ref * d, (ref + 1) * d);
  }

  /**
   * The micro-batches of optimizer step `step` (batch number step·n + k, for k < n), each as
   * partsPerBatch length-sorted parts: n · partsPerBatch feeds.
   */
  microBatches(step: number, n = 1): Feeds[] {
    this.saved = [];
    const p = this.partsPerBatch;
    return Array.from({ length: n }, (_, k) => {
      const items = Array.from(this.rows(step * n + k), (r) => this.o.examples[r].encoded);
      // Stable sort: equal lengths keep the batch's drawn order.
      const sorted = items.map((e, i) => ({ e, i })).sort((a, b) => a.e.ids.length - b.e.ids.length || a.i - b.i);
      return Array.from({ length: p }, (_, part) => {
        const from = Math.floor((part * items.length) / p);
        const to = Math.floor(((part + 1) * items.length) / p);
        const group = sorted.slice(from, to).map((s) => s.e);
        const { feeds, saved } = this.assemble(group, { batchSize: items.length, weightScale: p });
        this.saved.push(saved);
        return feeds;
      });
    }).flat();
  }

  /**
   * Pads encoded examples into one batch and injects the projected vectors (current weights). Answer
   * tokens weigh weightScale / (batchSize · the example's answer tokens); by default batchSize is
   * items.length and weightScale 1, so the weights of a whole batch sum to 1.
   */
  assemble(
    items: EncodedExample[],
    opts: { batchSize?: number; weightScale?: number } = {},
  ): { feeds: Feeds; saved: InjectionSaved } {
    const B = items.length;
    const norm = (opts.weightScale ?? 1) / (opts.batchSize ?? B);
    const T = Math.max(...items.map((e) => e.ids.length));
    const tokens = new Int32Array(B * T).fill(this.o.padId);
    const labels = new BigInt64Array(B * T).fill(-100n);
    const weights = new Float32Array(B * T);
    const slots: { b: number; t: number; kind: SlotKind; vector: Float32Array }[] = [];
    items.forEach((e, b) => {
      // Every example weighs 1/B whatever its answer length (a one-token Yes/No as much as a list of
      // nine titles); labels[0] is never a target (nothing predicts it), so it is not counted.
      const answerTokens = e.labels.reduce((n, l, t) => n + (t > 0 && l !== IGNORE_INDEX ? 1 : 0), 0);
      for (let t = 0; t < e.ids.length; t++) {
        tokens[b * T + t] = e.ids[t];
        labels[b * T + t] = BigInt(e.labels[t]);
        if (t > 0 && e.labels[t] !== IGNORE_INDEX) weights[b * T + t] = norm / answerTokens;
      }
      for (const s of e.slots) slots.push({ b, t: s.position, kind: s.kind, vector: this.vector(s.kind, s.ref) });
    });
    const params = this.o.params();
    const projectors = Object.fromEntries(SLOT_KINDS.map((kind) => [kind, projectorFromTensors(kind, params)]));
    const table = this.table();
    const { embeds, saved } = this.kernels.forward({ tokens, B, T, C: this.o.hidden, table, slots, projectors });
    const feeds: Feeds = {
      inputs_embeds: { dtype: 'float32', dims: [B, T, this.o.hidden], data: embeds },
      labels: { dtype: 'int64', dims: [B, T], data: labels },
      [LOSS_WEIGHTS]: { dtype: 'float32', dims: [B, T], data: weights },
    };
    if (this.o.trainEmbeddings === 'tied') {
      feeds[EMBED_TABLE] = { dtype: 'float32', dims: [table.length / this.o.hidden, this.o.hidden], data: table };
    }
    return { feeds, saved };
  }

  private table(): Float32Array {
    return typeof this.o.table === 'function' ? this.o.table() : this.o.table;
  }

  /**
   * d loss / d table when the run trains it: every row used as an input gets the sum of its positions'
   * d inputs_embeds (the kernel's trained rows), and a tied head adds the graph's d EMBED_TABLE.
   */
  private tableGradient(rows: Map<number, Float32Array>, outputs: Feeds): Float32Array {
    const C = this.o.hidden;
    const head = outputs[`grad.${EMBED_TABLE}`]?.data as Float32Array | undefined;
    if (this.o.trainEmbeddings === 'tied' && !head) throw new Error(`the graph returned no grad.${EMBED_TABLE}`);
    const grad = head ? Float32Array.from(head) : new Float32Array(this.table().length);
    for (const [r, g] of rows) for (let c = 0; c < C; c++) grad[r * C + c] += g[c];
    return grad;
  }

  /** Projector gradients from the graph's d loss / d inputs_embeds of the last batch. */
  externalGradients(micro: number, outputs: Feeds): Map<string, Float32Array> {
    const saved = this.saved[micro];
    if (!saved) throw new Error(`externalGradients for micro-batch ${micro} before it was assembled`);
    const d = outputs['grad.inputs_embeds'].data as Float32Array;
    const trainedRows = this.o.trainEmbeddings ? [...new Set(saved.tokens)] : [];
    const grads = this.kernels.backward(d, saved, { trainedRows });
    const params = this.o.params();
    const out = new Map<string, Float32Array>();
    if (this.o.trainEmbeddings) out.set(EMBED_WEIGHT, this.tableGradient(grads.rows, outputs));
    for (const kind of SLOT_KINDS) {
      const g = grads.projectors[kind];
      for (const [name, t] of projectorTensors(kind, projectorFromTensors(kind, params))) {
        // A kind without slots in this batch has no gradient; zeros (torch would skip the tensor instead).
        out.set(
          name,
          g
            ? (projectorTensors(kind, { ...projectorFromTensors(kind, params), ...g }).get(name)!.data as Float32Array)
            : new Float32Array(t.data.length),
        );
      }
    }
    return out;
  }
}
