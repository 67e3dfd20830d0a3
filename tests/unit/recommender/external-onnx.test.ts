import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recommenderManifestSchema } from '../../../electron/contracts/recommender.ts';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import { loadExternalRecommender } from '../../../electron/engine/recommender/external/index.ts';
import type { HistoryRequest } from '../../../electron/engine/recommender/types.ts';
import {
  buildMeanEncoder,
  FIXTURE_DATASET,
  type MeanEncoderWeights,
  meanEncoderReference,
  onnxFixtureWeights,
} from '../../fixtures/recommender/make-onnx-fixture.ts';
import { datasetIds, datasetProject, fixtureCopy, importOnnx, snapshot } from './external-helpers.ts';

const w = onnxFixtureWeights();
const MAX_LEN = 8;

async function requests(project: string): Promise<HistoryRequest[]> {
  const { dataset } = await datasetIds(project);
  const seq = (u: number) => dataset.items.subarray(dataset.offsets[u - 1], dataset.offsets[u]);
  return [
    { user: 1, history: seq(1).slice(0, 12) }, // longer than maxLength: only the last 8 count
    { user: 2, history: seq(2).slice(0, 3) },
    { user: 3, history: new Uint32Array(0) },
    { user: 4, history: seq(4).slice(0, MAX_LEN) },
  ];
}

/** Checks encodeUsers / itemTable / scoreAll against the JS reference; `modelId` maps dataset → model ids. */
async function checkAgainstReference(project: string, modelId: (item: number) => number, weights: MeanEncoderWeights) {
  const manifest = recommenderManifestSchema.parse(
    JSON.parse(readFileSync(path.join(project, 'recommender', 'model.json'), 'utf8')),
  );
  const rec = await loadExternalRecommender(project, manifest, { providers: ['cpu'] });
  try {
    expect(rec.kind).toBe('onnx');
    expect(rec.canScore).toBe(true);
    expect(rec.dim).toBe(4);
    const N = FIXTURE_DATASET.items;
    const table = rec.itemTable();
    expect(table.length).toBe((N + 1) * 4);
    for (let j = 1; j <= N; j++) {
      expect([...table.subarray(j * 4, j * 4 + 4)]).toEqual([
        ...weights.table.subarray(modelId(j) * 4, modelId(j) * 4 + 4),
      ]);
    }
    const reqs = await requests(project);
    const users = await rec.encodeUsers(reqs);
    const scores = await rec.scoreAll(reqs);
    expect(users.length).toBe(reqs.length * 4);
    expect(scores.length).toBe(reqs.length * (N + 1));
    reqs.forEach((req, r) => {
      const hist = [...req.history].slice(-MAX_LEN).map(modelId);
      const want = meanEncoderReference(weights, hist);
      for (let o = 0; o < 4; o++) expect(users[r * 4 + o]).toBeCloseTo(want[o], 5);
      expect(scores[r * (N + 1)]).toBe(Number.NEGATIVE_INFINITY);
      for (let j = 1; j <= N; j++) {
        let dot = 0;
        for (let o = 0; o < 4; o++) dot += want[o] * weights.table[modelId(j) * 4 + o];
        expect(scores[r * (N + 1) + j]).toBeCloseTo(dot, 4);
      }
    });
  } finally {
    await rec.release();
  }
}

describe('ONNX user encoder import', () => {
  it('imports encoder + safetensors table + id map; vectors and scores match a JS computation', async () => {
    const project = await datasetProject();
    const fixtures = fixtureCopy('onnx');
    const r = await importOnnx(project, path.join(fixtures, 'manifest.json'));
    expect(r.manifest).toMatchObject({ kind: 'onnx', numItems: 40, dim: 4 });
    expect(r.manifest.details).toMatchObject({ input: 'history', output: 'user_vector', maxLength: 8, idMapped: true });
    const stored = snapshot(path.join(project, 'recommender'));
    expect(Object.keys(stored).sort()).toEqual(
      [
        'items.safetensors',
        'model.json',
        'source/item_ids.csv',
        'source/items.safetensors',
        'source/manifest.json',
        'source/user_encoder.onnx',
      ].sort(),
    );
    const dataJson = JSON.parse(readFileSync(path.join(project, 'data', 'dataset.json'), 'utf8'));
    expect(r.manifest.dataContentHash).toBe(dataJson.contentHash);
    const { dataset } = await datasetIds(project);
    const modelId = (j: number) => w.sourceOf.indexOf(dataset.itemRecords[j - 1].sourceId);
    await checkAgainstReference(project, modelId, w);
  });

  it('imports an .npy (float64) table without an id map: model ids are dataset ids', async () => {
    const project = await datasetProject();
    const fixtures = fixtureCopy('onnx');
    const r = await importOnnx(project, path.join(fixtures, 'manifest-npy.json'));
    expect(r.manifest.details).toMatchObject({ idMapped: false });
    await checkAgainstReference(project, (j) => j, w);
  });

  it('accepts an encoder exported with a fixed sequence length equal to maxLength', async () => {
    const project = await datasetProject();
    const dir = fixtureCopy('onnx');
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(w, { seqLen: MAX_LEN }));
    await importOnnx(project, path.join(dir, 'manifest.json'));
  });

  it('refuses to replace a recommender without force, and loads only for the dataset it was made for', async () => {
    const project = await datasetProject();
    const manifest = path.join(fixtureCopy('onnx'), 'manifest.json');
    await importOnnx(project, manifest);
    await expect(importOnnx(project, manifest)).rejects.toThrow(/already has a recommender; pass --force/);
    await importOnnx(project, manifest, true);
    const stored = JSON.parse(readFileSync(path.join(project, 'recommender', 'model.json'), 'utf8'));
    const { users, items } = FIXTURE_DATASET;
    await importDataset({ format: 'synthetic', project, force: true, synthetic: { users, items }, kCore: 5 });
    await expect(loadExternalRecommender(project, stored)).rejects.toThrow(/imported for another dataset/);
  });
});
