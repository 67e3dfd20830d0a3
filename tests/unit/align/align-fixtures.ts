/**
 * Shared set-up of the alignment tests: a 40 × 40 synthetic dataset, a fake dot-product
 * recommender (mean of the history's item vectors · item vector) exported through
 * exportAlignmentLabels, and the tiny tokenizer over the item titles.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDataset } from '../../../electron/engine/data/dataset-store.ts';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import type { ProcessedDataset } from '../../../electron/engine/data/preprocess.ts';
import { itemSentences } from '../../../electron/engine/llm/tiny-corpus.ts';
import { buildTinyTokenizer } from '../../../electron/engine/llm/tiny-tokenizer.ts';
import type { LoadedTokenizer } from '../../../electron/engine/llm/tokenizer.ts';
import { Rng } from '../../../electron/engine/random.ts';
import {
  type AlignmentExports,
  exportAlignmentLabels,
  readExports,
} from '../../../electron/engine/recommender/export/index.ts';
import type { HistoryRequest, TargetRecommender } from '../../../electron/engine/recommender/types.ts';

export const DIM = 4;

/** A scoring recommender: scores = score(history)[item], [numItems + 1] per request, column 0 −∞. */
export function scoringRecommender(
  numItems: number,
  score: (history: Uint32Array) => Float32Array,
  table: Float32Array = new Float32Array((numItems + 1) * DIM),
): TargetRecommender & { calls: number[] } {
  const calls: number[] = [];
  return {
    kind: 'mf',
    numItems,
    dim: DIM,
    canScore: true,
    calls,
    async encodeUsers(reqs: HistoryRequest[]) {
      const out = new Float32Array(reqs.length * DIM);
      reqs.forEach((r, k) => {
        for (const i of r.history) for (let d = 0; d < DIM; d++) out[k * DIM + d] += table[i * DIM + d];
      });
      return out;
    },
    itemTable: () => table,
    async scoreAll(reqs: HistoryRequest[]) {
      calls.push(reqs.length);
      const out = new Float32Array(reqs.length * (numItems + 1));
      reqs.forEach((r, k) => {
        out.set(score(r.history), k * (numItems + 1));
        out[k * (numItems + 1)] = Number.NEGATIVE_INFINITY;
      });
      return out;
    },
    async release() {},
  };
}

export function dotRecommender(numItems: number) {
  const rng = new Rng(3);
  const table = new Float32Array((numItems + 1) * DIM);
  for (let k = DIM; k < table.length; k++) table[k] = rng.normal();
  const score = (history: Uint32Array) => {
    const u = new Float32Array(DIM);
    for (const i of history) for (let d = 0; d < DIM; d++) u[d] += table[i * DIM + d] / history.length;
    const row = new Float32Array(numItems + 1);
    for (let i = 1; i <= numItems; i++) for (let d = 0; d < DIM; d++) row[i] += u[d] * table[i * DIM + d];
    return row;
  };
  return scoringRecommender(numItems, score, table);
}

export interface AlignFixture {
  dataset: ProcessedDataset;
  exports: AlignmentExports;
  recommender: TargetRecommender;
  tokenizer: LoadedTokenizer;
}

let cached: Promise<AlignFixture> | null = null;

export function alignFixture(): Promise<AlignFixture> {
  cached ??= (async () => {
    const project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-align-')), 'project');
    await importDataset({ format: 'synthetic', project, synthetic: { users: 40, items: 40 }, kCore: 2, seed: 5 });
    const { dataset, manifest } = await readDataset(project);
    const recommender = dotRecommender(dataset.numItems);
    await exportAlignmentLabels({
      projectDir: project,
      dataset,
      dataContentHash: manifest.contentHash,
      recommender,
      seed: 9,
      sessionSettings: { providers: ['cpu'], threads: 1 },
    });
    const exports = await readExports(project);
    const corpus = [...dataset.itemRecords.map((r) => r.title), ...itemSentences(dataset.itemRecords)];
    const tokenizer = buildTinyTokenizer(corpus, { minCount: 1 });
    return { dataset, exports, recommender, tokenizer };
  })();
  return cached;
}
