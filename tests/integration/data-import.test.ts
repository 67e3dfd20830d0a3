import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDataset } from '../../electron/engine/data/dataset-store.ts';
import { importDataset } from '../../electron/engine/data/import-dataset.ts';
import { leaveOneOutSplit } from '../../electron/engine/data/split.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-import-'));
const synthetic = (project: string, seed: number) =>
  importDataset({ format: 'synthetic', project, synthetic: { users: 200, items: 120 }, seed });

const dataFiles = (project: string) =>
  Object.fromEntries(
    readdirSync(path.join(project, 'data')).map((f) => [f, readFileSync(path.join(project, 'data', f))]),
  );

describe('importDataset (whole data job)', () => {
  it('stores a dataset that reads back identically, with manifest counts that match the arrays', async () => {
    const project = path.join(tmp(), 'p');
    const { manifest } = await synthetic(project, 1);
    const { manifest: m2, dataset } = await readDataset(project);
    expect(m2).toEqual(manifest);
    expect(dataset.numUsers).toBe(manifest.counts.users);
    expect(dataset.items.length).toBe(manifest.counts.interactions);
    expect(dataset.offsets[dataset.numUsers]).toBe(dataset.items.length);
    expect(manifest.split.train + manifest.split.validation + manifest.split.test).toBe(manifest.counts.interactions);
    expect(leaveOneOutSplit(dataset).sizes.train).toBe(manifest.split.train);
    expect(manifest.hasGroundTruth).toBe(true);
    const gt = JSON.parse(readFileSync(path.join(project, 'data', 'ground_truth.json'), 'utf8'));
    expect(Object.keys(gt.userInterests)).toHaveLength(manifest.counts.users);
    const item1 = dataset.itemRecords[0];
    expect(gt.itemCategories['1']).toEqual(item1.attributes.genres);
    const project_json = JSON.parse(readFileSync(path.join(project, 'project.json'), 'utf8'));
    expect(project_json).toMatchObject({ schemaVersion: 1, seed: 1, data: { contentHash: manifest.contentHash } });
  });

  it('the same seed gives byte-identical data folders; another seed does not', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()].map((d) => path.join(d, 'p'));
    await synthetic(a, 3);
    await synthetic(b, 3);
    await synthetic(c, 4);
    const fa = dataFiles(a);
    const fb = dataFiles(b);
    expect(Object.keys(fb)).toEqual(Object.keys(fa));
    for (const k of Object.keys(fa)) expect(fb[k].equals(fa[k]), k).toBe(true);
    expect(dataFiles(c)['seq_items.u32'].equals(fa['seq_items.u32'])).toBe(false);
  });

  it('a failed import leaves no project folder behind', async () => {
    const dir = tmp();
    await expect(
      importDataset({ format: 'sasrec', input: path.join(dir, 'missing.txt'), project: path.join(dir, 'p') }),
    ).rejects.toThrow(/missing\.txt/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an import stopped from its progress callback (the UI stop) leaves nothing behind', async () => {
    const dir = tmp();
    let calls = 0;
    const stop = () => {
      if (++calls === 3) throw Object.assign(new Error('stopped'), { name: 'AbortError' });
    };
    await expect(
      importDataset({
        format: 'synthetic',
        project: path.join(dir, 'p'),
        synthetic: { users: 2000, items: 500 },
        onProgress: stop,
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(readdirSync(dir)).toEqual([]);
  });
});
