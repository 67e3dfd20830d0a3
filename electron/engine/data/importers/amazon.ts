/**
 * Amazon reviews 2018 (Ni et al.): a 5-core reviews file (`<Category>_5.json`, JSON lines with
 * reviewerID, asin, unixReviewTime) and its metadata file (`meta_<Category>.json`, JSON lines with
 * asin, title, category, brand, description), each plain or gzip (detected by content).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import type { AttributeValue, RawDataset } from '../raw-dataset.ts';
import { RawDatasetBuilder } from '../raw-dataset.ts';
import { readLines } from '../text-lines.ts';
import type { Importer, ImportOptions } from './types.ts';

const JSON_FILE = /\.json(\.gz)?$/;
const FIVE_CORE_FILE = /_5\.json(\.gz)?$/;
const DESCRIPTION_MAX_CHARS = 500;
/** Markup, CSS/JS blocks or a JS `var` statement: never part of a real product title. */
const PAGE_JUNK = /[<{]|\bvar\s/;

/** `Toys_5.json.gz` → `Toys`; also accepts the 2014 naming `reviews_Toys_5.json.gz`. */
export function amazonCategoryOf(reviewsFile: string): string {
  return basename(reviewsFile)
    .replace(JSON_FILE, '')
    .replace(/_5$/, '')
    .replace(/^reviews_/, '');
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/** Finds the reviews and metadata files from a folder or the reviews file path. */
function locateAmazonFiles(input: string | undefined): { reviewsFile: string; metaFile: string } {
  if (!input)
    throw new InputError('amazon: no input given: pass a folder with the reviews and meta files, or the reviews file');
  const st = statSync(input, { throwIfNoEntry: false });
  if (!st) throw new InputError(`${input}: not found`);
  let reviewsFile = input;
  let metaNames: string[] = [];
  if (st.isDirectory()) {
    const names = readdirSync(input)
      .filter((n) => JSON_FILE.test(n))
      .sort();
    metaNames = names.filter((n) => n.startsWith('meta_'));
    let reviews = names.filter((n) => !n.startsWith('meta_'));
    // A folder may hold both the full reviews and the 5-core file: the 5-core one is meant.
    if (reviews.length > 1) reviews = reviews.filter((n) => FIVE_CORE_FILE.test(n));
    if (reviews.length !== 1) {
      const found = names.filter((n) => !n.startsWith('meta_'));
      throw new InputError(
        `${input}: expected exactly one Amazon reviews file (<Category>_5.json or .json.gz), found ` +
          (found.length === 0 ? 'none' : found.join(', ')),
      );
    }
    reviewsFile = join(input, reviews[0]);
  } else if (basename(input).startsWith('meta_')) {
    throw new InputError(`${input}: this is a metadata file; pass the reviews file (<Category>_5.json) or the folder`);
  }
  const dir = dirname(reviewsFile);
  const expected = `meta_${amazonCategoryOf(reviewsFile)}.json`;
  const beside = [expected, `${expected}.gz`].map((n) => join(dir, n)).find(isFile);
  if (beside) return { reviewsFile, metaFile: beside };
  // In a folder, a single meta file under another name is unambiguous.
  if (metaNames.length === 1) return { reviewsFile, metaFile: join(dir, metaNames[0]) };
  throw new InputError(`${join(dir, expected)} (or .json.gz): Amazon metadata file not found beside ${reviewsFile}`);
}

/** Parses one JSON-lines record, or throws naming the file and line. */
function parseRecord(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DatasetFormatError({ file, line, expected: 'a JSON object', got: text });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DatasetFormatError({ file, line, expected: 'a JSON object', got: text });
  }
  return value as Record<string, unknown>;
}

function requireString(record: Record<string, unknown>, key: string, file: string, line: number): string {
  const v = record[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw new DatasetFormatError({ file, line, field: key, expected: 'a non-empty string', got: describe(v) });
  }
  return v;
}

function describe(v: unknown): string {
  return v === undefined ? '(missing)' : JSON.stringify(v);
}

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: ' ' };

/** Decodes the HTML entities the 2018 metadata is full of (`Toys &amp; Games`, `&#39;`). */
export function decodeHtmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * The 2018 meta files were scraped from product pages, and some titles are page junk instead of a
 * title (`var aPageStart = (new Date()).getTime();`, `<span class=...>`, CSS blocks). A junk title
 * would poison language alignment, so it counts as missing. Checked before decoding, so a real
 * title with an encoded `&lt;` is kept.
 */
export function cleanAmazonTitle(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  if (PAGE_JUNK.test(raw)) return null;
  const title = decodeHtmlEntities(raw).trim();
  return title === '' ? null : title;
}

function metaAttributes(record: Record<string, unknown>): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  const category = record['category'];
  if (Array.isArray(category)) {
    const names = category.filter((c): c is string => typeof c === 'string' && c.trim() !== '');
    if (names.length > 0) attributes['category'] = names.map((c) => decodeHtmlEntities(c.trim()));
  }
  const brand = record['brand'];
  if (typeof brand === 'string' && brand.trim() !== '') attributes['brand'] = decodeHtmlEntities(brand.trim());
  const raw = record['description'];
  const lines = Array.isArray(raw) ? raw.filter((d): d is string => typeof d === 'string') : [];
  const description = (typeof raw === 'string' ? raw : lines.join(' ')).trim();
  if (description !== '') {
    attributes['description'] = decodeHtmlEntities(description).slice(0, DESCRIPTION_MAX_CHARS);
  }
  return attributes;
}

function progressFor(opts: ImportOptions, file: string, offset: number, total: number) {
  const report = opts.onProgress;
  if (!report) return undefined;
  const label = `reading ${basename(file)}`;
  return (done: number) => report(offset + done, total, label);
}

async function readReviews(builder: RawDatasetBuilder, file: string, opts: ImportOptions, total: number) {
  const onBytes = progressFor(opts, file, 0, total);
  for await (const { text, no } of readLines(file, 'Amazon reviews file', { encoding: opts.encoding, onBytes })) {
    if (text === '') continue;
    const record = parseRecord(text, file, no);
    const user = requireString(record, 'reviewerID', file, no);
    const item = requireString(record, 'asin', file, no);
    const time = record['unixReviewTime'];
    if (typeof time !== 'number' || !Number.isInteger(time)) {
      throw new DatasetFormatError({
        file,
        line: no,
        field: 'unixReviewTime',
        expected: 'an integer (seconds since 1970)',
        got: describe(time),
      });
    }
    builder.add(user, item, time, `${file}:${no}`);
  }
}

async function readMeta(builder: RawDatasetBuilder, file: string, opts: ImportOptions, offset: number, total: number) {
  // Reviews are read first so that only reviewed items are kept: a meta file lists every product
  // of the category (millions for Books), far more than its 5-core reviews mention.
  const needed = new Set(builder.itemIds);
  const defined = new Set<string>();
  const onBytes = progressFor(opts, file, offset, total);
  for await (const { text, no } of readLines(file, 'Amazon metadata file', { encoding: opts.encoding, onBytes })) {
    if (text === '') continue;
    const record = parseRecord(text, file, no);
    const asin = requireString(record, 'asin', file, no);
    // Meta files repeat some asins; the first record wins.
    if (!needed.has(asin) || defined.has(asin)) continue;
    defined.add(asin);
    builder.defineItem(asin, cleanAmazonTitle(record['title']), metaAttributes(record));
  }
  let untitled = 0;
  for (const item of builder.items) if (item.title === null) untitled++;
  if (untitled > 0) {
    builder.warnings.push(
      `${file}: ${untitled} of ${needed.size} reviewed items have no usable title (missing, empty or scraped page junk)`,
    );
  }
}

export const importAmazon: Importer = async (opts: ImportOptions): Promise<RawDataset> => {
  const { reviewsFile, metaFile } = locateAmazonFiles(opts.input);
  const reviewsSize = statSync(reviewsFile).size;
  const total = reviewsSize + statSync(metaFile).size;
  const builder = new RawDatasetBuilder('amazon', opts.maxInteractions);
  builder.sources.push(reviewsFile);
  await readReviews(builder, reviewsFile, opts, total);
  builder.sources.push(metaFile);
  await readMeta(builder, metaFile, opts, reviewsSize, total);
  return builder.build();
};
