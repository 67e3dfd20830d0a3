/**
 * MovieLens importer: ml-100k (u.data/u.item), ml-1m (ratings.dat/movies.dat) and
 * ml-latest(-small) (ratings.csv/movies.csv), detected from the folder's files. Every rating is an
 * interaction (implicit feedback); ratings are checked to be numeric but never used to filter.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import { readCsvRecords } from '../csv-records.ts';
import { RawDatasetBuilder } from '../raw-dataset.ts';
import { readLines, requireFile, resolveEncoding } from '../text-lines.ts';
import type { Importer, ImportOptions } from './types.ts';

type VariantName = 'ml-100k' | 'ml-1m' | 'ml-latest';

interface Variant {
  name: VariantName;
  ratings: string;
  items: string;
  encoding: string;
}

/** Checked in this order; the first ratings file found decides the variant. */
const VARIANTS: readonly Variant[] = [
  { name: 'ml-100k', ratings: 'u.data', items: 'u.item', encoding: 'latin-1' },
  { name: 'ml-1m', ratings: 'ratings.dat', items: 'movies.dat', encoding: 'latin-1' },
  { name: 'ml-latest', ratings: 'ratings.csv', items: 'movies.csv', encoding: 'utf-8' },
];

// biome-ignore format: a flat list reads better than 19 lines
const ML_100K_GENRES = [
  'unknown', 'Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy',
  'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western',
];

const RATING_FIELDS = ['user id', 'item id', 'rating', 'timestamp'];
const ML_1M_MOVIE_FIELDS = ['movie id', 'title', 'genres'];
const TITLE_YEAR = /\((\d{4})\)\s*$/;
const NO_GENRES = '(no genres listed)';

interface Reader {
  builder: RawDatasetBuilder;
  encoding: string;
  onBytes: (file: string) => ((done: number, total: number) => void) | undefined;
}

function isDigits(s: string): boolean {
  if (s.length === 0 || s.length > 15) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function checkId(value: string, file: string, line: number, field: string): string {
  if (!isDigits(value)) throw new DatasetFormatError({ file, line, field, expected: 'an integer id', got: value });
  return value;
}

/** Validates one rating line's fields and adds it as an interaction. */
function addRating(r: Reader, fields: string[], file: string, line: number): void {
  const user = checkId(fields[0], file, line, RATING_FIELDS[0]);
  const item = checkId(fields[1], file, line, RATING_FIELDS[1]);
  const rating = fields[2];
  if (rating === '' || !Number.isFinite(Number(rating))) {
    throw new DatasetFormatError({ file, line, field: 'rating', expected: 'a numeric rating', got: rating });
  }
  const ts = fields[3];
  if (!isDigits(ts)) {
    throw new DatasetFormatError({ file, line, field: 'timestamp', expected: 'an integer Unix timestamp', got: ts });
  }
  r.builder.add(user, item, Number(ts), `${file}:${line}`);
}

function checkFieldCount(fields: string[], names: readonly string[], sep: string, file: string, line: number): void {
  if (fields.length === names.length) return;
  const field = fields.length < names.length ? names[fields.length] : `field ${names.length + 1}`;
  const expected = `${names.length} '${sep}'-separated fields (${names.join(', ')})`;
  throw new DatasetFormatError({ file, line, field, expected, got: fields.join(sep) });
}

function movieAttributes(
  title: string,
  genres: string[],
): { title: string | null; attributes: Record<string, string[] | number> } {
  const attributes: Record<string, string[] | number> = { genres };
  const year = TITLE_YEAR.exec(title);
  if (year) attributes.year = Number(year[1]);
  return { title: title === '' ? null : title, attributes };
}

/** Reads a '<sep>'-separated file, calling `onLine` with each non-blank line's fields. */
async function readSeparated(
  r: Reader,
  file: string,
  role: string,
  sep: string,
  onLine: (f: string[], line: number) => void,
) {
  r.builder.sources.push(file);
  for await (const { text, no } of readLines(file, role, { encoding: r.encoding, onBytes: r.onBytes(file) })) {
    if (text !== '') onLine(text.split(sep), no);
  }
}

/** u.genre lines are "name|index"; the index is the flag's position in u.item. */
async function readGenreNames(r: Reader, file: string): Promise<string[]> {
  const names: string[] = [];
  await readSeparated(r, file, 'MovieLens genre list (u.genre)', '|', (f, line) => {
    checkFieldCount(f, ['genre', 'index'], '|', file, line);
    const index = Number(checkId(f[1], file, line, 'index'));
    if (index !== names.length) {
      throw new DatasetFormatError({ file, line, field: 'index', expected: `genre index ${names.length}`, got: f[1] });
    }
    names.push(f[0]);
  });
  return names;
}

async function read100kItems(r: Reader, dir: string, file: string): Promise<void> {
  const genreFile = join(dir, 'u.genre');
  const genreNames = existsSync(genreFile) ? await readGenreNames(r, genreFile) : ML_100K_GENRES;
  const names = ['movie id', 'title', 'release date', 'video release date', 'IMDb URL', ...genreNames];
  await readSeparated(r, file, 'MovieLens items file (u.item)', '|', (f, line) => {
    checkFieldCount(f, names, '|', file, line);
    const id = checkId(f[0], file, line, 'movie id');
    const genres: string[] = [];
    for (let g = 0; g < genreNames.length; g++) {
      const flag = f[5 + g];
      if (flag === '1') genres.push(genreNames[g]);
      else if (flag !== '0') {
        throw new DatasetFormatError({ file, line, field: genreNames[g], expected: 'a genre flag 0 or 1', got: flag });
      }
    }
    const { title, attributes } = movieAttributes(f[1], genres);
    r.builder.defineItem(id, title, attributes);
  });
}

async function read1mItems(r: Reader, file: string): Promise<void> {
  await readSeparated(r, file, 'MovieLens items file (movies.dat)', '::', (f, line) => {
    checkFieldCount(f, ML_1M_MOVIE_FIELDS, '::', file, line);
    const id = checkId(f[0], file, line, 'movie id');
    const { title, attributes } = movieAttributes(f[1], f[2] === '' ? [] : f[2].split('|'));
    r.builder.defineItem(id, title, attributes);
  });
}

async function readLatestItems(r: Reader, file: string): Promise<void> {
  r.builder.sources.push(file);
  const rows = readCsvRecords(file, {
    role: 'MovieLens items file (movies.csv)',
    columns: ['movieId', 'title', 'genres'],
    encoding: r.encoding,
    onBytes: r.onBytes(file),
  });
  for await (const { values, line } of rows) {
    const id = checkId(values[0], file, line, 'movieId');
    const genres = values[2] === '' || values[2] === NO_GENRES ? [] : values[2].split('|');
    const { title, attributes } = movieAttributes(values[1], genres);
    r.builder.defineItem(id, title, attributes);
  }
}

async function readRatings(r: Reader, variant: VariantName, file: string): Promise<void> {
  if (variant === 'ml-latest') {
    r.builder.sources.push(file);
    const rows = readCsvRecords(file, {
      role: 'MovieLens ratings file (ratings.csv)',
      columns: ['userId', 'movieId', 'rating', 'timestamp'],
      encoding: r.encoding,
      onBytes: r.onBytes(file),
    });
    for await (const { values, line } of rows) addRating(r, values, file, line);
    return;
  }
  const sep = variant === 'ml-100k' ? '\t' : '::';
  await readSeparated(r, file, `MovieLens ratings file (${basename(file)})`, sep, (f, line) => {
    checkFieldCount(f, RATING_FIELDS, sep, file, line);
    addRating(r, f, file, line);
  });
}

/** A file under its plain name, or gzip-compressed with a .gz suffix. */
function findFile(dir: string, name: string): string | undefined {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(candidate)) return candidate;
  return undefined;
}

function inputFolder(input: string | undefined): string {
  if (!input)
    throw new InputError('movielens import needs --input <folder> (the unzipped ml-100k, ml-1m or ml-latest)');
  let isFile: boolean;
  try {
    isFile = statSync(input).isFile();
  } catch {
    throw new InputError(`${input}: MovieLens folder not found`);
  }
  return isFile ? dirname(input) : input;
}

export const importMovielens: Importer = async (opts: ImportOptions) => {
  const dir = inputFolder(opts.input);
  let variant: Variant | undefined;
  let ratingsFile: string | undefined;
  for (const v of VARIANTS) {
    ratingsFile = findFile(dir, v.ratings);
    if (ratingsFile) {
      variant = v;
      break;
    }
  }
  if (!variant || !ratingsFile) {
    const looked = VARIANTS.map((v) => `${v.ratings} + ${v.items} (${v.name})`).join(', ');
    throw new InputError(`${dir}: no MovieLens files found; looked for ${looked}`);
  }
  const itemsFile = findFile(dir, variant.items) ?? join(dir, variant.items);
  requireFile(itemsFile, `MovieLens items file (${variant.items}, needed with ${basename(ratingsFile)})`);
  const encoding = opts.encoding ?? variant.encoding;
  resolveEncoding(encoding);

  const builder = new RawDatasetBuilder('movielens', opts.maxInteractions);
  const onProgress = opts.onProgress;
  const r: Reader = {
    builder,
    encoding,
    onBytes: (file) => (onProgress ? (done, total) => onProgress(done, total, basename(file)) : undefined),
  };
  if (variant.name === 'ml-100k') await read100kItems(r, dir, itemsFile);
  else if (variant.name === 'ml-1m') await read1mItems(r, itemsFile);
  else await readLatestItems(r, itemsFile);
  // Items file first, so every item interned after this point was missing from it.
  const definedItems = builder.itemIds.length;
  await readRatings(r, variant.name, ratingsFile);

  if (builder.interactionCount === 0) {
    throw new DatasetFormatError({ file: ratingsFile, expected: 'at least one rating line', got: '' });
  }
  const missing = builder.itemIds.length - definedItems;
  if (missing > 0) {
    builder.warnings.push(
      `${missing} item id(s) rated in ${ratingsFile} are missing from ${itemsFile}; ` +
        'they have no title and will be dropped by preprocessing',
    );
  }
  return builder.build();
};
