/**
 * Streaming CSV/TSV reading shared by the importers: csv-parse over a plain or gzip file in a named
 * encoding, header validated against the columns the caller needs. Rows come out as arrays aligned
 * with the requested columns (not one object per row: at 1M rows that costs about a second).
 */

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { CsvError, parse } from 'csv-parse';
import { DatasetFormatError, RecxError } from '../errors.ts';
import { isGzip, requireFile, resolveEncoding } from './text-lines.ts';

/** A column the caller needs; `option` names the CLI option it came from, for error messages. */
export type CsvColumn = string | { name: string; option: string };

export interface CsvReadOptions {
  /** What the file is, in words ("ratings file"), for error messages. */
  role: string;
  /** Columns to extract, in the order `values` will hold them. */
  columns: readonly CsvColumn[];
  /** One character; default comma. */
  delimiter?: string;
  /** Default utf-8. */
  encoding?: string;
  /** Bytes of the (compressed) file consumed so far. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
}

export interface CsvRow {
  /** values[k] is the field of the k-th requested column. */
  values: string[];
  /** 1-based line where the record starts (the header is line 1). */
  line: number;
}

/** A quoted field longer than this is almost surely a quote that never closes. */
const MAX_RECORD_CHARS = 1 << 20;

function countNewlines(text: string, end = text.length): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function recordNewlines(record: string[]): number {
  let n = 0;
  for (let k = 0; k < record.length; k++) if (record[k].indexOf('\n') !== -1) n += countNewlines(record[k]);
  return n;
}

const columnName = (c: CsvColumn): string => (typeof c === 'string' ? c : c.name);

/** Checks the header and returns, per requested column, its index in the record. */
function headerIndices(file: string, header: string[], columns: readonly CsvColumn[]): number[] {
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) {
      throw new DatasetFormatError({
        file,
        line: 1,
        field: name,
        expected: 'unique column names in the header',
        got: header.join(', '),
      });
    }
    seen.add(name);
  }
  return columns.map((c) => {
    const index = header.indexOf(columnName(c));
    if (index === -1) {
      const from = typeof c === 'string' ? '' : ` (from ${c.option})`;
      throw new DatasetFormatError({
        file,
        line: 1,
        field: columnName(c),
        expected: `a header column named "${columnName(c)}"${from}; the header has: ${header.join(', ')}`,
      });
    }
    return index;
  });
}

/** Where reading stopped: `nextLine` starts the first record not yet consumed. */
interface Position {
  header: string[] | undefined;
  consumed: number;
  nextLine: number;
  decodedLines: number;
}

/** Turns csv-parse and stream errors into DatasetFormatError naming the file and line. */
function toFormatError(e: unknown, file: string, pos: Position): unknown {
  if (e instanceof RecxError) return e;
  const header = pos.header;
  if (e instanceof CsvError) {
    const info = e as CsvError & { records?: number; column?: number | string | null; record?: string[] };
    // The parser runs ahead of the consumer; records parsed but not consumed are taken as one line
    // each, so this is the line where the bad record starts (csv-parse reports where it ends).
    const line = pos.nextLine + Math.max(0, (info.records ?? pos.consumed) - pos.consumed);
    const field = typeof info.column === 'number' && header ? header[info.column] : undefined;
    switch (e.code) {
      case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      case 'CSV_RECORD_INCONSISTENT_COLUMNS':
        return new DatasetFormatError({
          file,
          line,
          field: `column ${(header?.length ?? 0) + 1}`,
          expected: `${header?.length} fields like the header (${header?.join(', ')})`,
          got: `${info.record?.length ?? 'more'} fields`,
        });
      case 'CSV_QUOTE_NOT_CLOSED':
        return new DatasetFormatError({ file, line, field, expected: 'a closing quote before the end of the file' });
      case 'CSV_MAX_RECORD_SIZE':
        return new DatasetFormatError({
          file,
          line,
          field,
          expected: `a record under ${MAX_RECORD_CHARS} characters (is a quote left open?)`,
        });
      default:
        return new DatasetFormatError({ file, line, field, expected: 'well-formed CSV', got: e.message });
    }
  }
  if (e instanceof Error && 'code' in e && (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR')) {
    return new DatasetFormatError({
      file,
      line: pos.decodedLines + 1,
      expected: 'a valid gzip stream (the file is truncated or corrupt)',
    });
  }
  return e;
}

/**
 * Yields the data rows of a delimited file with a header line, after checking that the header
 * names every requested column once. Blank lines are skipped; a row with the wrong number of
 * fields, an open quote, binary or (for UTF-8) undecodable content is a DatasetFormatError.
 */
export async function* readCsvRecords(file: string, opts: CsvReadOptions): AsyncGenerator<CsvRow> {
  const st = requireFile(file, opts.role);
  const encodingName = opts.encoding ?? 'utf-8';
  const encoding = resolveEncoding(encodingName);
  // Sniff before opening the stream: a 'data' listener attached earlier would start the flow
  // and lose the first chunk while we wait.
  const gz = await isGzip(file);
  const pos: Position = { header: undefined, consumed: 0, nextLine: 1, decodedLines: 0 };

  async function* decodeChecked(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
    const decoder = new StringDecoder(encoding);
    const check = (text: string): string => {
      const nul = text.indexOf('\0');
      if (nul !== -1) {
        const line = pos.decodedLines + countNewlines(text, nul) + 1;
        throw new DatasetFormatError({ file, line, expected: `text (${encodingName}), found binary data` });
      }
      const bad = encoding === 'utf8' ? text.indexOf('\uFFFD') : -1;
      if (bad !== -1) {
        const line = pos.decodedLines + countNewlines(text, bad) + 1;
        throw new DatasetFormatError({
          file,
          line,
          expected: 'valid UTF-8 text (pass --encoding latin-1 if the file is Latin-1)',
        });
      }
      pos.decodedLines += countNewlines(text);
      return text;
    };
    for await (const chunk of source) yield check(decoder.write(chunk));
    const tail = decoder.end();
    if (tail) yield check(tail);
  }

  const parser = parse({
    delimiter: opts.delimiter ?? ',',
    bom: true,
    relax_quotes: true,
    relax_column_count: false,
    // Short rows come through so blank lines can be skipped with exact line numbers kept.
    relax_column_count_less: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  const raw = createReadStream(file);
  const flowing = gz ? pipeline(raw, createGunzip(), decodeChecked, parser) : pipeline(raw, decodeChecked, parser);
  // Failures also reach the loop below through the parser; this only avoids an unhandled rejection.
  flowing.catch(() => {});
  if (opts.onBytes) {
    const onBytes = opts.onBytes;
    raw.on('data', () => onBytes(raw.bytesRead, st.size));
  }

  let indices: number[] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const line = pos.nextLine;
      pos.nextLine += 1 + recordNewlines(record);
      pos.consumed++;
      const header = pos.header;
      if (header === undefined) {
        pos.header = record.map((name) => name.trim());
        indices = headerIndices(file, pos.header, opts.columns);
        continue;
      }
      if (record.length < header.length) {
        if (record.length === 1 && record[0].trim() === '') continue;
        throw new DatasetFormatError({
          file,
          line,
          field: header[record.length],
          expected: `${header.length} fields like the header (${header.join(', ')})`,
          got: `${record.length} fields: ${record.join(opts.delimiter ?? ',')}`,
        });
      }
      const values = new Array<string>(indices.length);
      for (let k = 0; k < indices.length; k++) values[k] = record[indices[k]];
      yield { values, line };
    }
    await flowing;
  } catch (e) {
    throw toFormatError(e, file, pos);
  } finally {
    raw.destroy();
  }
  if (pos.header === undefined) throw new DatasetFormatError({ file, line: 1, expected: 'a header line', got: '' });
}
