/**
 * The export's in-memory columns (sized once from the anchor count) and how they are written into
 * the export folder (layout: summary.ts).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HostTensor } from '../../graph/graph.ts';
import { writeSafetensorsStreaming } from '../../graph/safetensors.ts';
import type { AnchorSet } from './anchors.ts';
import type { ItemSimilarity } from './item-similarity.ts';
import type { RowLabels } from './row-labels.ts';
import { type AlignmentExportSummary, EXPORT_FILES, EXPORT_SCHEMA_VERSION, NUM_CANDIDATES } from './summary.ts';

export interface AnchorColumns {
  top1: Int32Array;
  top1Score: Float32Array;
  candidates: Int32Array;
  candidateScores: Float32Array;
  pos: Int32Array;
  posScore: Float32Array;
  neg: Int32Array;
  negScore: Float32Array;
  /** [n, dim] when the recommender has vectors. */
  userVectors: Float32Array | null;
  dim: number | null;
}

export function anchorColumns(n: number, dim: number | null): AnchorColumns {
  return {
    top1: new Int32Array(n),
    top1Score: new Float32Array(n),
    candidates: new Int32Array(n * NUM_CANDIDATES),
    candidateScores: new Float32Array(n * NUM_CANDIDATES),
    pos: new Int32Array(n),
    posScore: new Float32Array(n),
    neg: new Int32Array(n),
    negScore: new Float32Array(n),
    userVectors: dim === null ? null : new Float32Array(n * dim),
    dim,
  };
}

export function storeRowLabels(cols: AnchorColumns, a: number, labels: RowLabels): void {
  cols.top1[a] = labels.top1;
  cols.top1Score[a] = labels.top1Score;
  cols.candidates.set(labels.candidates, a * NUM_CANDIDATES);
  cols.candidateScores.set(labels.candidateScores, a * NUM_CANDIDATES);
  cols.pos[a] = labels.pos;
  cols.posScore[a] = labels.posScore;
  cols.neg[a] = labels.neg;
  cols.negScore[a] = labels.negScore;
}

const i32 = (data: Int32Array, dims: number[]): HostTensor => ({ dtype: 'int32', dims, data });
const f32 = (data: Float32Array, dims: number[]): HostTensor => ({ dtype: 'float32', dims, data });

/** Writes the three files into `dir` (a fresh folder that the caller swaps in atomically). */
export async function writeExportFiles(
  dir: string,
  anchors: AnchorSet,
  cols: AnchorColumns,
  similarity: ItemSimilarity | null,
  summary: AlignmentExportSummary,
): Promise<void> {
  const n = anchors.user.length;
  const c = [n, NUM_CANDIDATES];
  const tensors: Record<string, HostTensor> = {
    user: i32(anchors.user, [n]),
    position: i32(anchors.position, [n]),
    is_test: { dtype: 'uint8', dims: [n], data: anchors.isTest },
    top1: i32(cols.top1, [n]),
    top1_score: f32(cols.top1Score, [n]),
    candidates: i32(cols.candidates, c),
    candidate_scores: f32(cols.candidateScores, c),
    pos: i32(cols.pos, [n]),
    pos_score: f32(cols.posScore, [n]),
    neg: i32(cols.neg, [n]),
    neg_score: f32(cols.negScore, [n]),
  };
  if (cols.userVectors && cols.dim !== null) tensors.user_vectors = f32(cols.userVectors, [n, cols.dim]);
  const meta = { format: 'recx-alignment-export', schemaVersion: String(EXPORT_SCHEMA_VERSION) };
  await writeSafetensorsStreaming(path.join(dir, EXPORT_FILES.anchors), tensors, meta);
  if (similarity) {
    const rows = similarity.simItem.length;
    await writeSafetensorsStreaming(
      path.join(dir, EXPORT_FILES.items),
      { sim_item: i32(similarity.simItem, [rows]), sim_score: f32(similarity.simScore, [rows]) },
      meta,
    );
  }
  await writeFile(path.join(dir, EXPORT_FILES.summary), `${JSON.stringify(summary, null, 2)}\n`);
}
