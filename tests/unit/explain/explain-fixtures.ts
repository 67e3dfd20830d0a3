/**
 * Shared set-up of the explorer tests: a small synthetic project with a quickly trained SASRec and
 * its alignment exports (as tests/integration/helpers/align-project.ts, smaller), and a fake
 * recommender whose scores are a known function of the history.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import { exportProject } from '../../../electron/engine/recommender/export-project.ts';
import { trainRecommender } from '../../../electron/engine/recommender/train-recommender.ts';
import type { HistoryRequest, TargetRecommender } from '../../../electron/engine/recommender/types.ts';

export async function sasrecProject(): Promise<string> {
  const project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-explain-')), 'p');
  await importDataset({ format: 'synthetic', project, synthetic: { users: 40, items: 30 }, seed: 5 });
  await trainRecommender({
    project,
    model: 'sasrec',
    overrides: { hidden: 8, maxLen: 8, batchSize: 32, maxEpochs: 2, threads: 1 },
  });
  await exportProject(project, { seed: 1, maxAnchorsPerUser: 3 });
  return project;
}

/**
 * score(i | history) = Σ_{h ∈ history} weight(h, i): each history item adds a known amount to each
 * item, so every leave-one-out drop and removal effect can be worked out by hand.
 */
export function additiveRecommender(
  numItems: number,
  weight: (h: number, i: number) => number,
): TargetRecommender & { requests: HistoryRequest[] } {
  const requests: HistoryRequest[] = [];
  return {
    kind: 'mf',
    numItems,
    dim: 1,
    canScore: true,
    requests,
    async encodeUsers(reqs) {
      return new Float32Array(reqs.length);
    },
    itemTable: () => new Float32Array(numItems + 1),
    async scoreAll(reqs) {
      requests.push(...reqs);
      const out = new Float32Array(reqs.length * (numItems + 1));
      reqs.forEach((r, k) => {
        out[k * (numItems + 1)] = Number.NEGATIVE_INFINITY;
        for (let i = 1; i <= numItems; i++) {
          let s = 0;
          for (const h of r.history) s += weight(h, i);
          out[k * (numItems + 1) + i] = s;
        }
      });
      return out;
    },
    async release() {},
  };
}
