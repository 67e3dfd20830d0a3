import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { importMovielens } from '../../../../electron/engine/data/importers/movielens.ts';
import type { ImportOptions } from '../../../../electron/engine/data/importers/types.ts';
import type { RawDataset } from '../../../../electron/engine/data/raw-dataset.ts';
import { DatasetFormatError, DatasetTooLargeError, InputError } from '../../../../electron/engine/errors.ts';

const FIXTURES = 'tests/fixtures/data/movielens';
const LATEST = 'ml-latest-small';
const RATINGS_HEADER = 'userId,movieId,rating,timestamp\n';
const BASE = { maxInteractions: Number.POSITIVE_INFINITY, seed: 1 };
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temp folder holding the given files. */
function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'recx-ml-'));
  tempDirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** A copy of a fixture folder with some files replaced. */
function fixtureWith(variant: string, files: Record<string, string | Buffer>): string {
  const dir = folder({});
  cpSync(join(FIXTURES, variant), dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const load = (input: string, extra: Partial<ImportOptions> = {}) => importMovielens({ ...BASE, input, ...extra });
const caught = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

function item(d: RawDataset, sourceId: string) {
  return d.items[d.itemIds.indexOf(sourceId)];
}

/** Awaits a rejection and checks it is a DatasetFormatError naming file, line and field. */
async function expectFormatError(p: Promise<unknown>, file: string, line?: number, field?: string) {
  const err = await caught(p);
  expect(err).toBeInstanceOf(DatasetFormatError);
  const e = err as DatasetFormatError;
  expect(e.details.file).toBe(file);
  expect(e.message).toContain(line === undefined ? file : `${file}:${line}:`);
  expect(e.details.line).toBe(line);
  if (field !== undefined) expect(e.message).toContain(`field "${field}"`);
  return e;
}

describe('importMovielens: good input', () => {
  it('reads ml-100k with latin-1 titles, u.genre names, genres and years', async () => {
    const dir = join(FIXTURES, 'ml-100k');
    const d = await load(dir);
    expect(d.format).toBe('movielens');
    expect(d.length).toBe(56);
    expect(d.userIds).toHaveLength(8);
    expect(d.itemIds).toHaveLength(11);
    expect(d.sources).toEqual([join(dir, 'u.genre'), join(dir, 'u.item'), join(dir, 'u.data')]);
    expect(d.hasTitles).toBe(true);
    expect(d.warnings).toEqual([]);
    expect(item(d, '10').title).toBe('Cité des enfants perdus, La (1995)');
    expect(item(d, '1')).toEqual({
      title: 'Toy Story (1995)',
      attributes: { genres: ['Animation', "Children's", 'Comedy'], year: 1995 },
    });
    // Title kept as given; no year to parse.
    expect(item(d, '11')).toEqual({ title: 'unknown', attributes: { genres: ['unknown'] } });
    expect([d.userIds[d.user[0]], d.itemIds[d.item[0]], d.time[0]]).toEqual(['1', '1', 881250060]);
  });

  it('uses the genre names of u.genre, and the standard ones without it', async () => {
    const genres = readFileSync(join(FIXTURES, 'ml-100k/u.genre'), 'latin1').replace("Children's", 'Kids');
    const renamed = await load(fixtureWith('ml-100k', { 'u.genre': genres }));
    expect(item(renamed, '1').attributes.genres).toEqual(['Animation', 'Kids', 'Comedy']);
    const noGenreFile = fixtureWith('ml-100k', {});
    rmSync(join(noGenreFile, 'u.genre'));
    const standard = await load(noGenreFile);
    expect(item(standard, '1').attributes.genres).toEqual(['Animation', "Children's", 'Comedy']);
    expect(standard.sources.map((s) => s.slice(noGenreFile.length + 1))).toEqual(['u.item', 'u.data']);
  });

  it('reads ml-1m with latin-1 titles and |-separated genres', async () => {
    const d = await load(join(FIXTURES, 'ml-1m'));
    expect([d.length, d.userIds.length, d.itemIds.length]).toEqual([56, 8, 10]);
    expect(item(d, '73')).toEqual({
      title: 'Misérables, Les (1995)',
      attributes: { genres: ['Drama', 'Musical'], year: 1995 },
    });
    expect(d.time[0]).toBe(978300017);
  });

  it('reads ml-latest-small with quoted titles, UTF-8 and "(no genres listed)"', async () => {
    const d = await load(join(FIXTURES, 'ml-latest-small'));
    expect([d.length, d.userIds.length, d.itemIds.length]).toEqual([56, 8, 10]);
    expect(item(d, '11').title).toBe('American President, The (1995)');
    expect(item(d, '5000')).toEqual({
      title: 'Adventures of "Crocodile" Dundee, The (2000)',
      attributes: { genres: ['Adventure', 'Comedy'], year: 2000 },
    });
    expect(item(d, '4973').title).toBe("Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)");
    expect(item(d, '176601')).toEqual({ title: 'Black Mirror', attributes: { genres: [] } });
    expect(item(d, '171749').attributes).toEqual({ genres: [] });
  });

  it('detects the variant from the folder, or from a file inside it', async () => {
    for (const [variant, ratings] of [
      ['ml-100k', 'u.data'],
      ['ml-1m', 'ratings.dat'],
      ['ml-latest-small', 'ratings.csv'],
    ]) {
      const viaFile = await load(join(FIXTURES, variant, ratings));
      expect(viaFile.sources.at(-1)).toBe(join(FIXTURES, variant, ratings));
      expect(viaFile.length).toBe(56);
    }
  });

  it('honours an encoding override', async () => {
    const utf8 = folder({
      'movies.dat': readFileSync(join(FIXTURES, 'ml-1m/movies.dat'), 'latin1'),
      'ratings.dat': readFileSync(join(FIXTURES, 'ml-1m/ratings.dat'), 'latin1'),
    });
    const asUtf8 = await load(utf8, { encoding: 'utf-8' });
    expect(item(asUtf8, '73').title).toBe('Misérables, Les (1995)');
    const asLatin1 = await load(utf8);
    expect(item(asLatin1, '73').title).toBe('MisÃ©rables, Les (1995)');
    // The latin-1 fixture is not valid UTF-8: the error points at the line with the 0xE9 byte.
    const err = await expectFormatError(
      load(join(FIXTURES, 'ml-1m'), { encoding: 'utf-8' }),
      join(FIXTURES, 'ml-1m/movies.dat'),
      10,
    );
    expect(err.message).toContain('--encoding latin-1');
  });

  it('rejects an unknown encoding with an InputError', async () => {
    await expect(load(join(FIXTURES, 'ml-1m'), { encoding: 'klingon' })).rejects.toThrow(InputError);
  });

  it('reads gzip files, under the plain names or with a .gz suffix', async () => {
    const gz = (p: string) => gzipSync(readFileSync(join(FIXTURES, p)));
    const plainNames = folder({ 'u.item': gz('ml-100k/u.item'), 'u.data': gz('ml-100k/u.data') });
    const d100k = await load(plainNames);
    expect(d100k.length).toBe(56);
    expect(item(d100k, '10').title).toBe('Cité des enfants perdus, La (1995)');
    const suffixed = folder({
      'movies.csv.gz': gz('ml-latest-small/movies.csv'),
      'ratings.csv.gz': gz('ml-latest-small/ratings.csv'),
    });
    const latest = await load(suffixed);
    expect([latest.length, item(latest, '11').title]).toEqual([56, 'American President, The (1995)']);
  });

  it('reports progress per file and loses no line of inputs larger than one read chunk', async () => {
    const ratings = Array.from({ length: 6000 }, (_, k) => `${(k % 50) + 1}::${(k % 9) + 1}::4::${978300000 + k}\n`);
    const movies = readFileSync(join(FIXTURES, 'ml-1m/movies.dat'));
    const dir = folder({ 'movies.dat': movies, 'ratings.dat': ratings.join('') });
    const seen: Record<string, [number, number]> = {};
    const onProgress = (done: number, total: number, label: string) => {
      seen[label] = [done, total];
    };
    const d = await load(dir, { onProgress });
    expect(d.length).toBe(6000);
    expect(d.time[0]).toBe(978300000);
    const size = ratings.join('').length;
    expect(seen).toEqual({ 'movies.dat': [movies.length, movies.length], 'ratings.dat': [size, size] });
  });

  it('warns once, with the count, about rated items missing from the items file', async () => {
    const dir = fixtureWith('ml-1m', { 'ratings.dat': '1::1::5::10\n1::998::4::11\n2::999::3::12\n2::998::3::13\n' });
    const d = await load(dir);
    expect(d.length).toBe(4);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/^2 item id\(s\) rated in .*ratings\.dat are missing from .*movies\.dat/);
    expect(item(d, '999').title).toBeNull();
  });

  it('enforces maxInteractions, naming the line', async () => {
    const err = importMovielens({ ...BASE, maxInteractions: 10, input: join(FIXTURES, 'ml-100k') });
    await expect(err).rejects.toThrow(DatasetTooLargeError);
    await expect(err).rejects.toThrow(`${join(FIXTURES, 'ml-100k/u.data')}:11`);
  });
});

describe('importMovielens: bad input', () => {
  it('needs an input folder that exists and holds a known file set', async () => {
    await expect(importMovielens({ ...BASE })).rejects.toThrow(InputError);
    await expect(load('/nonexistent/ml')).rejects.toThrow(/\/nonexistent\/ml.*not found/);
    const empty = folder({ 'README.txt': 'hello' });
    const err = load(empty);
    await expect(err).rejects.toThrow(InputError);
    await expect(err).rejects.toThrow(/u\.data.*ratings\.dat.*ratings\.csv/);
  });

  it('names the missing items file', async () => {
    const dir = folder({ 'u.data': '1\t1\t5\t10\n' });
    const err = load(dir);
    await expect(err).rejects.toThrow(InputError);
    await expect(err).rejects.toThrow(`${join(dir, 'u.item')}: MovieLens items file`);
  });

  /** [variant, file replaced, its content, bad line, field named]. */
  type BadFile = [string, string, string, number, string];
  async function expectBadFiles(cases: BadFile[]) {
    for (const [variant, file, content, line, field] of cases) {
      const dir = fixtureWith(variant, { [file]: content });
      await expectFormatError(load(dir), join(dir, file), line, field);
    }
  }

  it('rejects wrong field counts in each format', async () => {
    await expectBadFiles([
      ['ml-100k', 'u.data', '1\t1\t5\t10\n1\t2\t5\n', 2, 'timestamp'],
      ['ml-1m', 'ratings.dat', '1::1::5::10::extra\n', 1, 'field 5'],
      ['ml-100k', 'u.item', '1|Toy Story (1995)|01-Jan-1995||url|0|1\n', 1, 'Adventure'],
      [LATEST, 'ratings.csv', `${RATINGS_HEADER}1,1,4.0,10\n1,2\n`, 3, 'rating'],
      [LATEST, 'ratings.csv', `${RATINGS_HEADER}1,1,4,10,9\n`, 2, 'column 5'],
    ]);
  });

  it('rejects non-numeric ids, ratings and timestamps, and bad genre data', async () => {
    await expectBadFiles([
      ['ml-100k', 'u.data', '1\t1\t5\t10\nx7\t1\t5\t10\n', 2, 'user id'],
      ['ml-100k', 'u.data', '1\t1\tfive\t10\n', 1, 'rating'],
      ['ml-1m', 'ratings.dat', '1::1::5::10\n1::2::5::10\n1::m3::5::10\n', 3, 'item id'],
      ['ml-1m', 'movies.dat', 'one::Toy Story (1995)::Comedy\n', 1, 'movie id'],
      [LATEST, 'ratings.csv', `${RATINGS_HEADER}1,1,4.0,yesterday\n`, 2, 'timestamp'],
      [LATEST, 'ratings.csv', `${RATINGS_HEADER}1,1,,10\n`, 2, 'rating'],
      [LATEST, 'movies.csv', 'movieId,title,genres\n1,Toy Story (1995),Comedy\n2.5,X,Drama\n', 3, 'movieId'],
      ['ml-100k', 'u.item', `1|T (1995)|||url${'|0'.repeat(18)}|2\n`, 1, 'Western'],
      ['ml-100k', 'u.genre', 'unknown|0\nAction|2\n', 2, 'index'],
    ]);
  });

  it('rejects empty files and a ratings file without ratings', async () => {
    const emptyData = fixtureWith('ml-100k', { 'u.data': '' });
    await expectFormatError(load(emptyData), join(emptyData, 'u.data'));
    const emptyItems = fixtureWith('ml-1m', { 'movies.dat': '' });
    await expectFormatError(load(emptyItems), join(emptyItems, 'movies.dat'));
    const headerOnly = fixtureWith(LATEST, { 'ratings.csv': RATINGS_HEADER });
    const err = await expectFormatError(load(headerOnly), join(headerOnly, 'ratings.csv'));
    expect(err.message).toContain('at least one rating');
  });

  it('rejects ml-latest headers with missing or duplicate columns, listing the header', async () => {
    const missing = fixtureWith(LATEST, { 'ratings.csv': 'userId,movieId,rating,time\n1,1,4,10\n' });
    const err = await expectFormatError(load(missing), join(missing, 'ratings.csv'), 1, 'timestamp');
    expect(err.message).toContain('userId, movieId, rating, time');
    const dup = fixtureWith(LATEST, { 'movies.csv': 'movieId,title,title,genres\n1,A,B,Drama\n' });
    await expectFormatError(load(dup), join(dup, 'movies.csv'), 1, 'title');
  });

  it('counts lines inside multi-line quoted titles when reporting a later line', async () => {
    const movies = 'movieId,title,genres\n1,"Two\nLines (1995)",Drama\n2,"Three\r\nLine\nTitle",Drama\nthree,X,Drama\n';
    const dir = fixtureWith(LATEST, { 'movies.csv': movies });
    await expectFormatError(load(dir), join(dir, 'movies.csv'), 7, 'movieId');
  });

  it('rejects an unclosed quote at the line where it opens', async () => {
    const movies = 'movieId,title,genres\n1,A (1995),Drama\n2,"Open quote (1995),Drama\n3,B,Drama\n';
    const open = fixtureWith(LATEST, { 'movies.csv': movies });
    const err = await expectFormatError(load(open), join(open, 'movies.csv'), 3, 'title');
    expect(err.message).toContain('closing quote');
  });

  it('rejects truncated and corrupt gzip files', async () => {
    const gz = (p: string) => gzipSync(readFileSync(join(FIXTURES, p)));
    const truncate = (b: Buffer) => b.subarray(0, b.length - 20);
    const corrupt = (b: Buffer) => Buffer.concat([b.subarray(0, 30), Buffer.alloc(40, 0xff), b.subarray(70)]);
    const items1m = readFileSync(join(FIXTURES, 'ml-1m/movies.dat'));
    const itemsLatest = readFileSync(join(FIXTURES, 'ml-latest-small/movies.csv'));
    const cases: [string, Record<string, Buffer>][] = [
      ['ratings.dat', { 'movies.dat': items1m, 'ratings.dat': truncate(gz('ml-1m/ratings.dat')) }],
      ['ratings.dat', { 'movies.dat': items1m, 'ratings.dat': corrupt(gz('ml-1m/ratings.dat')) }],
      ['ratings.csv', { 'movies.csv': itemsLatest, 'ratings.csv': truncate(gz('ml-latest-small/ratings.csv')) }],
      ['ratings.csv', { 'movies.csv': itemsLatest, 'ratings.csv': corrupt(gz('ml-latest-small/ratings.csv')) }],
    ];
    for (const [file, files] of cases) {
      const dir = folder(files);
      const err = await caught(load(dir));
      expect(err).toBeInstanceOf(DatasetFormatError);
      expect((err as DatasetFormatError).details.file).toBe(join(dir, file));
      expect((err as DatasetFormatError).details.line).toBeGreaterThan(0);
    }
  });
});
