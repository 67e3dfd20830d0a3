import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  amazonCategoryOf,
  cleanAmazonTitle,
  decodeHtmlEntities,
  importAmazon,
} from '../../../../electron/engine/data/importers/amazon.ts';
import type { RawDataset, RawItem } from '../../../../electron/engine/data/raw-dataset.ts';
import { DatasetFormatError, InputError } from '../../../../electron/engine/errors.ts';

const FIXTURE_DIR = 'tests/fixtures/data/amazon';
const REVIEWS = join(FIXTURE_DIR, 'Toys_5.json');
const META = join(FIXTURE_DIR, 'meta_Toys.json');
const OPTS = { maxInteractions: 1_000_000, seed: 1 };

function writeFolder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'recx-amazon-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function itemOf(ds: RawDataset, asin: string): RawItem {
  return ds.items[ds.itemIds.indexOf(asin)];
}

function interactions(ds: RawDataset): [string, string, number][] {
  return Array.from({ length: ds.length }, (_, k) => [ds.userIds[ds.user[k]], ds.itemIds[ds.item[k]], ds.time[k]]);
}

async function formatError(run: Promise<unknown>): Promise<DatasetFormatError> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetFormatError);
  return err as DatasetFormatError;
}

/** Asserts the class and that the message names the file, the line and (when given) the field. */
async function expectFormatError(run: Promise<unknown>, file: string, line: number, field?: string) {
  const e = await formatError(run);
  expect(e.message).toContain(`${file}:${line}:`);
  expect(e.details).toMatchObject({ file, line });
  expect(e.details.field).toBe(field);
  if (field) expect(e.message).toContain(`field "${field}"`);
  return e;
}

const review = (fields: Record<string, unknown>) =>
  JSON.stringify({ overall: 5.0, reviewerID: 'A1', asin: 'B1', unixReviewTime: 1400457600, ...fields });
const GOOD_META = '{"asin": "B1", "title": "Kite"}\n';

describe('importAmazon on the Toys fixture', () => {
  it('reads every review as an interaction at its unixReviewTime', async () => {
    const ds = await importAmazon({ ...OPTS, input: FIXTURE_DIR });
    expect(ds.format).toBe('amazon');
    expect(ds.length).toBe(48);
    expect(ds.userIds).toHaveLength(8);
    expect(ds.userIds[0]).toBe('A1VXOAVRGKGEAK');
    // Only reviewed items are kept: the meta file's extra product B0000UNUSED is not.
    expect(ds.itemIds).toHaveLength(10);
    expect(ds.itemIds).not.toContain('B0000UNUSED');
    const rows = interactions(ds);
    expect(rows[0]).toEqual(['A1VXOAVRGKGEAK', 'B00000DMCE', 1400457600]);
    expect(rows[47]).toEqual(['A2Y3LMGFSDP8QO', 'B00000IZJB', 1400457600 + 7 * 3 * 86400 + 5 * 86400]);
    expect(ds.sources).toEqual([REVIEWS, META]);
  });

  it('decodes entities in titles, drops junk titles and keeps the first of duplicate records', async () => {
    const ds = await importAmazon({ ...OPTS, input: FIXTURE_DIR });
    expect(ds.hasTitles).toBe(true);
    expect(itemOf(ds, 'B00000DMCE').title).toBe('Melissa & Doug Wooden Puzzle');
    expect(itemOf(ds, 'B00000IZKX').title).toBe("Rubik's Cube");
    expect(itemOf(ds, 'B00000K3BR').title).toBe('Slinky "Original"');
    expect(itemOf(ds, 'B00000IZJB').title).toBeNull();
    expect(ds.warnings).toEqual([
      `${META}: 1 of 10 reviewed items have no usable title (missing, empty or scraped page junk)`,
    ]);
  });

  it('keeps category, brand and description as attributes', async () => {
    const ds = await importAmazon({ ...OPTS, input: FIXTURE_DIR });
    expect(itemOf(ds, 'B00000DMCE').attributes).toEqual({
      category: ['Toys & Games', 'Puzzles', 'Jigsaw Puzzles'],
      brand: 'Melissa & Doug',
      description: 'Eight pieces. Ages 3+.',
    });
    // Empty brand left out; a description given as a plain string kept as is.
    expect(itemOf(ds, 'B00000IZKX').attributes).toEqual({
      category: ['Toys & Games', 'Puzzles'],
      description: 'The original 3x3 cube.',
    });
    // Empty description list and empty category list left out.
    expect(itemOf(ds, 'B00000J0S3').attributes).toEqual({
      category: ['Toys & Games', 'Arts & Crafts'],
      brand: 'Play-Doh',
    });
    expect(itemOf(ds, 'B00002SQDY').attributes).toEqual({ brand: 'Ohio Art', description: 'Draw.' });
    const long = itemOf(ds, 'B00000J0HN').attributes['description'] as string;
    expect(long).toHaveLength(500);
    expect(long.startsWith('This wooden train set has smooth edges')).toBe(true);
  });

  it('gives the same dataset for the folder and for the reviews file', async () => {
    const fromFolder = await importAmazon({ ...OPTS, input: FIXTURE_DIR });
    expect(await importAmazon({ ...OPTS, input: REVIEWS })).toEqual(fromFolder);
  });

  it('reads .json.gz files, from the folder or from the reviews file', async () => {
    const plain = await importAmazon({ ...OPTS, input: FIXTURE_DIR });
    const dir = writeFolder({
      'Toys_5.json.gz': gzipSync(readFileSync(REVIEWS)),
      'meta_Toys.json.gz': gzipSync(readFileSync(META)),
    });
    for (const input of [dir, join(dir, 'Toys_5.json.gz')]) {
      const ds = await importAmazon({ ...OPTS, input });
      expect(interactions(ds)).toEqual(interactions(plain));
      expect(ds.items).toEqual(plain.items);
      expect(ds.sources).toEqual([join(dir, 'Toys_5.json.gz'), join(dir, 'meta_Toys.json.gz')]);
    }
  });

  it('reports progress over both files, ending at their total size', async () => {
    const calls: [number, number, string][] = [];
    const ds = await importAmazon({ ...OPTS, input: FIXTURE_DIR, onProgress: (d, t, l) => calls.push([d, t, l]) });
    expect(ds.length).toBe(48);
    const total = statSync(REVIEWS).size + statSync(META).size;
    expect(calls[0][2]).toBe('reading Toys_5.json');
    expect(calls.at(-1)).toEqual([total, total, 'reading meta_Toys.json']);
  });
});

describe('importAmazon file discovery', () => {
  it('prefers the 5-core file when the folder also holds the full reviews', async () => {
    const dir = writeFolder({
      'Toys.json': 'not read',
      'Toys_5.json': `${review({})}\n`,
      'meta_Toys.json': GOOD_META,
    });
    const ds = await importAmazon({ ...OPTS, input: dir });
    expect(ds.sources).toEqual([join(dir, 'Toys_5.json'), join(dir, 'meta_Toys.json')]);
    expect(ds.items).toEqual([{ title: 'Kite', attributes: {} }]);
  });

  it('names the expected metadata path when it is missing', async () => {
    const dir = writeFolder({ 'Toys_5.json': `${review({})}\n` });
    for (const input of [dir, join(dir, 'Toys_5.json')]) {
      const run = importAmazon({ ...OPTS, input });
      await expect(run).rejects.toThrow(InputError);
      await expect(run).rejects.toThrow(join(dir, 'meta_Toys.json'));
    }
  });

  it('says what it found when the folder has no reviews file or two', async () => {
    const none = writeFolder({ 'meta_Toys.json': GOOD_META });
    await expect(importAmazon({ ...OPTS, input: none })).rejects.toThrow(
      /exactly one Amazon reviews file .*found none/,
    );
    const two = writeFolder({ 'Toys_5.json': '{}', 'Books_5.json': '{}', 'meta_Toys.json': GOOD_META });
    await expect(importAmazon({ ...OPTS, input: two })).rejects.toThrow('found Books_5.json, Toys_5.json');
  });

  it('refuses the meta file as input, a missing path and no input', async () => {
    await expect(importAmazon({ ...OPTS, input: META })).rejects.toThrow(/this is a metadata file/);
    await expect(importAmazon({ ...OPTS, input: join(FIXTURE_DIR, 'nope') })).rejects.toThrow(InputError);
    await expect(importAmazon({ ...OPTS })).rejects.toThrow(InputError);
  });

  it('derives the category from 2018 and 2014 file names', () => {
    expect(amazonCategoryOf('/d/Toys_and_Games_5.json.gz')).toBe('Toys_and_Games');
    expect(amazonCategoryOf('reviews_Toys_and_Games_5.json')).toBe('Toys_and_Games');
  });
});

describe('importAmazon format errors', () => {
  /** Runs the importer on a reviews file holding `lines` and a good meta file. */
  function runReviews(lines: string[]) {
    const dir = writeFolder({ 'Toys_5.json': `${lines.join('\n')}\n`, 'meta_Toys.json': GOOD_META });
    return { file: join(dir, 'Toys_5.json'), run: importAmazon({ ...OPTS, input: dir }) };
  }

  it('rejects a line that is not JSON, naming file and line', async () => {
    const { file, run } = runReviews([review({}), "{'reviewerID': 'A2'}"]);
    const e = await expectFormatError(run, file, 2);
    expect(e.message).toContain('expected a JSON object');
  });

  it('rejects a JSON value that is not an object', async () => {
    const { file, run } = runReviews([review({}), '["A2", "B1"]']);
    await expectFormatError(run, file, 2);
  });

  const fieldCases: [string, Record<string, unknown>, string][] = [
    ['a missing reviewerID', { reviewerID: undefined }, 'reviewerID'],
    ['an empty reviewerID', { reviewerID: '' }, 'reviewerID'],
    ['a numeric asin', { asin: 42 }, 'asin'],
    ['a missing unixReviewTime', { unixReviewTime: undefined }, 'unixReviewTime'],
    ['a string unixReviewTime', { unixReviewTime: '1400457600' }, 'unixReviewTime'],
    ['a fractional unixReviewTime', { unixReviewTime: 1400457600.5 }, 'unixReviewTime'],
  ];
  for (const [what, fields, field] of fieldCases) {
    it(`rejects ${what}`, async () => {
      const { file, run } = runReviews([review({}), review({}), review(fields)]);
      await expectFormatError(run, file, 3, field);
    });
  }

  it('rejects a metadata record without an asin, and a metadata line that is not JSON', async () => {
    const noAsin = writeFolder({ 'Toys_5.json': `${review({})}\n`, 'meta_Toys.json': `${GOOD_META}{"title": "X"}\n` });
    await expectFormatError(importAmazon({ ...OPTS, input: noAsin }), join(noAsin, 'meta_Toys.json'), 2, 'asin');
    const bad = writeFolder({ 'Toys_5.json': `${review({})}\n`, 'meta_Toys.json': `${GOOD_META}{"asin": "B2",\n` });
    await expectFormatError(importAmazon({ ...OPTS, input: bad }), join(bad, 'meta_Toys.json'), 2);
  });
});

describe('Amazon title cleaning', () => {
  it('decodes the common HTML entities', () => {
    expect(decodeHtmlEntities('Tom &amp; Jerry &quot;1&quot; &#39;x&#39; &lt;b&gt; &#x41;')).toBe(
      'Tom & Jerry "1" \'x\' <b> A',
    );
    expect(decodeHtmlEntities('AT&T &unknown; &#0;')).toBe('AT&T &unknown; &#0;');
  });

  it('treats empty and page-junk titles as missing', () => {
    expect(cleanAmazonTitle('  Kite &amp; String ')).toBe('Kite & String');
    expect(cleanAmazonTitle('')).toBeNull();
    expect(cleanAmazonTitle('   ')).toBeNull();
    expect(cleanAmazonTitle(undefined)).toBeNull();
    expect(cleanAmazonTitle(['Kite'])).toBeNull();
    expect(cleanAmazonTitle('<span class="a-size-large">Kite</span>')).toBeNull();
    expect(cleanAmazonTitle('.a-box { display: block }')).toBeNull();
    expect(cleanAmazonTitle('var aPageStart = (new Date()).getTime();')).toBeNull();
    expect(cleanAmazonTitle('Simon Bolivar Action Figure')).toBe('Simon Bolivar Action Figure');
    // An encoded '<' in a real title is not junk.
    expect(cleanAmazonTitle('I &lt;3 Kites')).toBe('I <3 Kites');
  });
});
