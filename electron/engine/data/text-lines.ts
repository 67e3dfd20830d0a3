/**
 * Streaming text input shared by the importers: opens plain or gzip files in a named encoding and
 * yields one line at a time, so no file is ever held as one string.
 */
import { createReadStream, type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetFormatError, InputError } from '../errors.ts';

const ENCODINGS: Record<string, BufferEncoding> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'latin-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  ascii: 'ascii',
  'utf-16le': 'utf16le',
  utf16le: 'utf16le',
};

/** Maps a user-facing encoding name to Node's, or throws naming the accepted ones. */
export function resolveEncoding(name: string): BufferEncoding {
  const enc = ENCODINGS[name.toLowerCase()];
  if (!enc) {
    throw new InputError(`unknown encoding "${name}": expected one of utf-8, latin-1 (iso-8859-1), ascii, utf-16le`);
  }
  return enc;
}

/** Stats a required input file, with errors that say what was expected. */
export function requireFile(file: string, role: string): Stats {
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    throw new InputError(`${file}: ${role} not found`);
  }
  if (!st.isFile()) throw new InputError(`${file}: ${role} must be a file, found a folder or device`);
  if (st.size === 0) throw new DatasetFormatError({ file, expected: `a non-empty ${role}`, got: '' });
  return st;
}

/** Whether the file starts with the gzip magic bytes (compressed whatever its name). */
export async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let p = s.indexOf('\n'); p !== -1; p = s.indexOf('\n', p + 1)) n++;
  return n;
}

/**
 * Decodes UTF-8 strictly: undecodable bytes fail with the line they are on, instead of turning
 * into U+FFFD in titles (a genuine U+FFFD in the file is still accepted).
 */
function strictUtf8(file: string, encodingName: string): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lines = 0;
  const fail = (chunk: Uint8Array) => {
    // Longest decodable prefix (validity of prefixes is monotone), then count its lines.
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    const valid = new TextDecoder('utf-8').decode(chunk.subarray(0, lo));
    const line = lines + 1 + countNewlines(valid);
    const expected = `valid ${encodingName} text (pass --encoding latin-1 if the file is Latin-1)`;
    return new DatasetFormatError({ file, line, expected });
  };
  return new Transform({
    decodeStrings: true,
    encoding: 'utf8',
    transform(chunk: Buffer, _enc, done) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        done(fail(chunk));
        return;
      }
      lines += countNewlines(text);
      done(null, text);
    },
    flush(done) {
      try {
        done(null, decoder.decode());
      } catch {
        done(fail(new Uint8Array([0xff])));
      }
    },
  });
}

export interface Line {
  text: string;
  /** 1-based. */
  no: number;
}

export interface ReadLinesOptions {
  encoding?: string;
  /** Called with bytes of the (compressed) file consumed so far, for progress bars. */
  onBytes?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Yields the lines of a text file (plain or gzip, detected by content). Rejects binary content
 * (NUL bytes) and, for UTF-8, undecodable bytes, pointing at the line.
 */
export async function* readLines(file: string, role: string, opts: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const st = requireFile(file, role);
  const encodingName = opts.encoding ?? 'utf-8';
  const encoding = resolveEncoding(encodingName);
  // Sniff gzip before opening the stream: nothing may read from it before readline is attached.
  const gz = await isGzip(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = gz ? raw.pipe(createGunzip()) : raw;
  if (gz) raw.on('error', (e) => stream.destroy(e));
  let input: Readable = stream;
  if (encoding === 'utf8') input = stream.pipe(strictUtf8(file, encodingName));
  else stream.setEncoding(encoding);
  if (input !== stream) stream.on('error', (e) => input.destroy(e));
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let no = 0;
  try {
    for await (let text of rl) {
      no++;
      if (no === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.includes('\0')) {
        throw new DatasetFormatError({ file, line: no, expected: `text (${encodingName}), found binary data` });
      }
      if (opts.onBytes && (no & 4095) === 0) opts.onBytes(raw.bytesRead, st.size);
      yield { text, no };
    }
    opts.onBytes?.(st.size, st.size);
  } catch (e) {
    if (e instanceof Error && 'code' in e && (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR')) {
      throw new DatasetFormatError({
        file,
        line: no + 1,
        expected: 'a valid gzip stream (the file is truncated or corrupt)',
      });
    }
    throw e;
  } finally {
    rl.close();
    raw.destroy();
  }
  if (no === 0) throw new DatasetFormatError({ file, expected: `a non-empty ${role}`, got: '' });
}

/** Parses a base-10 integer id field (ids stay strings elsewhere; this is for strict numeric formats). */
export function parseIntegerField(value: string, file: string, line: number, field: string): number {
  const v = value.trim();
  if (!/^-?\d+$/.test(v)) throw new DatasetFormatError({ file, line, field, expected: 'an integer', got: value });
  return Number(v);
}

/** Parses a timestamp: a number (seconds or ms since epoch, or any ordinal) or an ISO-8601 date. */
export function parseTimeField(value: string, file: string, line: number, field: string): number {
  const v = value.trim();
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms / 1000;
  }
  throw new DatasetFormatError({ file, line, field, expected: 'a numeric timestamp or an ISO-8601 date', got: value });
}

/** Rejects an empty id field. */
export function requireField(value: string | undefined, file: string, line: number, field: string): string {
  const v = value?.trim() ?? '';
  if (v === '') throw new DatasetFormatError({ file, line, field, expected: 'a non-empty value', got: value ?? '' });
  return v;
}
