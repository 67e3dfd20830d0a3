import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../electron/engine/data/import-dataset.ts';
import { evaluateProject } from '../../electron/engine/recommender/evaluate-project.ts';
import { exportProject } from '../../electron/engine/recommender/export-project.ts';
import { loadWeights } from '../../electron/engine/recommender/store.ts';
import { trainRecommender } from '../../electron/engine/recommender/train-recommender.ts';

const SMALL = { hidden: 32, maxLen: 20, batchSize: 64, threads: 1 };
let project = '';

beforeAll(async () => {
  project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-rec-')), 'p');
  await importDataset({ format: 'synthetic', project, synthetic: { users: 300, items: 150 }, seed: 3 });
});

const copyProject = async (seed = 3) => {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'recx-rec-')), 'p');
  await importDataset({ format: 'synthetic', project: p, synthetic: { users: 300, items: 150 }, seed });
  return p;
};

describe('target recommender pipeline (synthetic data)', () => {
  it('SASRec trains, clearly beats popularity on the test split, and exports alignment labels', async () => {
    const r = await trainRecommender({ project, model: 'sasrec', overrides: { ...SMALL, lr: 3e-3, maxEpochs: 40 } });
    expect(r.completed).toBe(true);
    expect(r.manifest?.kind).toBe('sasrec');
    const report = await evaluateProject(project, 'test');
    const model = report.full['HR@10'];
    const pop = report.baselines.popularity.full['HR@10'];
    expect(model).toBeGreaterThan(pop * 1.5);
    expect(report.baselines.random.full['HR@10']).toBeLessThan(pop);
    expect(report.sampled100['HR@10']).toBeGreaterThan(model);
    const summary = await exportProject(project, { seed: 1 });
    expect(summary.counts.testAnchors).toBe(300);
    expect(summary.counts.anchors).toBeGreaterThan(summary.counts.testAnchors);
    expect(summary.hasUserVectors).toBe(true);
  });

  it('MF with BPR trains and beats the random baseline', async () => {
    const p = await copyProject(4);
    const r = await trainRecommender({
      project: p,
      model: 'mf',
      overrides: { hidden: 16, batchSize: 256, lr: 1e-2, maxEpochs: 30, threads: 1 },
    });
    expect(r.completed).toBe(true);
    const report = await evaluateProject(p, 'test');
    expect(report.full['HR@10']).toBeGreaterThan(report.baselines.random.full['HR@10'] * 2);
  });

  it('a cancelled run resumes to exactly the weights of an uninterrupted one', async () => {
    const opts = { ...SMALL, maxEpochs: 3, patience: 10 };
    const full = await copyProject(5);
    await trainRecommender({ project: full, model: 'sasrec', overrides: opts });
    const cut = await copyProject(5);
    const abort = new AbortController();
    const first = await trainRecommender({
      project: cut,
      model: 'sasrec',
      overrides: opts,
      signal: abort.signal,
      onTrainer: (t) => t.on('step', (e) => e.step === 7 && abort.abort()),
    });
    expect(first.completed).toBe(false);
    const second = await trainRecommender({ project: cut, model: 'sasrec', overrides: opts, resume: true });
    expect(second.completed).toBe(true);
    expect(second.validation).toEqual(
      (await trainRecommender({ project: full, model: 'sasrec', overrides: opts })).validation,
    );
    const a = await loadWeights(full);
    const b = await loadWeights(cut);
    for (const [k, t] of a) expect(Buffer.from(b.get(k)!.data.buffer).equals(Buffer.from(t.data.buffer)), k).toBe(true);
  });

  it('stops early when validation NDCG@10 stops improving', async () => {
    const p = await copyProject(6);
    const r = await trainRecommender({
      project: p,
      model: 'sasrec',
      overrides: { ...SMALL, lr: 1e-12, maxEpochs: 30, patience: 2 },
    });
    expect(r.stoppedEarly).toBe(true);
    expect(r.epochs).toBe(r.bestEpoch + 2);
    const manifest = JSON.parse(readFileSync(path.join(p, 'recommender', 'model.json'), 'utf8'));
    expect(manifest.details.bestEpoch).toBe(r.bestEpoch);
  });
});
