/**
 * RecBole atomic files: `<name>.inter` (interactions) and optional `<name>.item` (item features).
 * Tab-separated; line 1 is a header of `field:type` entries, type one of token, token_seq, float,
 * float_seq. Attributes keep their type: token → string, token_seq → string[] (space-separated
 * tokens), float → number, float_seq → the original space-separated string (AttributeValue has no
 * number list, and nothing downstream computes with these).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import type { AttributeValue, RawDataset } from '../raw-dataset.ts';
import { RawDatasetBuilder } from '../raw-dataset.ts';
import { readLines } from '../text-lines.ts';
import type { Importer, ImportOptions } from './types.ts';

const FIELD_TYPES = ['token', 'token_seq', 'float', 'float_seq'] as const;
type FieldType = (typeof FIELD_TYPES)[number];

interface AtomicField {
  name: string;
  type: FieldType;
}

/** Parses line 1 of an atomic file; every problem names the file, line 1 and the entry. */
export function parseAtomicHeader(text: string, file: string): AtomicField[] {
  const fields: AtomicField[] = [];
  const seen = new Set<string>();
  for (const entry of text.split('\t')) {
    const colon = entry.lastIndexOf(':');
    const name = colon > 0 ? entry.slice(0, colon).trim() : entry.trim();
    const type = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (name === '' || !(FIELD_TYPES as readonly string[]).includes(type)) {
      throw new DatasetFormatError({
        file,
        line: 1,
        field: name || entry,
        expected: 'a "name:type" header entry with type token, token_seq, float or float_seq',
        got: entry,
      });
    }
    if (seen.has(name)) {
      throw new DatasetFormatError({ file, line: 1, field: name, expected: 'unique field names', got: text });
    }
    seen.add(name);
    fields.push({ name, type: type as FieldType });
  }
  return fields;
}

/** Index of a required `name:token` field, or a header error naming it. */
function requireTokenField(fields: AtomicField[], name: string, file: string, header: string): number {
  const at = fields.findIndex((f) => f.name === name);
  if (at < 0 || fields[at].type !== 'token') {
    throw new DatasetFormatError({
      file,
      line: 1,
      field: name,
      expected: `a "${name}:token" header entry`,
      got: header,
    });
  }
  return at;
}

/** Splits a data line into exactly one column per header field. */
function splitColumns(text: string, fields: AtomicField[], file: string, line: number): string[] {
  const cols = text.split('\t');
  if (cols.length !== fields.length) {
    throw new DatasetFormatError({
      file,
      line,
      field: cols.length < fields.length ? fields[cols.length].name : `column ${fields.length + 1}`,
      expected: `${fields.length} tab-separated columns (${fields.map((f) => f.name).join(', ')})`,
      got: `${cols.length} columns: ${text}`,
    });
  }
  return cols;
}

function checkFloat(value: string, file: string, line: number, field: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new DatasetFormatError({ file, line, field, expected: 'a number', got: value });
  }
  return n;
}

/** Finds the .inter file (and the .item beside it) from a folder or a file path. */
function locateAtomicFiles(input: string | undefined): { interFile: string; itemFile: string } {
  if (!input) throw new InputError('recbole: no input given: pass a folder with a .inter file, or the .inter file');
  const st = statSync(input, { throwIfNoEntry: false });
  if (!st) throw new InputError(`${input}: not found`);
  let interFile = input;
  if (st.isDirectory()) {
    const names = readdirSync(input).sort();
    const inters = names.filter((n) => n.endsWith('.inter'));
    if (inters.length !== 1) {
      const found = inters.length === 0 ? `found ${listNames(names)}` : `found ${inters.join(', ')}`;
      throw new InputError(`${input}: expected exactly one RecBole .inter file in the folder, ${found}`);
    }
    interFile = join(input, inters[0]);
  } else if (!input.endsWith('.inter')) {
    throw new InputError(`${input}: expected a RecBole .inter file or a folder containing one`);
  }
  const name = basename(interFile).slice(0, -'.inter'.length);
  return { interFile, itemFile: join(dirname(interFile), `${name}.item`) };
}

function listNames(names: string[]): string {
  if (names.length === 0) return 'an empty folder';
  const shown = names.slice(0, 10).join(', ');
  return names.length > 10 ? `${shown} and ${names.length - 10} more` : shown;
}

/** Progress callback for one file, as a part of all the bytes to read. */
function progressFor(opts: ImportOptions, file: string, offset: number, total: number) {
  const report = opts.onProgress;
  if (!report) return undefined;
  const label = `reading ${basename(file)}`;
  return (done: number) => report(offset + done, total, label);
}

async function readInteractions(builder: RawDatasetBuilder, file: string, opts: ImportOptions, total: number) {
  let fields: AtomicField[] = [];
  let userCol = 0;
  let itemCol = 0;
  let timeCol = -1;
  let floatCols: number[] = [];
  const onBytes = progressFor(opts, file, 0, total);
  for await (const { text, no } of readLines(file, 'RecBole .inter file', { encoding: opts.encoding, onBytes })) {
    if (no === 1) {
      fields = parseAtomicHeader(text, file);
      userCol = requireTokenField(fields, 'user_id', file, text);
      itemCol = requireTokenField(fields, 'item_id', file, text);
      timeCol = fields.findIndex((f) => f.name === 'timestamp');
      if (timeCol >= 0 && fields[timeCol].type !== 'float') {
        throw new DatasetFormatError({ file, line: 1, field: 'timestamp', expected: 'timestamp:float', got: text });
      }
      floatCols = fields.flatMap((f, i) => (f.type === 'float' && i !== timeCol ? [i] : []));
      continue;
    }
    if (text === '') continue;
    const cols = splitColumns(text, fields, file, no);
    const user = cols[userCol];
    const item = cols[itemCol];
    if (user === '') throw new DatasetFormatError({ file, line: no, field: 'user_id', expected: 'a non-empty id' });
    if (item === '') throw new DatasetFormatError({ file, line: no, field: 'item_id', expected: 'a non-empty id' });
    for (const c of floatCols) if (cols[c] !== '') checkFloat(cols[c], file, no, fields[c].name);
    // Without a timestamp column the file order is the time order.
    const time = timeCol >= 0 ? checkFloat(cols[timeCol], file, no, 'timestamp') : no;
    builder.add(user, item, time, `${file}:${no}`);
  }
}

/** One .item column as an attribute value; undefined for an empty value. */
function attributeValue(value: string, field: AtomicField, file: string, line: number): AttributeValue | undefined {
  if (value === '') return undefined;
  switch (field.type) {
    case 'token':
      return value;
    case 'token_seq': {
      const tokens = value.split(' ').filter((t) => t !== '');
      return tokens.length > 0 ? tokens : undefined;
    }
    case 'float':
      return checkFloat(value, file, line, field.name);
    case 'float_seq':
      for (const t of value.split(' ')) if (t !== '') checkFloat(t, file, line, field.name);
      return value;
  }
}

async function readItems(builder: RawDatasetBuilder, file: string, opts: ImportOptions, offset: number, total: number) {
  // Only items that occur in the interactions are kept: .item files may list many more.
  const needed = new Set(builder.itemIds);
  let fields: AtomicField[] = [];
  let itemCol = 0;
  let titleCol = -1;
  let defined = 0;
  const onBytes = progressFor(opts, file, offset, total);
  for await (const { text, no } of readLines(file, 'RecBole .item file', { encoding: opts.encoding, onBytes })) {
    if (no === 1) {
      fields = parseAtomicHeader(text, file);
      itemCol = requireTokenField(fields, 'item_id', file, text);
      titleCol = fields.findIndex((f) => f.name.includes('title'));
      continue;
    }
    if (text === '') continue;
    const cols = splitColumns(text, fields, file, no);
    if (!needed.has(cols[itemCol])) continue;
    let title: string | null = null;
    const attributes: Record<string, AttributeValue> = {};
    for (let c = 0; c < fields.length; c++) {
      if (c === itemCol) continue;
      const value = attributeValue(cols[c], fields[c], file, no);
      if (c === titleCol) title = value === undefined ? null : Array.isArray(value) ? value.join(' ') : String(value);
      else if (value !== undefined) attributes[fields[c].name] = value;
    }
    if (builder.defineItem(cols[itemCol], title, attributes)) defined++;
  }
  if (titleCol < 0) {
    builder.warnings.push(`${file}: no title field (a field whose name contains "title"): items have no titles`);
  }
  const missing = needed.size - defined;
  if (missing > 0) {
    builder.warnings.push(`${file}: ${missing} of ${needed.size} items have no row here, so they have no title`);
  }
}

export const importRecbole: Importer = async (opts: ImportOptions): Promise<RawDataset> => {
  const { interFile, itemFile } = locateAtomicFiles(opts.input);
  const interSize = statSync(interFile, { throwIfNoEntry: false })?.size ?? 0;
  const itemStat = statSync(itemFile, { throwIfNoEntry: false });
  const hasItemFile = itemStat?.isFile() === true;
  const total = interSize + (hasItemFile ? itemStat.size : 0);
  const builder = new RawDatasetBuilder('recbole', opts.maxInteractions);
  builder.sources.push(interFile);
  await readInteractions(builder, interFile, opts, total);
  if (hasItemFile) {
    builder.sources.push(itemFile);
    await readItems(builder, itemFile, opts, interSize, total);
  } else {
    builder.warnings.push(
      `${itemFile} not found: items have no titles, so language-based explanation methods will be weak`,
    );
  }
  return builder.build();
};
