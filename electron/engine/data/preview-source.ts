/**
 * A look at a source folder or file before import (the wizard's dataset step): its files, the
 * format the importers would read it as, why, and the first rows of the main file split into
 * columns. Detection follows the importers' own rules (importers/*.ts), checked in this order:
 * MovieLens (ratings + items file names), RecBole (one `.inter`), Amazon 2018 (reviews JSON lines +
 * `meta_*`), CSV/TSV with a header, SASRec `user item` lines. Only the first 64 KB of any file is
 * read (decompressed, for gzip), so a preview is instant whatever the dataset's size.
 */

import { createReadStream, type Dirent, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import type { DatasetPreview } from '../../contracts/api.ts';
import { InputError } from '../errors.ts';
import type { DatasetFormat } from './importers/types.ts';
import { isGzip } from './text-lines.ts';

export const PREVIEW_HEAD_BYTES = 64 * 1024;
export const PREVIEW_MAX_FILES = 50;
export const PREVIEW_MAX_ROWS = 10;

/** How the main file's lines become columns. */
type Layout =
  | { kind: 'split'; sep: string | RegExp; columns: string[]; encoding: BufferEncoding }
  | { kind: 'csv'; delimiter: string }
  | { kind: 'recbole' }
  | { kind: 'json'; columns: string[] }
  | { kind: 'generic' };

interface Found {
  reason: string;
  file: string;
  layout: Layout;
}
/** A detector's answer: the match, or why it did not match. */
type Detected = Found | { miss: string };

interface Source {
  dir: string;
  /** Regular files of `dir`, sorted. */
  names: string[];
  /** Set when the input is a file: only it can be the main file. */
  only?: string;
}

const ML_VARIANTS = [
  { label: 'MovieLens 100K', ratings: 'u.data', items: 'u.item', sep: '\t', encoding: 'latin1' },
  { label: 'MovieLens 1M', ratings: 'ratings.dat', items: 'movies.dat', sep: '::', encoding: 'latin1' },
  { label: 'MovieLens latest', ratings: 'ratings.csv', items: 'movies.csv', sep: ',', encoding: 'utf8' },
] as const;
const ML_RATING_COLUMNS = ['user id', 'item id', 'rating', 'timestamp'];
const AMAZON_COLUMNS = ['reviewerID', 'asin', 'unixReviewTime', 'overall', 'summary'];
const JSON_FILE = /\.json(\.gz)?$/;
const FIVE_CORE_FILE = /_5\.json(\.gz)?$/;
const CSV_FILE = /\.(csv|tsv|tab)(\.gz)?$/i;
const PAIR_LINE = /^\s*-?\d+\s+-?\d+\s*$/;
const LOOKED_FOR =
  'MovieLens (u.data + u.item, ratings.dat + movies.dat, ratings.csv + movies.csv), RecBole (<name>.inter), ' +
  'Amazon reviews 2018 (<Category>_5.json + meta_<Category>.json, .gz allowed), CSV/TSV with a header line, ' +
  'SASRec "user item" lines';

const withGz = (names: readonly string[], name: string) => [name, `${name}.gz`].find((n) => names.includes(n));
const listed = (names: readonly string[]) => names.join(', ');

/** The first PREVIEW_HEAD_BYTES of a (possibly gzip) file as complete lines, blank lines dropped. */
export async function readHeadLines(file: string, encoding: BufferEncoding = 'utf8'): Promise<string[]> {
  const gz = await isGzip(file);
  // `end` is inclusive: one byte past the cap tells whether the file goes on.
  const src = createReadStream(file, gz ? {} : { end: PREVIEW_HEAD_BYTES });
  const stream = gz ? src.pipe(createGunzip()) : src;
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      n += chunk.length;
      if (n > PREVIEW_HEAD_BYTES) break;
    }
  } catch (err) {
    throw new InputError(`${file}: cannot be read (${(err as Error).message})`);
  } finally {
    src.destroy();
    stream.destroy();
  }
  const all = Buffer.concat(chunks);
  const lines = all
    .subarray(0, PREVIEW_HEAD_BYTES)
    .toString(encoding)
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  if (all.length > PREVIEW_HEAD_BYTES) lines.pop(); // cut mid-line
  return lines.filter((l) => l.trim() !== '');
}

function detectMovielens(s: Source): Detected {
  for (const v of ML_VARIANTS) {
    const ratings = withGz(s.names, v.ratings);
    if (!ratings) continue;
    const items = withGz(s.names, v.items);
    if (s.only && s.only !== ratings && s.only !== items) continue;
    if (!items) return { miss: `found ${ratings} but not ${v.items}, which ${v.label} needs beside it` };
    const layout: Layout =
      v.sep === ','
        ? { kind: 'csv', delimiter: ',' }
        : { kind: 'split', sep: v.sep, columns: ML_RATING_COLUMNS, encoding: v.encoding };
    return { reason: `found ${ratings} and ${items} (${v.label})`, file: ratings, layout };
  }
  return { miss: 'no MovieLens ratings file (u.data, ratings.dat, ratings.csv)' };
}

function detectRecbole(s: Source): Detected {
  const inters = s.only ? [s.only].filter((n) => n.endsWith('.inter')) : s.names.filter((n) => n.endsWith('.inter'));
  if (inters.length === 0) return { miss: 'no RecBole .inter file' };
  if (inters.length > 1) return { miss: `found several RecBole .inter files (${listed(inters)}): pick one` };
  const item = `${inters[0].slice(0, -'.inter'.length)}.item`;
  const reason = s.names.includes(item)
    ? `found ${inters[0]} and ${item} (RecBole atomic files)`
    : `found ${inters[0]} (RecBole atomic files; no ${item}, so items will have no titles)`;
  return { reason, file: inters[0], layout: { kind: 'recbole' } };
}

/** As importers/amazon.ts locates its files. */
function detectAmazon(s: Source): Detected {
  const jsons = s.names.filter((n) => JSON_FILE.test(n));
  const metas = jsons.filter((n) => n.startsWith('meta_'));
  if (s.only?.startsWith('meta_') && JSON_FILE.test(s.only)) {
    return { miss: `${s.only} is an Amazon metadata file; pick the reviews file (<Category>_5.json) or the folder` };
  }
  let reviews = s.only ? [s.only].filter((n) => JSON_FILE.test(n)) : jsons.filter((n) => !n.startsWith('meta_'));
  if (reviews.length > 1) reviews = reviews.filter((n) => FIVE_CORE_FILE.test(n));
  if (reviews.length !== 1) {
    return { miss: reviews.length === 0 ? 'no Amazon reviews JSON file' : 'several Amazon reviews files' };
  }
  const category = reviews[0]
    .replace(JSON_FILE, '')
    .replace(/_5$/, '')
    .replace(/^reviews_/, '');
  const meta = withGz(s.names, `meta_${category}.json`) ?? (metas.length === 1 ? metas[0] : undefined);
  if (!meta) return { miss: `found ${reviews[0]} but no meta_${category}.json beside it (Amazon metadata)` };
  const layout: Layout = { kind: 'json', columns: AMAZON_COLUMNS };
  return { reason: `found ${reviews[0]} and ${meta} (Amazon reviews 2018)`, file: reviews[0], layout };
}

/** Tab for .tsv/.tab; otherwise the most frequent of , ; | tab in the header line (comma on ties). */
function csvDelimiter(name: string, header: string): string {
  if (/\.(tsv|tab)(\.gz)?$/i.test(name)) return '\t';
  let best = ',';
  for (const d of ['\t', ';', '|']) if (header.split(d).length > header.split(best).length) best = d;
  return best;
}

/** A header line: ≥ 2 distinct non-empty fields, not all numbers (a data row would be). */
function looksLikeHeader(fields: string[]): boolean {
  const names = fields.map((f) => f.trim().replace(/^"|"$/g, ''));
  return (
    names.length >= 2 &&
    names.every((f) => f !== '') &&
    new Set(names).size === names.length &&
    names.some((f) => !Number.isFinite(Number(f)))
  );
}

async function detectCsv(s: Source, forced: boolean): Promise<Detected> {
  const candidates = s.only ? [s.only] : s.names.filter((n) => CSV_FILE.test(n));
  for (const name of candidates) {
    const [header = ''] = await readHeadLines(path.join(s.dir, name));
    const delimiter = csvDelimiter(name, header);
    const json = /^\s*[[{]/.test(header);
    if (!forced && (json || PAIR_LINE.test(header) || !looksLikeHeader(header.split(delimiter)))) continue;
    const shown = header.split(delimiter).slice(0, 6).join(', ');
    const reason = `found ${name} with a header line (${shown}): a CSV/TSV file; map its user and item columns`;
    return { reason, file: name, layout: { kind: 'csv', delimiter } };
  }
  return { miss: 'no CSV/TSV file with a header line' };
}

async function detectSasrec(s: Source, forced: boolean): Promise<Detected> {
  const candidates = s.only ? [s.only] : s.names.filter((n) => /\.txt$/i.test(n));
  for (const name of candidates) {
    const lines = await readHeadLines(path.join(s.dir, name));
    if (!forced && (lines.length === 0 || !lines.every((l) => PAIR_LINE.test(l)))) continue;
    const reason = `found ${name} with "user item" integer pairs on every line read (SASRec text)`;
    return { reason, file: name, layout: { kind: 'split', sep: /\s+/, columns: ['user', 'item'], encoding: 'utf8' } };
  }
  return { miss: 'no SASRec "user item" text file' };
}

function detectWith(format: DatasetFormat, s: Source, forced: boolean): Detected | Promise<Detected> {
  switch (format) {
    case 'movielens':
      return detectMovielens(s);
    case 'recbole':
      return detectRecbole(s);
    case 'amazon':
      return detectAmazon(s);
    case 'csv':
      return detectCsv(s, forced);
    case 'sasrec':
      return detectSasrec(s, forced);
    case 'synthetic':
      return { miss: 'synthetic data is generated, no files are read' };
  }
}

const AUTO_ORDER: DatasetFormat[] = ['movielens', 'recbole', 'amazon', 'csv', 'sasrec'];

/** The rows of the main file under its layout, and the column names. */
async function readRows(file: string, layout: Layout): Promise<{ columns: string[]; rows: string[][] }> {
  const enc = layout.kind === 'split' ? layout.encoding : 'utf8';
  const lines = await readHeadLines(file, enc);
  switch (layout.kind) {
    case 'split': {
      const split = (l: string) => (typeof layout.sep === 'string' ? l.split(layout.sep) : l.trim().split(layout.sep));
      return { columns: layout.columns, rows: lines.slice(0, PREVIEW_MAX_ROWS).map(split) };
    }
    case 'recbole': {
      const [header = '', ...data] = lines;
      const columns = header.split('\t').map((f) => f.replace(/:[a-z_]+$/, ''));
      return { columns, rows: data.slice(0, PREVIEW_MAX_ROWS).map((l) => l.split('\t')) };
    }
    case 'json':
      return { columns: layout.columns, rows: lines.slice(0, PREVIEW_MAX_ROWS).map((l) => jsonRow(l, layout.columns)) };
    case 'csv':
      return csvRows(lines, layout.delimiter);
    case 'generic': {
      const sep = [/\t/, /::/, /,/, /;/, /\|/, /\s+/].find((re) => re.test(lines[0] ?? '')) ?? /\t/;
      const rows = lines.slice(0, PREVIEW_MAX_ROWS).map((l) => l.trim().split(sep));
      const width = Math.max(0, ...rows.map((r) => r.length));
      return { columns: Array.from({ length: width }, (_, k) => `column ${k + 1}`), rows };
    }
  }
}

function jsonRow(line: string, columns: string[]): string[] {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return [line.slice(0, 200)];
  }
  const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
  return columns.map((c) => (r[c] === undefined ? '' : typeof r[c] === 'string' ? r[c] : JSON.stringify(r[c])));
}

function csvRows(lines: string[], delimiter: string): { columns: string[]; rows: string[][] } {
  const text = lines.slice(0, PREVIEW_MAX_ROWS * 4 + 1).join('\n');
  let records: string[][];
  try {
    records = parse(text, { delimiter, relax_column_count: true, relax_quotes: true, to: PREVIEW_MAX_ROWS + 1 });
  } catch {
    // A quoted field cut by the 64 KB cap: fall back to plain splitting.
    records = lines.slice(0, PREVIEW_MAX_ROWS + 1).map((l) => l.split(delimiter));
  }
  const [columns = [], ...rows] = records;
  return { columns, rows: rows.slice(0, PREVIEW_MAX_ROWS) };
}

function sourceOf(input: string): { source: Source; files: string[] } {
  const st = statSync(input, { throwIfNoEntry: false });
  if (!st) throw new InputError(`${input}: not found`);
  const dir = st.isDirectory() ? input : path.dirname(input);
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    throw new InputError(`${dir}: cannot list the folder (${(err as Error).message})`);
  }
  const isFile = (e: Dirent) => e.isFile() || (e.isSymbolicLink() && statSync(path.join(dir, e.name)).isFile());
  const visible = entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
  const names = visible.filter(isFile).map((e) => e.name);
  if (!st.isDirectory()) {
    const only = path.basename(input);
    return { source: { dir, names, only }, files: [only] };
  }
  const files = visible.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).slice(0, PREVIEW_MAX_FILES);
  return { source: { dir, names }, files };
}

/**
 * Previews `input` (a folder or a file). With `format`, that format's rules pick the main file;
 * without, the first format whose files are present wins. A missing path is an InputError; a
 * folder nothing matches gives format null and a reason listing what was looked for.
 */
export async function previewSource(input: string, format?: DatasetFormat): Promise<DatasetPreview> {
  const { source, files } = sourceOf(input);
  const base = { input, files };
  let found: Found | null = null;
  const misses: string[] = [];
  for (const f of format ? [format] : AUTO_ORDER) {
    const d = await detectWith(f, source, format !== undefined);
    if ('miss' in d) misses.push(d.miss);
    else {
      found = d;
      format = f;
      break;
    }
  }
  if (found) {
    const file = path.join(source.dir, found.file);
    return { ...base, format: format ?? null, reason: found.reason, file, ...(await readRows(file, found.layout)) };
  }
  // Nothing matched: still show the first file as plain columns, so the user can pick a format.
  // Near misses ("found u.data but not u.item") say more than the list of what was looked for.
  const near = misses.filter((m) => /^(found|several)/.test(m) || m.includes(' is an '));
  const reason = format
    ? `${format} chosen, but ${misses.join('; ')}`
    : `no known dataset files: ${[...near, `looked for ${LOOKED_FOR}`].join('; ')}`;
  const first = source.only ?? source.names[0];
  if (format === 'synthetic' || first === undefined) {
    return { ...base, format: format ?? null, reason, file: null, columns: [], rows: [] };
  }
  const file = path.join(source.dir, first);
  return { ...base, format: format ?? null, reason, file, ...(await readRows(file, { kind: 'generic' })) };
}
