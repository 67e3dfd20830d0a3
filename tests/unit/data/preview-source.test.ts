/** previewSource: format detection and first rows for each importer's files, on the importer fixtures. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { datasetPreviewSchema } from '../../../electron/contracts/api.ts';
import { PREVIEW_HEAD_BYTES, previewSource } from '../../../electron/engine/data/preview-source.ts';
import { InputError } from '../../../electron/engine/errors.ts';

const DATA = path.resolve('tests/fixtures/data');
const PREVIEW = path.resolve('tests/fixtures/preview');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-preview-'));

async function preview(input: string, format?: Parameters<typeof previewSource>[1]) {
  return datasetPreviewSchema.parse(await previewSource(input, format));
}

describe('previewSource detects each format', () => {
  it('MovieLens 100K, 1M and latest from their file names, with the ratings as rows', async () => {
    const k100 = await preview(path.join(DATA, 'movielens/ml-100k'));
    expect(k100).toMatchObject({ format: 'movielens', files: ['u.data', 'u.genre', 'u.item'] });
    expect(k100.reason).toBe('found u.data and u.item (MovieLens 100K)');
    expect(k100.file).toBe(path.join(DATA, 'movielens/ml-100k/u.data'));
    expect(k100.columns).toEqual(['user id', 'item id', 'rating', 'timestamp']);
    expect(k100.rows[0]).toEqual(['1', '1', '1', '881250060']);
    expect(k100.rows.length).toBeLessThanOrEqual(10);

    const m1 = await preview(path.join(DATA, 'movielens/ml-1m'));
    expect(m1.reason).toBe('found ratings.dat and movies.dat (MovieLens 1M)');
    expect(m1.rows.slice(0, 2)).toEqual([
      ['1', '1', '1', '978300017'],
      ['1', '2', '2', '978300034'],
    ]);

    const latest = await preview(path.join(DATA, 'movielens/ml-latest-small'));
    expect(latest.reason).toBe('found ratings.csv and movies.csv (MovieLens latest)');
    expect(latest.columns).toEqual(['userId', 'movieId', 'rating', 'timestamp']);
    expect(latest.rows[0]).toEqual(['1', '1', '1.0', '964982031']);
  });

  it('a MovieLens file given directly previews its folder’s ratings', async () => {
    const p = await preview(path.join(DATA, 'movielens/ml-1m/movies.dat'));
    expect(p).toMatchObject({ format: 'movielens', files: ['movies.dat'] });
    expect(p.file).toBe(path.join(DATA, 'movielens/ml-1m/ratings.dat'));
  });

  it('RecBole atomic files: header names without their types', async () => {
    const p = await preview(path.join(DATA, 'recbole/ml-mini'));
    expect(p.format).toBe('recbole');
    expect(p.reason).toBe('found ml-mini.inter and ml-mini.item (RecBole atomic files)');
    expect(p.columns).toEqual(['user_id', 'item_id', 'rating', 'timestamp']);
    expect(p.rows[0]).toEqual(['1', '1', '2', '881251000']);
  });

  it('Amazon 2018 reviews + meta, also gzip-compressed', async () => {
    const p = await preview(path.join(DATA, 'amazon'));
    expect(p.format).toBe('amazon');
    expect(p.reason).toBe('found Toys_5.json and meta_Toys.json (Amazon reviews 2018)');
    expect(p.columns.slice(0, 3)).toEqual(['reviewerID', 'asin', 'unixReviewTime']);
    expect(p.rows[0].slice(0, 4)).toEqual(['A1VXOAVRGKGEAK', 'B00000DMCE', '1400457600', '1']);

    const dir = tmp();
    for (const f of ['Toys_5.json', 'meta_Toys.json']) {
      writeFileSync(path.join(dir, `${f}.gz`), gzipSync(readFileSync(path.join(DATA, 'amazon', f))));
    }
    const gz = await preview(dir);
    expect(gz.reason).toBe('found Toys_5.json.gz and meta_Toys.json.gz (Amazon reviews 2018)');
    expect(gz.rows).toEqual(p.rows);
    const meta = await preview(path.join(dir, 'meta_Toys.json.gz'));
    expect(meta.format).toBeNull();
    expect(meta.reason).toContain('is an Amazon metadata file');
  });

  it('SASRec "user item" lines and CSV/TSV files with a header', async () => {
    const s = await preview(path.join(DATA, 'sasrec/mini.txt'));
    expect(s).toMatchObject({ format: 'sasrec', columns: ['user', 'item'], files: ['mini.txt'] });
    expect(s.rows[0]).toEqual(['1', '4']);
    expect(s.reason).toContain('SASRec');

    const tsv = await preview(path.join(DATA, 'csv/clicks.tsv'));
    expect(tsv).toMatchObject({ format: 'csv', columns: ['session', 'product', 'price'] });
    expect(tsv.rows[0]).toEqual(['s1', 'p100', '2.99']);

    const folder = await preview(path.join(DATA, 'csv'));
    expect(folder.format).toBe('csv');
    expect(folder.file).toBe(path.join(DATA, 'csv/books.csv'));
    expect(folder.reason).toContain('book_id, name, category, tags');

    const semi = await preview(path.join(PREVIEW, 'semicolon'));
    expect(semi.columns).toEqual(['customer', 'product', 'title', 'ts']);
    expect(semi.rows[0]).toEqual(['c1', 'p1', 'Tea; green', '1700000000']);
  });
});

describe('previewSource without a match, with a chosen format, and its limits', () => {
  it('an unknown folder: format null, a reason listing what was looked for, the first file as columns', async () => {
    const p = await preview(path.join(PREVIEW, 'unknown'));
    expect(p.format).toBeNull();
    expect(p.reason).toMatch(/^no known dataset files: .*looked for MovieLens/);
    expect(p.reason).toContain('found summary.json but no meta_summary.json');
    expect(p.files).toEqual(['notes.txt', 'summary.json']);
    expect(p.file).toBe(path.join(PREVIEW, 'unknown/notes.txt'));
    expect(p.columns[0]).toBe('column 1');
    expect(p.rows).toHaveLength(2);
  });

  it('names the missing companion file of a MovieLens folder', async () => {
    const dir = tmp();
    copyFileSync(path.join(DATA, 'movielens/ml-100k/u.data'), path.join(dir, 'u.data'));
    const p = await preview(dir);
    expect(p.format).toBeNull();
    expect(p.reason).toContain('found u.data but not u.item, which MovieLens 100K needs beside it');
  });

  it('a chosen format is used as given', async () => {
    const asCsv = await preview(path.join(DATA, 'sasrec/mini.txt'), 'csv');
    expect(asCsv.format).toBe('csv');
    expect(asCsv.columns).toEqual(['1 4']);
    const wrong = await preview(path.join(PREVIEW, 'unknown'), 'recbole');
    expect(wrong).toMatchObject({ format: 'recbole', reason: 'recbole chosen, but no RecBole .inter file' });
    const synthetic = await preview(path.join(PREVIEW, 'unknown'), 'synthetic');
    expect(synthetic).toMatchObject({ format: 'synthetic', file: null, rows: [] });
  });

  it('reads only the head: a big gzip file cut in half still previews', async () => {
    const dir = tmp();
    const lines = ['user,item,time'];
    for (let k = 0; k < 200_000; k++) lines.push(`u${k % 977},i${(k * 31) % 5003},${k}`);
    const gz = gzipSync(lines.join('\n'));
    expect(gz.length).toBeGreaterThan(PREVIEW_HEAD_BYTES * 2);
    writeFileSync(path.join(dir, 'big.csv.gz'), gz.subarray(0, gz.length >> 1));
    const p = await preview(dir);
    expect(p).toMatchObject({ format: 'csv', columns: ['user', 'item', 'time'] });
    expect(p.rows).toHaveLength(10);
    expect(p.rows[9]).toEqual(['u9', `i${9 * 31}`, '9']);
  });

  it('lists at most 50 entries, folders marked with a slash', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'a-sub'));
    for (let k = 0; k < 60; k++) writeFileSync(path.join(dir, `f${String(k).padStart(2, '0')}.md`), 'x\n');
    const p = await preview(dir);
    expect(p.files).toHaveLength(50);
    expect(p.files[0]).toBe('a-sub/');
    expect(p.files.at(-1)).toBe('f48.md');
  });

  it('a missing path is an InputError naming it', async () => {
    const missing = path.join(tmp(), 'nope');
    await expect(previewSource(missing)).rejects.toThrow(InputError);
    await expect(previewSource(missing)).rejects.toThrow(missing);
  });
});
