import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importRecbole } from '../../../../electron/engine/data/importers/recbole.ts';
import type { RawDataset } from '../../../../electron/engine/data/raw-dataset.ts';
import { DatasetFormatError, DatasetTooLargeError, InputError } from '../../../../electron/engine/errors.ts';

const FIXTURE_DIR = 'tests/fixtures/data/recbole/ml-mini';
const INTER = join(FIXTURE_DIR, 'ml-mini.inter');
const ITEM = join(FIXTURE_DIR, 'ml-mini.item');
const OPTS = { maxInteractions: 1_000_000, seed: 1 };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'recx-recbole-'));
}

/** Writes files into a fresh temp folder and returns the folder. */
function writeFolder(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function interactions(ds: RawDataset): [string, string, number][] {
  return Array.from({ length: ds.length }, (_, k) => [ds.userIds[ds.user[k]], ds.itemIds[ds.item[k]], ds.time[k]]);
}

function titleOf(ds: RawDataset, itemId: string): string | null {
  return ds.items[ds.itemIds.indexOf(itemId)].title;
}

async function formatError(run: Promise<unknown>): Promise<DatasetFormatError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetFormatError);
  return err as DatasetFormatError;
}

/** Asserts the error class and that the message names the file, the line and the field. */
async function expectFormatError(run: Promise<unknown>, file: string, line: number, field: string) {
  const e = await formatError(run);
  expect(e.message).toContain(`${file}:${line}:`);
  expect(e.message).toContain(`field "${field}"`);
  expect(e.details).toMatchObject({ file, line, field });
}

const INTER_HEADER = 'user_id:token\titem_id:token\ttimestamp:float';
const ITEM_MIN = 'item_id:token\ttitle:token_seq\ni1\tA B\n';

describe('importRecbole on the ml-mini fixture', () => {
  it('reads every interaction, with times from the timestamp column', async () => {
    const ds = await importRecbole({ ...OPTS, input: FIXTURE_DIR });
    expect(ds.format).toBe('recbole');
    expect(ds.length).toBe(48);
    expect(ds.userIds).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    // Item 11 is in the .item file but never rated: it is not kept.
    expect(ds.itemIds).toHaveLength(10);
    expect(ds.itemIds).not.toContain('11');
    const rows = interactions(ds);
    expect(rows[0]).toEqual(['1', '1', 881251000]);
    // User 3's first two rows are out of time order in the file; times come from the column.
    expect(rows[12]).toEqual(['3', '4', 881253010]);
    expect(rows[13]).toEqual(['3', '3', 881253000]);
    expect(rows[47]).toEqual(['8', '3', 881258050]);
    expect(ds.sources).toEqual([INTER, ITEM]);
    expect(ds.warnings).toEqual([]);
  });

  it('joins title tokens and keeps the other fields as typed attributes', async () => {
    const ds = await importRecbole({ ...OPTS, input: FIXTURE_DIR });
    expect(ds.hasTitles).toBe(true);
    expect(titleOf(ds, '1')).toBe('Toy Story');
    expect(titleOf(ds, '6')).toBe('Shanghai Triad (Yao a yao yao dao waipo qiao)');
    const toyStory = ds.items[ds.itemIds.indexOf('1')];
    expect(toyStory.attributes).toEqual({ release_year: '1995', class: ['Animation', "Children's", 'Comedy'] });
    // An empty token is left out rather than kept as ''.
    expect(ds.items[ds.itemIds.indexOf('10')].attributes).toEqual({ class: ['Drama', 'War'] });
  });

  it('gives the same dataset for the folder and for the .inter file', async () => {
    const fromFolder = await importRecbole({ ...OPTS, input: FIXTURE_DIR });
    const fromFile = await importRecbole({ ...OPTS, input: INTER });
    expect(fromFile).toEqual(fromFolder);
  });

  it('reads gzip-compressed atomic files (detected by content)', async () => {
    const dir = writeFolder({
      'ml-mini.inter': gzipSync(readFileSync(INTER)),
      'ml-mini.item': gzipSync(readFileSync(ITEM)),
    });
    const ds = await importRecbole({ ...OPTS, input: dir });
    const plain = await importRecbole({ ...OPTS, input: FIXTURE_DIR });
    expect(interactions(ds)).toEqual(interactions(plain));
    expect(ds.items).toEqual(plain.items);
  });

  it('reports progress over both files, ending at their total size', async () => {
    const calls: [number, number, string][] = [];
    const ds = await importRecbole({ ...OPTS, input: FIXTURE_DIR, onProgress: (d, t, l) => calls.push([d, t, l]) });
    expect(ds.length).toBe(48);
    const total = statSync(INTER).size + statSync(ITEM).size;
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every(([, t]) => t === total)).toBe(true);
    expect(calls.at(-1)).toEqual([total, total, 'reading ml-mini.item']);
    expect(calls[0][2]).toBe('reading ml-mini.inter');
  });

  it('refuses more interactions than the limit', async () => {
    await expect(importRecbole({ ...OPTS, maxInteractions: 10, input: FIXTURE_DIR })).rejects.toThrow(
      DatasetTooLargeError,
    );
  });
});

describe('importRecbole on other valid inputs', () => {
  it('uses file order as time order without a timestamp column', async () => {
    const dir = writeFolder({ 'a.inter': 'user_id:token\titem_id:token\nu1\ti1\nu2\ti1\n\n', 'a.item': ITEM_MIN });
    const ds = await importRecbole({ ...OPTS, input: dir });
    expect(interactions(ds)).toEqual([
      ['u1', 'i1', 2],
      ['u2', 'i1', 3],
    ]);
  });

  it('warns and leaves titles missing when there is no .item file', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t5\n` });
    const ds = await importRecbole({ ...OPTS, input: join(dir, 'a.inter') });
    expect(ds.hasTitles).toBe(false);
    expect(ds.items).toEqual([{ title: null, attributes: {} }]);
    expect(ds.sources).toEqual([join(dir, 'a.inter')]);
    expect(ds.warnings).toHaveLength(1);
    expect(ds.warnings[0]).toContain(join(dir, 'a.item'));
    expect(ds.warnings[0]).toContain('language-based');
  });

  it('keeps float as a number, float_seq as its text, and a token title as is', async () => {
    const item = 'item_id:token\ttitle:token\tprice:float\tembedding:float_seq\ni1\tKite\t9.5\t0.1 -2 3e-1\n';
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t5\nu1\ti2\t6\n`, 'a.item': item });
    const ds = await importRecbole({ ...OPTS, input: dir });
    expect(ds.items[0]).toEqual({ title: 'Kite', attributes: { price: 9.5, embedding: '0.1 -2 3e-1' } });
    expect(ds.items[1]).toEqual({ title: null, attributes: {} });
    expect(ds.warnings).toEqual([`${join(dir, 'a.item')}: 1 of 2 items have no row here, so they have no title`]);
  });

  it('warns when the .item file has no title field', async () => {
    const dir = writeFolder({
      'a.inter': `${INTER_HEADER}\nu1\ti1\t5\n`,
      'a.item': 'item_id:token\tyear:token\ni1\t1999\n',
    });
    const ds = await importRecbole({ ...OPTS, input: dir });
    expect(ds.hasTitles).toBe(false);
    expect(ds.items[0]).toEqual({ title: null, attributes: { year: '1999' } });
    expect(ds.warnings[0]).toContain('no title field');
  });
});

describe('importRecbole header errors (line 1)', () => {
  const cases: [string, string, string][] = [
    ['an entry without a type', 'user_id\titem_id:token', 'user_id'],
    ['an unknown type', 'user_id:token\titem_id:token\trating:int', 'rating'],
    ['a duplicate field', 'user_id:token\titem_id:token\titem_id:token', 'item_id'],
    ['no user_id field', 'uid:token\titem_id:token', 'user_id'],
    ['no item_id field', 'user_id:token\tiid:token', 'item_id'],
    ['a user_id that is not a token', 'user_id:float\titem_id:token', 'user_id'],
    ['a timestamp that is not a float', 'user_id:token\titem_id:token\ttimestamp:token_seq', 'timestamp'],
  ];
  for (const [what, header, field] of cases) {
    it(`rejects ${what} in the .inter header`, async () => {
      const dir = writeFolder({ 'a.inter': `${header}\nu1\ti1\t1\n` });
      await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.inter'), 1, field);
    });
  }

  it('rejects an .item header without item_id', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t1\n`, 'a.item': 'id:token\ttitle:token\ni1\tA\n' });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.item'), 1, 'item_id');
  });
});

describe('importRecbole data errors', () => {
  it('rejects a line with too few columns, naming the first missing field', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t1\nu2\ti2\n` });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.inter'), 3, 'timestamp');
  });

  it('rejects a line with too many columns', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t1\t9\n` });
    const e = await formatError(importRecbole({ ...OPTS, input: dir }));
    expect(e.message).toContain(`${join(dir, 'a.inter')}:2:`);
    expect(e.message).toContain('3 tab-separated columns');
  });

  it('rejects a non-numeric timestamp', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t1\nu1\ti2\tyesterday\n` });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.inter'), 3, 'timestamp');
  });

  it('rejects a non-numeric float in another .inter column', async () => {
    const dir = writeFolder({ 'a.inter': 'user_id:token\titem_id:token\trating:float\nu1\ti1\tfive\n' });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.inter'), 2, 'rating');
  });

  it('rejects an empty user id', async () => {
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\n\ti1\t1\n` });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.inter'), 2, 'user_id');
  });

  it('rejects a non-numeric float in the .item file', async () => {
    const item = 'item_id:token\ttitle:token\tprice:float\ni1\tKite\t$9\n';
    const dir = writeFolder({ 'a.inter': `${INTER_HEADER}\nu1\ti1\t1\n`, 'a.item': item });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.item'), 2, 'price');
  });

  it('rejects a wrong column count in the .item file', async () => {
    const dir = writeFolder({
      'a.inter': `${INTER_HEADER}\nu1\ti1\t1\n`,
      'a.item': 'item_id:token\ttitle:token\ni1\n',
    });
    await expectFormatError(importRecbole({ ...OPTS, input: dir }), join(dir, 'a.item'), 2, 'title');
  });
});

describe('importRecbole input errors', () => {
  it('says what the folder holds when there is no .inter file', async () => {
    const dir = writeFolder({ 'a.item': ITEM_MIN, 'notes.txt': 'x' });
    const run = importRecbole({ ...OPTS, input: dir });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(
      'expected exactly one RecBole .inter file in the folder, found a.item, notes.txt',
    );
  });

  it('lists the .inter files when there are several', async () => {
    const dir = writeFolder({ 'a.train.inter': INTER_HEADER, 'a.test.inter': INTER_HEADER });
    const run = importRecbole({ ...OPTS, input: dir });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow('found a.test.inter, a.train.inter');
  });

  it('says so for an empty folder, a missing path, no input or a file that is not .inter', async () => {
    const empty = tempDir();
    mkdirSync(join(empty, 'sub'));
    await expect(importRecbole({ ...OPTS, input: empty })).rejects.toThrow(InputError);
    await expect(importRecbole({ ...OPTS, input: join(empty, 'nope') })).rejects.toThrow(/nope: not found/);
    await expect(importRecbole({ ...OPTS })).rejects.toThrow(InputError);
    await expect(importRecbole({ ...OPTS, input: ITEM })).rejects.toThrow(/expected a RecBole \.inter file/);
  });

  it('rejects an empty .inter file', async () => {
    const dir = writeFolder({ 'a.inter': '' });
    const e = await formatError(importRecbole({ ...OPTS, input: dir }));
    expect(e.details.file).toBe(join(dir, 'a.inter'));
  });
});
