import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { importSasrec, SASREC_NO_TITLES_WARNING } from '../../../../electron/engine/data/importers/sasrec.ts';
import type { RawDataset } from '../../../../electron/engine/data/raw-dataset.ts';
import { DatasetFormatError, DatasetTooLargeError, InputError } from '../../../../electron/engine/errors.ts';

const FIXTURE = 'tests/fixtures/data/sasrec/mini.txt';
const OPTS = { maxInteractions: 1_000_000, seed: 1 };

function writeTemp(name: string, content: string | Buffer): string {
  const file = join(mkdtempSync(join(tmpdir(), 'recx-sasrec-')), name);
  writeFileSync(file, content);
  return file;
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

/** Asserts the class and that the message names the file, the line and the field. */
async function expectFormatError(run: Promise<unknown>, file: string, line: number, field: string) {
  const e = await formatError(run);
  expect(e.message).toContain(`${file}:${line}:`);
  expect(e.message).toContain(`field "${field}"`);
  expect(e.details).toMatchObject({ file, line, field });
}

describe('importSasrec on the mini fixture', () => {
  it('reads every pair, with the line number as time', async () => {
    const ds = await importSasrec({ ...OPTS, input: FIXTURE });
    expect(ds.format).toBe('sasrec');
    expect(ds.length).toBe(52);
    expect(ds.userIds).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(ds.itemIds).toHaveLength(10);
    const rows = interactions(ds);
    expect(rows.slice(0, 2)).toEqual([
      ['1', '4', 1],
      ['1', '5', 2],
    ]);
    expect(rows[51]).toEqual(['8', '1', 52]);
    expect(ds.sources).toEqual([FIXTURE]);
  });

  it('titles items by their ids, sets hasTitles and warns that B and H will be weak', async () => {
    const ds = await importSasrec({ ...OPTS, input: FIXTURE });
    expect(ds.hasTitles).toBe(true);
    for (let i = 0; i < ds.itemIds.length; i++) {
      expect(ds.items[i]).toEqual({ title: ds.itemIds[i], attributes: {} });
    }
    expect(ds.warnings).toEqual([SASREC_NO_TITLES_WARNING]);
    expect(SASREC_NO_TITLES_WARNING).toBe(
      'sasrec format has no item titles: items are titled by their ids, so behavior (B) and hybrid (H) alignment will be weak',
    );
  });

  it('reads a gzip copy the same way', async () => {
    const file = writeTemp('mini.txt.gz', gzipSync(readFileSync(FIXTURE)));
    const ds = await importSasrec({ ...OPTS, input: file });
    const plain = await importSasrec({ ...OPTS, input: FIXTURE });
    expect(interactions(ds)).toEqual(interactions(plain));
    expect(ds.items).toEqual(plain.items);
  });

  it('reports progress ending at the file size', async () => {
    const calls: [number, number, string][] = [];
    const ds = await importSasrec({ ...OPTS, input: FIXTURE, onProgress: (d, t, l) => calls.push([d, t, l]) });
    expect(ds.length).toBe(52);
    const size = statSync(FIXTURE).size;
    expect(calls.at(-1)).toEqual([size, size, 'reading mini.txt']);
  });

  it('refuses more interactions than the limit', async () => {
    await expect(importSasrec({ ...OPTS, maxInteractions: 51, input: FIXTURE })).rejects.toThrow(DatasetTooLargeError);
  });
});

describe('importSasrec on other valid inputs', () => {
  it('accepts tabs, repeated spaces, CRLF, blank lines and leading zeros', async () => {
    const file = writeTemp('x.txt', '1\t10\r\n  1   20  \r\n\r\n02 010\n\n');
    const ds = await importSasrec({ ...OPTS, input: file });
    expect(interactions(ds)).toEqual([
      ['1', '10', 1],
      ['1', '20', 2],
      ['2', '10', 4],
    ]);
  });
});

describe('importSasrec errors', () => {
  it('rejects a line with one field', async () => {
    const file = writeTemp('x.txt', '1 1\n1 2\n7\n');
    await expectFormatError(importSasrec({ ...OPTS, input: file }), file, 3, 'item');
  });

  it('rejects a line with three fields', async () => {
    const file = writeTemp('x.txt', '1 1\n1 2 1400000000\n');
    const run = importSasrec({ ...OPTS, input: file });
    await expectFormatError(run, file, 2, 'column 3');
    await expect(run).rejects.toThrow('two whitespace-separated integer ids');
  });

  it('rejects a non-integer user or item id', async () => {
    const userFile = writeTemp('x.txt', '1 1\nA1 2\n');
    await expectFormatError(importSasrec({ ...OPTS, input: userFile }), userFile, 2, 'user');
    const itemFile = writeTemp('x.txt', '1 1\n1 2.5\n');
    await expectFormatError(importSasrec({ ...OPTS, input: itemFile }), itemFile, 2, 'item');
  });

  it('rejects an empty file and binary content', async () => {
    const empty = writeTemp('x.txt', '');
    expect((await formatError(importSasrec({ ...OPTS, input: empty }))).details.file).toBe(empty);
    const binary = writeTemp('x.txt', Buffer.from([0x31, 0x20, 0x32, 0x0a, 0x00, 0x01, 0x0a]));
    expect((await formatError(importSasrec({ ...OPTS, input: binary }))).details.line).toBe(2);
  });

  it('refuses a folder, a missing path and no input', async () => {
    await expect(importSasrec({ ...OPTS, input: 'tests/fixtures/data/sasrec' })).rejects.toThrow(/found a folder/);
    await expect(importSasrec({ ...OPTS, input: 'tests/fixtures/data/sasrec/nope.txt' })).rejects.toThrow(InputError);
    await expect(importSasrec({ ...OPTS })).rejects.toThrow(InputError);
  });
});
