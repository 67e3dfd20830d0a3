/** Shared set-up of the external-recommender tests: a project holding the fixtures' synthetic dataset. */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDataset } from '../../../electron/engine/data/dataset-store.ts';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import { encodeSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { importExternalRecommender } from '../../../electron/engine/recommender/external/index.ts';
import { FIXTURE_DATASET } from '../../fixtures/recommender/make-onnx-fixture.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/recommender');

let template: Promise<string> | null = null;

/** A fresh copy of a project with the synthetic dataset the fixtures were made for. */
export async function datasetProject(): Promise<string> {
  template ??= (async () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'recx-ext-template-')), 'project');
    const { users, items, kCore, seed } = FIXTURE_DATASET;
    await importDataset({ format: 'synthetic', project: dir, synthetic: { users, items }, kCore, seed });
    return dir;
  })();
  const dir = path.join(tmpdir(), `recx-ext-${process.pid}-${Math.random().toString(36).slice(2)}`);
  cpSync(await template, dir, { recursive: true });
  return dir;
}

/** A scratch folder with copies of a fixture folder's files. */
export function fixtureCopy(sub: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `recx-ext-${sub}-`));
  cpSync(path.join(FIXTURES, sub), dir, { recursive: true });
  return dir;
}

export async function datasetIds(project: string) {
  const { dataset } = await readDataset(project);
  return {
    dataset,
    item: (source: string) => dataset.itemRecords.findIndex((r) => r.sourceId === source) + 1,
    user: (source: string) => dataset.userSourceIds.indexOf(source) + 1,
  };
}

/** The recommender folder's files (relative names) with their bytes, to check a failed import left it alone. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

export const leftovers = (project: string): string[] => readdirSync(project).filter((n) => n.startsWith('.tmp-'));

/** An error class for `toBeInstanceOf`. */
export type ErrorClass = abstract new (...args: never[]) => Error;

/** A copy of the fixture manifest in `dir` with fields replaced, saved as `name`. */
export function manifestIn(dir: string, patch: Record<string, unknown> = {}, name = 'manifest.json'): string {
  const base = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ ...base, ...patch }));
  return file;
}

export const tableFile = (
  dir: string,
  table: Float32Array,
  rows: number,
  width: number,
  name = 'items.safetensors',
) => {
  writeFileSync(
    path.join(dir, name),
    encodeSafetensors({ weight: { dtype: 'float32', dims: [rows, width], data: table } }),
  );
};

export async function importOnnx(project: string, manifest: string, force = false) {
  return importExternalRecommender(project, { level: 'onnx', manifest, force, settings: { providers: ['cpu'] } });
}
