/**
 * Computes the target recommender's alignment labels (DESIGN.md §6) for every anchor and stores
 * them in `<project>/recommender/exports/` (layout: summary.ts; label definitions: row-labels.ts;
 * anchors: anchors.ts). Scoring goes through `recommender.scoreAll` in batches; the output arrays
 * are sized once from the anchor count and filled batch by batch, so memory is the outputs plus
 * one [batch, numItems + 1] score block. Nothing on disk changes unless the whole export succeeds.
 * Same seed → byte-identical .safetensors files (summary.json differs only in createdAt/timing).
 */
import { InputError } from '../../errors.ts';
import type { SessionSettings } from '../../graph/session.ts';
import { replaceDirAtomic } from '../../project/atomic-io.ts';
import { Rng } from '../../random.ts';
import type { HistoryRequest, TargetRecommender } from '../types.ts';
import { type AnchorDataset, anchorHistory, enumerateAnchors } from './anchors.ts';
import { anchorColumns, storeRowLabels, writeExportFiles } from './export-files.ts';
import { mostSimilarItems } from './item-similarity.ts';
import { emptyRowLabels, labelListRow, labelScoredRow, RowScratch } from './row-labels.ts';
import {
  type AlignmentExportSummary,
  alignmentExportSummarySchema,
  EXPORT_FILES,
  EXPORT_SCHEMA_VERSION,
  exportsDir,
  LABEL_DEFINITIONS,
  NO_ITEM,
  NUM_CANDIDATES,
} from './summary.ts';

export const DEFAULT_EXPORT_BATCH = 256;

export interface AlignmentExportOptions {
  projectDir: string;
  dataset: AnchorDataset;
  /** contentHash of `dataset` (dataset.json), recorded so readers can refuse other data. */
  dataContentHash: string;
  /** Frozen, in eval mode (no dropout). */
  recommender: TargetRecommender;
  seed: number;
  /** Anchors kept per user, the test anchor included; null (default) = all. */
  maxAnchorsPerUser?: number | null;
  /** Anchors per scoreAll call, and query items per sim_item block (default 256). */
  batchSize?: number;
  /** done/total count anchors, then items (sim_item). */
  onProgress?: (done: number, total: number, phase: 'anchors' | 'items') => void;
  /** Settings of the ORT session that computes sim_item. */
  sessionSettings?: SessionSettings;
}

function checkLength(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`recommender ${what} returned ${got} values; expected ${want}`);
}

export async function exportAlignmentLabels(opts: AlignmentExportOptions): Promise<AlignmentExportSummary> {
  const t0 = performance.now();
  const { dataset: ds, recommender: rec } = opts;
  const batchSize = opts.batchSize ?? DEFAULT_EXPORT_BATCH;
  const maxAnchorsPerUser = opts.maxAnchorsPerUser ?? null;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${batchSize}`);
  if (rec.numItems !== ds.numItems) {
    throw new InputError(`the recommender knows ${rec.numItems} items but the dataset has ${ds.numItems}`);
  }
  if (!rec.canScore && !rec.recommendationList) {
    throw new InputError(`a ${rec.kind} recommender that cannot score must provide recommendation lists`);
  }
  const dim = rec.canScore ? rec.dim : null;
  const numItems = ds.numItems;
  const stride = numItems + 1; // one score row

  const root = new Rng(opts.seed);
  const anchors = enumerateAnchors(ds, { maxAnchorsPerUser, testOnly: !rec.canScore }, root.fork('export/anchors'));
  const labelRng = root.fork('export/labels');
  const n = anchors.user.length;
  const cols = anchorColumns(n, dim);
  const total = n + (dim === null ? 0 : numItems);
  const scratch = new RowScratch(numItems);
  const labels = emptyRowLabels();

  for (let b = 0; b < n; b += batchSize) {
    const e = Math.min(n, b + batchSize);
    const reqs: HistoryRequest[] = [];
    for (let a = b; a < e; a++)
      reqs.push({ user: anchors.user[a], history: anchorHistory(ds, anchors.user[a], anchors.position[a]) });
    let scores: Float32Array | null = null;
    if (rec.canScore) {
      scores = await rec.scoreAll(reqs);
      checkLength('scoreAll', scores.length, reqs.length * stride);
    }
    if (dim !== null && cols.userVectors) {
      const vectors = await rec.encodeUsers(reqs);
      checkLength('encodeUsers', vectors.length, reqs.length * dim);
      cols.userVectors.set(vectors, b * dim);
    }
    for (let r = 0; r < reqs.length; r++) {
      const { user, history } = reqs[r];
      try {
        scratch.withHistory(history, () =>
          scores
            ? labelScoredRow(scores.subarray(r * stride, (r + 1) * stride), scratch, labelRng, labels)
            : labelListRow(rec.recommendationList!(user), scratch, labelRng, labels),
        );
      } catch (err) {
        const where = `anchor (user ${user}, position ${history.length})`;
        throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
      }
      storeRowLabels(cols, b + r, labels);
    }
    opts.onProgress?.(e, total, 'anchors');
  }
  const t1 = performance.now();

  const similarity =
    dim === null
      ? null
      : await mostSimilarItems(rec.itemTable(), dim, numItems, {
          batchSize,
          settings: opts.sessionSettings,
          onBatch: (done) => opts.onProgress?.(n + done, total, 'items'),
        });
  const t2 = performance.now();

  const count = (a: Int32Array) => a.reduce((s, v) => s + (v === NO_ITEM ? 0 : 1), 0);
  let withFullCandidates = 0;
  for (let a = 0; a < n; a++)
    if (cols.candidates[a * NUM_CANDIDATES + NUM_CANDIDATES - 1] !== NO_ITEM) withFullCandidates++;
  const counts = {
    users: ds.numUsers,
    items: numItems,
    anchors: n,
    trainAnchors: anchors.trainAnchors,
    testAnchors: anchors.testAnchors,
    cappedUsers: anchors.cappedUsers,
    withTop1: count(cols.top1),
    withFullCandidates,
    withPos: count(cols.pos),
    withNeg: count(cols.neg),
  };
  const summary = alignmentExportSummarySchema.parse({
    schemaVersion: EXPORT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    seed: opts.seed,
    dataContentHash: opts.dataContentHash,
    recommender: { kind: rec.kind, numItems: rec.numItems, dim: rec.dim, canScore: rec.canScore },
    parameters: {
      maxAnchorsPerUser,
      batchSize,
      numCandidates: NUM_CANDIDATES,
      anchors: rec.canScore ? 'train+test' : 'test',
    },
    counts,
    hasUserVectors: dim !== null,
    hasSimItem: similarity !== null,
    files: { anchors: EXPORT_FILES.anchors, items: similarity ? EXPORT_FILES.items : null },
    definitions: LABEL_DEFINITIONS,
    notes: exportNotes(rec, counts, maxAnchorsPerUser),
    timingSeconds: { anchors: (t1 - t0) / 1000, simItem: (t2 - t1) / 1000, total: (performance.now() - t0) / 1000 },
  } satisfies AlignmentExportSummary);

  await replaceDirAtomic(exportsDir(opts.projectDir), (tmp) =>
    writeExportFiles(tmp, anchors, cols, similarity, summary),
  );
  return summary;
}

function exportNotes(
  rec: TargetRecommender,
  c: {
    anchors: number;
    withTop1: number;
    withFullCandidates: number;
    withPos: number;
    withNeg: number;
    cappedUsers: number;
  },
  cap: number | null,
): string[] {
  const notes = ['labels come from the frozen target recommender run in eval mode (no dropout)'];
  if (!rec.canScore) {
    notes.push(
      'list-only recommender: one list per user describes its whole known history, so only the test anchor is exported; no scores (NaN), no user vectors, no sim_item',
    );
  }
  if (cap !== null && c.cappedUsers > 0) {
    notes.push(
      `${c.cappedUsers} users capped at ${cap} anchors: the test anchor plus a seeded choice of training anchors`,
    );
  }
  const source = rec.canScore ? 'non-history items' : 'listed non-history items';
  if (c.withTop1 < c.anchors) notes.push(`top1 omitted for ${c.anchors - c.withTop1} anchors with no ${source}`);
  if (c.withFullCandidates < c.anchors) {
    notes.push(
      `${c.anchors - c.withFullCandidates} anchors have fewer than ${NUM_CANDIDATES} candidates (fewer ${source})`,
    );
  }
  if (c.withPos < c.anchors) notes.push(`pos omitted for ${c.anchors - c.withPos} anchors with fewer than 5 ${source}`);
  if (c.withNeg < c.anchors) notes.push(`neg omitted for ${c.anchors - c.withNeg} anchors with fewer than 3 ${source}`);
  return notes;
}
