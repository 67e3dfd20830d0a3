/**
 * SASRec-style data files (as in the SASRec repository's `data/*.txt`): one `user item` pair of
 * integer ids per line, whitespace-separated, lines already in time order. There are no
 * timestamps (time = line number) and no item text.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import type { RawDataset } from '../raw-dataset.ts';
import { RawDatasetBuilder } from '../raw-dataset.ts';
import { parseIntegerField, readLines } from '../text-lines.ts';
import type { Importer, ImportOptions } from './types.ts';

// One anchored match per line both validates it and captures the ids; only a failing line is
// split again to say exactly what is wrong.
const PAIR_LINE = /^\s*(-?\d+)\s+(-?\d+)\s*$/;

/** Decimal canonical form, so `007` and `7` are one id as in the Python reader (int()). */
function canonicalId(digits: string): string {
  return digits[0] === '0' || digits[0] === '-' ? String(Number(digits)) : digits;
}

/** Throws the DatasetFormatError that says why `text` is not a "user item" line. */
function rejectLine(text: string, file: string, line: number): never {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 2) {
    throw new DatasetFormatError({
      file,
      line,
      field: fields.length < 2 ? 'item' : 'column 3',
      expected: 'two whitespace-separated integer ids "user item"',
      got: text,
    });
  }
  parseIntegerField(fields[0], file, line, 'user');
  parseIntegerField(fields[1], file, line, 'item');
  throw new DatasetFormatError({ file, line, expected: 'two integer ids "user item"', got: text });
}

export const SASREC_NO_TITLES_WARNING =
  'sasrec format has no item titles: items are titled by their ids, so behavior (B) and hybrid (H) alignment will be weak';

export const importSasrec: Importer = async (opts: ImportOptions): Promise<RawDataset> => {
  const file = opts.input;
  if (!file) throw new InputError('sasrec: no input given: pass the "user item" text file');
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) throw new InputError(`${file}: not found`);
  if (st.isDirectory()) throw new InputError(`${file}: expected a SASRec "user item" text file, found a folder`);
  const report = opts.onProgress;
  const label = `reading ${basename(file)}`;
  const onBytes = report ? (done: number, total: number) => report(done, total, label) : undefined;
  const builder = new RawDatasetBuilder('sasrec', opts.maxInteractions);
  builder.sources.push(file);
  for await (const { text, no } of readLines(file, 'SASRec data file', { encoding: opts.encoding, onBytes })) {
    const ids = PAIR_LINE.exec(text);
    if (ids === null) {
      if (text.trim() === '') continue;
      rejectLine(text, file, no);
    }
    builder.add(canonicalId(ids[1]), canonicalId(ids[2]), no, `${file}:${no}`);
  }
  // Ids as titles keep the pipeline (which drops untitled items) working; defineItem sets hasTitles.
  for (const itemId of builder.itemIds) builder.defineItem(itemId, itemId, {});
  builder.warnings.push(SASREC_NO_TITLES_WARNING);
  return builder.build();
};
