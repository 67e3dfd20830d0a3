import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../../../electron/engine/data/importers/csv.ts';
import type { CsvMapping } from '../../../../electron/engine/data/importers/types.ts';
import type { RawDataset } from '../../../../electron/engine/data/raw-dataset.ts';
import { DatasetFormatError, InputError } from '../../../../electron/engine/errors.ts';

const FIXTURES = 'tests/fixtures/data/csv';
const BASE = { maxInteractions: Number.POSITIVE_INFINITY, seed: 1 };
const BOOKS: CsvMapping = {
  userCol: 'reader',
  itemCol: 'book_id',
  timeCol: 'read_at',
  itemsFile: join(FIXTURES, 'books.csv'),
  titleCol: 'name',
  attrCols: ['category', 'tags'],
};
const tempDir = mkdtempSync(join(tmpdir(), 'recx-csv-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

let fileCount = 0;
/** Writes a temp file (a string is written in `encoding`) and returns its path. */
function file(name: string, content: string | Buffer, encoding: BufferEncoding = 'utf8'): string {
  const path = join(tempDir, `${fileCount++}-${name}`);
  writeFileSync(path, typeof content === 'string' ? Buffer.from(content, encoding) : content);
  return path;
}

function item(d: RawDataset, sourceId: string) {
  return d.items[d.itemIds.indexOf(sourceId)];
}

/** Awaits a rejection and checks it is a DatasetFormatError naming file, line and field. */
async function expectFormatError(p: Promise<unknown>, path: string, line: number | undefined, field?: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetFormatError);
  const e = err as DatasetFormatError;
  expect(e.details.file).toBe(path);
  expect(e.details.line).toBe(line);
  expect(e.message).toContain(line === undefined ? path : `${path}:${line}:`);
  if (field !== undefined) expect(e.message).toContain(`field "${field}"`);
  return e;
}

const simple = (input: string, csv: Partial<CsvMapping> = {}) =>
  importCsv({ ...BASE, input, csv: { userCol: 'u', itemCol: 'i', ...csv } });

describe('importCsv: good input', () => {
  it('reads a CSV with ISO times and an items file with quoted titles and list attributes', async () => {
    const d = await importCsv({ ...BASE, input: join(FIXTURES, 'interactions.csv'), csv: BOOKS });
    expect(d.format).toBe('csv');
    expect([d.length, d.userIds.length, d.itemIds.length]).toEqual([56, 8, 10]);
    expect(d.sources).toEqual([join(FIXTURES, 'books.csv'), join(FIXTURES, 'interactions.csv')]);
    expect(d.time[0]).toBe(Date.parse('2024-03-01T01:00:00Z') / 1000);
    expect([d.userIds[d.user[0]], d.itemIds[d.item[0]]]).toEqual(['r1', 'b1']);
    expect(item(d, 'b1')).toEqual({
      title: 'The Hobbit',
      attributes: { category: 'fantasy', tags: ['dragons', 'adventure'] },
    });
    expect(item(d, 'b3').attributes).toEqual({ category: 'romance', tags: 'society' });
    expect(item(d, 'b4').title).toBe('"Dracula", the novel');
    expect(item(d, 'b6').attributes).toEqual({ category: 'romance' });
    expect(d.hasTitles).toBe(true);
    expect(d.warnings).toEqual([]);
  });

  it('reads a TSV by extension; without a time column the file order is the time', async () => {
    const d = await importCsv({
      ...BASE,
      input: join(FIXTURES, 'clicks.tsv'),
      csv: { userCol: 'session', itemCol: 'product' },
    });
    expect([d.length, d.userIds.length, d.itemIds.length]).toEqual([56, 8, 10]);
    expect(Array.from(d.time.subarray(0, d.length))).toEqual(Array.from({ length: 56 }, (_, k) => k));
    expect(d.hasTitles).toBe(false);
    expect(d.items.every((it) => it.title === null)).toBe(true);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toContain('no titles');
  });

  it('takes titles and attributes from the interactions file when there is no items file', async () => {
    const input = file('inline.csv', 'u,i,t,title,genre\n1,a,5,Alpha,x|y\n2,a,6,Ignored,z\n2,b,7,,w\n');
    const d = await simple(input, { timeCol: 't', titleCol: 'title', attrCols: ['genre'] });
    expect(item(d, 'a')).toEqual({ title: 'Alpha', attributes: { genre: ['x', 'y'] } });
    expect(item(d, 'b')).toEqual({ title: null, attributes: { genre: 'w' } });
    expect(Array.from(d.time.subarray(0, 3))).toEqual([5, 6, 7]);
  });

  it('maps an items file with its own id column and warns about items it lacks', async () => {
    const items = file('items.csv', 'id,title\na,Alpha\n');
    const d = await simple(file('inter.csv', 'u,i\n1,a\n1,b\n2,c\n'), {
      itemsFile: items,
      itemIdCol: 'id',
      titleCol: 'title',
    });
    expect(item(d, 'a').title).toBe('Alpha');
    expect(d.warnings).toEqual([
      expect.stringMatching(/^2 item id\(s\) in .*inter\.csv are missing from .*items\.csv/),
    ]);
  });

  it('honours explicit delimiters, CRLF, a BOM and blank lines', async () => {
    const semi = await simple(file('semi.txt', '\uFEFFu;i\r\n1;a\r\n\r\n2;b\r\n\r\n'), { delimiter: ';' });
    expect([semi.length, semi.userIds, semi.itemIds]).toEqual([2, ['1', '2'], ['a', 'b']]);
    for (const delimiter of ['\t', '\\t', 'tab']) {
      expect((await simple(file('tabs.txt', 'u\ti\n1\ta\n'), { delimiter })).itemIds).toEqual(['a']);
    }
  });

  it('honours an encoding override and rejects undecodable UTF-8 at its line', async () => {
    const items = file('latin1.csv', 'i,title\na,Caf\u00e9\n', 'latin1');
    const inter = file('inter.csv', 'u,i\n1,a\n');
    const d = await simple(inter, { itemsFile: items, titleCol: 'title' }).catch((e) => e);
    expect(d).toBeInstanceOf(DatasetFormatError);
    expect(d.message).toContain(`${items}:2:`);
    expect(d.message).toContain('--encoding latin-1');
    const latin1 = await importCsv({
      ...BASE,
      input: inter,
      encoding: 'latin-1',
      csv: { userCol: 'u', itemCol: 'i', itemsFile: items, titleCol: 'title' },
    });
    expect(item(latin1, 'a').title).toBe('Café');
  });

  it('reads gzip input, detecting .tsv.gz as tab-separated', async () => {
    const tsv = join(tempDir, 'clicks.tsv.gz');
    writeFileSync(tsv, gzipSync(readFileSync(join(FIXTURES, 'clicks.tsv'))));
    const d = await importCsv({ ...BASE, input: tsv, csv: { userCol: 'session', itemCol: 'product' } });
    expect(d.length).toBe(56);
    const csvGz = join(tempDir, 'interactions.csv.gz');
    writeFileSync(csvGz, gzipSync(readFileSync(join(FIXTURES, 'interactions.csv'))));
    const books = await importCsv({ ...BASE, input: csvGz, csv: BOOKS });
    expect([books.length, item(books, 'b4').title]).toEqual([56, '"Dracula", the novel']);
  });

  it('reports progress per file', async () => {
    const seen = new Map<string, [number, number]>();
    const onProgress = (done: number, total: number, label: string) => {
      seen.set(label, [done, total]);
    };
    await importCsv({ ...BASE, input: join(FIXTURES, 'interactions.csv'), csv: BOOKS, onProgress });
    const size = (name: string) => readFileSync(join(FIXTURES, name)).length;
    expect(Object.fromEntries(seen)).toEqual({
      'books.csv': [size('books.csv'), size('books.csv')],
      'interactions.csv': [size('interactions.csv'), size('interactions.csv')],
    });
  });
});

describe('importCsv: bad input', () => {
  it('names the missing mapping options', async () => {
    const input = join(FIXTURES, 'clicks.tsv');
    const none = importCsv({ ...BASE, input });
    await expect(none).rejects.toThrow(InputError);
    await expect(none).rejects.toThrow(/--user-col.*--item-col/);
    const noItem = importCsv({ ...BASE, input, csv: { userCol: 'session', itemCol: '' } });
    await expect(noItem).rejects.toThrow(/needs --item-col/);
    await expect(importCsv({ ...BASE, csv: { userCol: 'a', itemCol: 'b' } })).rejects.toThrow(/--input/);
    await expect(simple(join(tempDir, 'nope.csv'))).rejects.toThrow(InputError);
    await expect(simple(input, { userCol: 'session', itemCol: 'product' }).then(() => 0)).resolves.toBe(0);
  });

  it('rejects a mapped column missing from the header, listing the header', async () => {
    const input = join(FIXTURES, 'interactions.csv');
    const err = await expectFormatError(
      importCsv({ ...BASE, input, csv: { ...BOOKS, timeCol: 'when' } }),
      input,
      1,
      'when',
    );
    expect(err.message).toContain('--time-col');
    expect(err.message).toContain('reader, book_id, read_at');
    const items = join(FIXTURES, 'books.csv');
    const title = await expectFormatError(
      importCsv({ ...BASE, input, csv: { ...BOOKS, titleCol: 'title' } }),
      items,
      1,
      'title',
    );
    expect(title.message).toContain('book_id, name, category, tags');
  });

  it('rejects duplicate header names', async () => {
    const input = file('dup.csv', 'u,i,u\n1,a,2\n');
    await expectFormatError(simple(input), input, 1, 'u');
  });

  it('rejects rows with the wrong number of fields, at their line', async () => {
    const short = file('short.csv', 'u,i,t\n1,a,5\n2,b\n');
    await expectFormatError(simple(short, { timeCol: 't' }), short, 3, 't');
    const long = file('long.csv', 'u,i\n1,a\n2,"b\nb"\n3,c,extra\n');
    await expectFormatError(simple(long), long, 5, 'column 3');
  });

  it('rejects an unclosed quote at its line', async () => {
    const input = file('quote.csv', 'u,i\n1,a\n2,"b\n3,c\n');
    const err = await expectFormatError(simple(input), input, 3, 'i');
    expect(err.message).toContain('closing quote');
  });

  it('rejects bad times and empty ids, naming line and column', async () => {
    const time = file('time.csv', 'u,i,when\n1,a,2024-01-01\n1,b,last tuesday\n');
    await expectFormatError(simple(time, { timeCol: 'when' }), time, 3, 'when');
    const emptyUser = file('empty-user.csv', 'u,i\n1,a\n ,b\n');
    await expectFormatError(simple(emptyUser), emptyUser, 3, 'u');
    const emptyItem = file('empty-item.tsv', 'u\ti\n1\t\n');
    await expectFormatError(simple(emptyItem), emptyItem, 2, 'i');
  });

  it('rejects empty, header-only and binary files', async () => {
    const empty = file('empty.csv', '');
    await expectFormatError(simple(empty), empty, undefined);
    const headerOnly = file('header.csv', 'u,i\n');
    const err = await expectFormatError(simple(headerOnly), headerOnly, 2);
    expect(err.message).toContain('at least one interaction');
    const binary = file('binary.csv', Buffer.from('u,i\n1,a\n2,\0\x01\n'));
    await expectFormatError(simple(binary), binary, 3);
  });

  it('rejects an unknown encoding with an InputError', async () => {
    const input = join(FIXTURES, 'clicks.tsv');
    const p = importCsv({ ...BASE, input, encoding: 'ebcdic', csv: { userCol: 'session', itemCol: 'product' } });
    await expect(p).rejects.toThrow(InputError);
    await expect(p).rejects.toThrow(/unknown encoding "ebcdic"/);
  });
});
