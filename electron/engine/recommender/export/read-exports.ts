/**
 * Reads `<project>/recommender/exports/` back as typed arrays, and walks its anchors one record at
 * a time for the alignment-task generators. A missing or damaged export is a user error that
 * names the file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../../errors.ts';
import type { HostTensor } from '../../graph/graph.ts';
import { loadSafetensors } from '../../graph/safetensors.ts';
import { type AnchorDataset, anchorHistory } from './anchors.ts';
import {
  type AlignmentExportSummary,
  alignmentExportSummarySchema,
  EXPORT_FILES,
  exportsDir,
  NO_ITEM,
  NUM_CANDIDATES,
} from './summary.ts';

export interface AlignmentExports {
  summary: AlignmentExportSummary;
  /** Number of anchors. */
  count: number;
  user: Int32Array;
  position: Int32Array;
  isTest: Uint8Array;
  top1: Int32Array;
  top1Score: Float32Array;
  /** [count, 5], best first, NO_ITEM-padded. */
  candidates: Int32Array;
  candidateScores: Float32Array;
  pos: Int32Array;
  posScore: Float32Array;
  neg: Int32Array;
  negScore: Float32Array;
  /** [count, dim]; null for list-only recommenders. */
  userVectors: Float32Array | null;
  /** [numItems + 1]; null for list-only recommenders. */
  simItem: Int32Array | null;
  simScore: Float32Array | null;
}

function column<T extends Int32Array | Float32Array | Uint8Array>(
  file: string,
  tensors: Map<string, HostTensor>,
  name: string,
  Ctor: { new (n: number): T; name: string },
  dims: number[],
): T {
  const t = tensors.get(name);
  if (!t) throw new InputError(`${file}: missing tensor "${name}"; re-run the export`);
  if (!(t.data instanceof Ctor) || t.dims.join() !== dims.join()) {
    throw new InputError(`${file}: tensor "${name}" should be ${Ctor.name} [${dims}], found ${t.dtype} [${t.dims}]`);
  }
  return t.data as T;
}

export async function readExports(projectDir: string): Promise<AlignmentExports> {
  const dir = exportsDir(projectDir);
  const summaryFile = path.join(dir, EXPORT_FILES.summary);
  const text = await readFile(summaryFile, 'utf8').catch(() => {
    throw new InputError(`${projectDir}: no recommender exports found (missing ${summaryFile}); run the export first`);
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(`${summaryFile}: not valid JSON`);
  }
  const parsed = alignmentExportSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${summaryFile}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const summary = parsed.data;
  const n = summary.counts.anchors;
  const dim = summary.recommender.dim;

  const anchorsFile = path.join(dir, EXPORT_FILES.anchors);
  const { tensors } = await loadSafetensors(anchorsFile);
  const col = <T extends Int32Array | Float32Array | Uint8Array>(
    name: string,
    Ctor: { new (n: number): T; name: string },
    dims: number[],
  ) => column(anchorsFile, tensors, name, Ctor, dims);
  const out: AlignmentExports = {
    summary,
    count: n,
    user: col('user', Int32Array, [n]),
    position: col('position', Int32Array, [n]),
    isTest: col('is_test', Uint8Array, [n]),
    top1: col('top1', Int32Array, [n]),
    top1Score: col('top1_score', Float32Array, [n]),
    candidates: col('candidates', Int32Array, [n, NUM_CANDIDATES]),
    candidateScores: col('candidate_scores', Float32Array, [n, NUM_CANDIDATES]),
    pos: col('pos', Int32Array, [n]),
    posScore: col('pos_score', Float32Array, [n]),
    neg: col('neg', Int32Array, [n]),
    negScore: col('neg_score', Float32Array, [n]),
    userVectors: summary.hasUserVectors && dim !== null ? col('user_vectors', Float32Array, [n, dim]) : null,
    simItem: null,
    simScore: null,
  };
  if (summary.hasSimItem) {
    const itemsFile = path.join(dir, EXPORT_FILES.items);
    const items = (await loadSafetensors(itemsFile)).tensors;
    const rows = summary.recommender.numItems + 1;
    out.simItem = column(itemsFile, items, 'sim_item', Int32Array, [rows]);
    out.simScore = column(itemsFile, items, 'sim_score', Float32Array, [rows]);
  }
  return out;
}

/** An item label with its score (NaN for list-only recommenders). */
export interface ScoredItem {
  item: number;
  score: number;
}

export interface AnchorRecord {
  /** Row in the export arrays. */
  index: number;
  user: number;
  position: number;
  isTest: boolean;
  /** The user's items before `position`, oldest first (a view into the dataset). */
  history: Uint32Array;
  top1: ScoredItem | null;
  /** Best first; fewer than 5 when the anchor had fewer non-history items. */
  candidates: ScoredItem[];
  pos: ScoredItem | null;
  neg: ScoredItem | null;
  /** A view into the export's user_vectors; null without vectors. */
  userVector: Float32Array | null;
}

const scored = (item: number, score: number): ScoredItem | null => (item === NO_ITEM ? null : { item, score });

/**
 * Walks the anchors in stored order (user, then position), optionally only the training ('train')
 * or test ('test') ones. `dataset` must be the one the export was made from (same contentHash).
 */
export function* anchorRecords(
  exp: AlignmentExports,
  dataset: AnchorDataset,
  which: 'all' | 'train' | 'test' = 'all',
): Generator<AnchorRecord> {
  const dim = exp.summary.recommender.dim;
  for (let a = 0; a < exp.count; a++) {
    const isTest = exp.isTest[a] === 1;
    if ((which === 'train' && isTest) || (which === 'test' && !isTest)) continue;
    const candidates: ScoredItem[] = [];
    for (let c = 0; c < NUM_CANDIDATES; c++) {
      const item = exp.candidates[a * NUM_CANDIDATES + c];
      if (item !== NO_ITEM) candidates.push({ item, score: exp.candidateScores[a * NUM_CANDIDATES + c] });
    }
    yield {
      index: a,
      user: exp.user[a],
      position: exp.position[a],
      isTest,
      history: anchorHistory(dataset, exp.user[a], exp.position[a]),
      top1: scored(exp.top1[a], exp.top1Score[a]),
      candidates,
      pos: scored(exp.pos[a], exp.posScore[a]),
      neg: scored(exp.neg[a], exp.negScore[a]),
      userVector: exp.userVectors && dim !== null ? exp.userVectors.subarray(a * dim, (a + 1) * dim) : null,
    };
  }
}
