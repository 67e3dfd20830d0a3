import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError, InputError } from '../../../electron/engine/errors.ts';
import { encodeSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import {
  type EmbeddingsImportOptions,
  encodeNpy,
  importExternalRecommender,
  loadExternalRecommender,
} from '../../../electron/engine/recommender/external/index.ts';
import type { HistoryRequest, TargetRecommender } from '../../../electron/engine/recommender/types.ts';
import { EMB, embeddingsFixture } from '../../fixtures/recommender/make-embeddings-fixture.ts';
import { FIXTURE_DATASET } from '../../fixtures/recommender/make-onnx-fixture.ts';
import { datasetIds, datasetProject, type ErrorClass, fixtureCopy, leftovers, snapshot } from './external-helpers.ts';

const f = embeddingsFixture();
const { dim: d, anchors: A } = EMB;
const N = FIXTURE_DATASET.items;
const U = FIXTURE_DATASET.users;

async function importAndLoad(options: EmbeddingsImportOptions, project?: string) {
  const dir = project ?? (await datasetProject());
  const r = await importExternalRecommender(dir, { level: 'embeddings', ...options });
  return {
    project: dir,
    manifest: r.manifest,
    rec: await loadExternalRecommender(dir, r.manifest, { providers: ['cpu'] }),
  };
}

const row = (a: Float32Array, k: number, width = d) => [...a.subarray(k * width, (k + 1) * width)];
const hist = (n: number) => new Uint32Array(n).fill(1);

async function checkScores(rec: TargetRecommender, reqs: HistoryRequest[], userVec: (r: HistoryRequest) => number[]) {
  const users = await rec.encodeUsers(reqs);
  const scores = await rec.scoreAll(reqs);
  reqs.forEach((req, r) => {
    const u = userVec(req);
    expect(row(users, r)).toEqual(u);
    expect(scores[r * (N + 1)]).toBe(Number.NEGATIVE_INFINITY);
    for (let j = 1; j <= N; j++) {
      let dot = 0;
      for (let o = 0; o < d; o++) dot += u[o] * f.items[j * d + o];
      expect(scores[r * (N + 1) + j]).toBeCloseTo(dot, 4);
    }
  });
}

describe('precomputed embeddings import', () => {
  it('per-user vectors from one safetensors file', async () => {
    const dir = fixtureCopy('embeddings');
    const { rec, manifest } = await importAndLoad({ embeddings: path.join(dir, 'embeddings.safetensors') });
    expect(manifest).toMatchObject({
      kind: 'embeddings',
      numItems: N,
      dim: d,
      details: { users: 'per-user', anchors: null },
    });
    expect(rec.canScore).toBe(true);
    expect([...rec.itemTable()]).toEqual([...f.items]);
    const reqs = [1, 7, 30].map((user) => ({ user, history: hist(user % 5) }));
    await checkScores(rec, reqs, (r) => row(f.users, r.user));
    await expect(rec.encodeUsers([{ user: 31, history: hist(1) }])).rejects.toThrow(/user 31 is not a user/);
    await rec.release();
  });

  it('per-anchor vectors: the vector at anchor = history length; a missing anchor is a clear error', async () => {
    const dir = fixtureCopy('embeddings');
    const { rec, manifest } = await importAndLoad({ embeddings: path.join(dir, 'anchors.safetensors') });
    expect(manifest.details).toMatchObject({ users: 'per-anchor', anchors: A });
    const reqs = [
      { user: 2, history: hist(3) },
      { user: 1, history: hist(0) },
      { user: 4, history: hist(5) },
    ];
    await checkScores(rec, reqs, (r) => row(f.anchors, r.user * A + r.history.length));
    await expect(rec.encodeUsers([{ user: 3, history: hist(5) }])).rejects.toThrow(
      /no precomputed vector for user 3 at anchor 5 .*provide anchors 0, 1, 2, 3, 4 for this user/,
    );
    await expect(rec.scoreAll([{ user: 2, history: hist(6) }])).rejects.toThrow(InputError);
    await rec.release();
  });

  it('.npy item table and .npy user vectors', async () => {
    const dir = fixtureCopy('embeddings');
    const { rec } = await importAndLoad({
      embeddings: path.join(dir, 'items.npy'),
      userEmbeddings: path.join(dir, 'users.npy'),
    });
    await checkScores(rec, [{ user: 5, history: hist(2) }], (r) => row(f.users, r.user));
    await rec.release();
  });

  it('id maps reorder model rows into dataset order by source id', async () => {
    const project = await datasetProject();
    const ids = await datasetIds(project);
    const dir = fixtureCopy('embeddings');
    // The model numbers items and users in reverse dataset order.
    const rev = (a: Float32Array, n: number) => {
      const out = new Float32Array(a.length);
      for (let k = 1; k <= n; k++) out.set(a.subarray(k * d, (k + 1) * d), (n + 1 - k) * d);
      return out;
    };
    writeFileSync(path.join(dir, 'items-m.npy'), encodeNpy(rev(f.items, N), [N + 1, d]));
    writeFileSync(path.join(dir, 'users-m.npy'), encodeNpy(rev(f.users, U), [U + 1, d]));
    const map = (sources: string[]) =>
      `model_id,source_id\n${sources.map((s, k) => `${sources.length - k},${s}`).join('\n')}\n`;
    writeFileSync(path.join(dir, 'item_ids.csv'), map(ids.dataset.itemRecords.map((r) => r.sourceId)));
    writeFileSync(path.join(dir, 'user_ids.csv'), map(ids.dataset.userSourceIds));
    const { rec } = await importAndLoad(
      {
        embeddings: path.join(dir, 'items-m.npy'),
        userEmbeddings: path.join(dir, 'users-m.npy'),
        itemIds: path.join(dir, 'item_ids.csv'),
        userIds: path.join(dir, 'user_ids.csv'),
      },
      project,
    );
    expect([...rec.itemTable()]).toEqual([...f.items]);
    await checkScores(rec, [{ user: 9, history: hist(1) }], (r) => row(f.users, r.user));
    await rec.release();
  });
});

describe('embeddings import errors name the file and field', () => {
  const expectError = async (options: EmbeddingsImportOptions, type: ErrorClass, ...res: RegExp[]) => {
    const project = await datasetProject();
    const err = await importExternalRecommender(project, { level: 'embeddings', ...options }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    for (const re of res) expect((err as Error).message).toMatch(re);
  };
  const st = (
    dir: string,
    name: string,
    tensors: Record<string, { dims: number[]; data: Float32Array | Uint8Array }>,
  ) => {
    const file = path.join(dir, name);
    const entries = Object.entries(tensors).map(([k, t]) => [
      k,
      { dtype: t.data instanceof Float32Array ? ('float32' as const) : ('uint8' as const), ...t },
    ]);
    writeFileSync(file, encodeSafetensors(Object.fromEntries(entries)));
    return file;
  };

  it('user row count, item row count and width mismatches', async () => {
    const dir = fixtureCopy('embeddings');
    writeFileSync(path.join(dir, 'users30.npy'), encodeNpy(f.users.slice(0, U * d), [U, d]));
    await expectError(
      { embeddings: path.join(dir, 'items.npy'), userEmbeddings: path.join(dir, 'users30.npy') },
      DatasetFormatError,
      /users30\.npy: field "shape"/,
      /31 rows .*30 users/,
    );
    const items = { dims: [N, d], data: f.items.slice(0, N * d) };
    await expectError(
      { embeddings: st(dir, 'short.safetensors', { items, users: { dims: [U + 1, d], data: f.users } }) },
      DatasetFormatError,
      /short\.safetensors: field "items"/,
      /41 rows/,
    );
    writeFileSync(path.join(dir, 'users3.npy'), encodeNpy(new Float32Array((U + 1) * 3), [U + 1, 3]));
    await expectError(
      { embeddings: path.join(dir, 'items.npy'), userEmbeddings: path.join(dir, 'users3.npy') },
      DatasetFormatError,
      /users3\.npy/,
      /width 4/,
    );
  });

  it('NaN in a provided anchor vector or in the item table', async () => {
    const dir = fixtureCopy('embeddings');
    const anchors = f.anchors.slice();
    anchors[(3 * A + 2) * d + 1] = Number.NaN;
    const file = st(dir, 'nan.safetensors', {
      items: { dims: [N + 1, d], data: f.items },
      user_anchors: { dims: [U + 1, A, d], data: anchors },
      user_anchors_present: { dims: [U + 1, A], data: f.present },
    });
    await expectError(
      { embeddings: file },
      DatasetFormatError,
      /nan\.safetensors: field "user_anchors\[3, 2\]"/,
      /finite/,
    );
    const items = f.items.slice();
    items[12 * d] = Number.POSITIVE_INFINITY;
    writeFileSync(path.join(dir, 'items-inf.npy'), encodeNpy(items, [N + 1, d]));
    await expectError(
      { embeddings: path.join(dir, 'items-inf.npy'), userEmbeddings: path.join(dir, 'users.npy') },
      DatasetFormatError,
      /items-inf\.npy: field "shape row 12"/,
    );
  });

  it('missing user vectors, ambiguous user tensors, missing files, unknown user ids', async () => {
    const dir = fixtureCopy('embeddings');
    await expectError(
      { embeddings: path.join(dir, 'items.npy') },
      InputError,
      /pass the user vectors with --user-embeddings/,
    );
    const onlyItems = st(dir, 'only-items.safetensors', { items: { dims: [N + 1, d], data: f.items } });
    await expectError({ embeddings: onlyItems }, InputError, /has no user vectors; pass --user-embeddings/);
    await expectError(
      { embeddings: path.join(dir, 'gone.safetensors') },
      InputError,
      /gone\.safetensors: embeddings file not found/,
    );
    await expectError(
      { embeddings: path.join(dir, 'embeddings.safetensors'), userEmbeddings: path.join(dir, 'users.npy') },
      InputError,
      /already holds user vectors/,
    );
    writeFileSync(path.join(dir, 'user_ids.csv'), 'model_id,source_id\n1,user-0001\n2,nobody\n');
    await expectError(
      { embeddings: path.join(dir, 'embeddings.safetensors'), userIds: path.join(dir, 'user_ids.csv') },
      DatasetFormatError,
      /user_ids\.csv:3: field "source_id"/,
      /"nobody" \(line 3\)/,
    );
  });

  it('a failed import leaves the previous recommender untouched', async () => {
    const project = await datasetProject();
    const dir = fixtureCopy('embeddings');
    await importExternalRecommender(project, {
      level: 'embeddings',
      embeddings: path.join(dir, 'embeddings.safetensors'),
    });
    const before = snapshot(path.join(project, 'recommender'));
    const err = await importExternalRecommender(project, {
      level: 'embeddings',
      embeddings: path.join(dir, 'items.npy'),
      userEmbeddings: path.join(dir, 'missing.npy'),
      force: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(snapshot(path.join(project, 'recommender'))).toEqual(before);
    expect(leftovers(project)).toEqual([]);
  });
});
