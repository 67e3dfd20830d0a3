/**
 * Generic CSV/TSV importer: one interactions file with a header, columns named by a mapping, plus
 * an optional items file for titles and attributes. Without a time column the file order is the
 * time order.
 */
import { basename, extname } from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import { type CsvColumn, readCsvRecords } from '../csv-records.ts';
import { type AttributeValue, RawDatasetBuilder } from '../raw-dataset.ts';
import { parseTimeField, requireField, resolveEncoding } from '../text-lines.ts';
import type { CsvMapping, Importer, ImportOptions } from './types.ts';

const TAB_EXTENSIONS = new Set(['.tsv', '.tab']);

/** Tab for .tsv/.tab (also gzipped), else comma; "\t" or "tab" typed on a command line mean a tab. */
function delimiterFor(file: string, mapping: CsvMapping): string {
  const given = mapping.delimiter;
  if (given === '\\t' || given?.toLowerCase() === 'tab') return '\t';
  if (given) return given;
  const name = file.toLowerCase().endsWith('.gz') ? file.slice(0, -3) : file;
  return TAB_EXTENSIONS.has(extname(name).toLowerCase()) ? '\t' : ',';
}

function requireMapping(mapping: CsvMapping | undefined): CsvMapping {
  const missing: string[] = [];
  if (!mapping?.userCol) missing.push('--user-col <column>');
  if (!mapping?.itemCol) missing.push('--item-col <column>');
  if (missing.length > 0 || !mapping) {
    throw new InputError(`csv import needs ${missing.join(' and ')} to name the header columns of the input file`);
  }
  return mapping;
}

/** Attribute value from one cell: '|' separates list values; empty cells are left out. */
function attributeValue(cell: string): AttributeValue | undefined {
  const v = cell.trim();
  if (v === '') return undefined;
  if (v.indexOf('|') === -1) return v;
  return v
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Title and attributes from an item row whose values are [..., title?, ...attrCols]. */
class ItemColumns {
  constructor(
    private readonly titleCol: string | undefined,
    private readonly attrCols: readonly string[],
  ) {}

  get columns(): CsvColumn[] {
    const cols: CsvColumn[] = [];
    if (this.titleCol) cols.push({ name: this.titleCol, option: '--title-col' });
    for (const name of this.attrCols) cols.push({ name, option: '--attr-cols' });
    return cols;
  }

  /** Defines item `id` from values[offset...]. */
  define(builder: RawDatasetBuilder, id: string, values: string[], offset: number): void {
    let k = offset;
    let title: string | null = null;
    if (this.titleCol) {
      const t = values[k++].trim();
      title = t === '' ? null : t;
    }
    const attributes: Record<string, AttributeValue> = {};
    for (const name of this.attrCols) {
      const v = attributeValue(values[k++]);
      if (v !== undefined) attributes[name] = v;
    }
    builder.defineItem(id, title, attributes);
  }
}

export const importCsv: Importer = async (opts: ImportOptions) => {
  const mapping = requireMapping(opts.csv);
  const file = opts.input;
  if (!file) throw new InputError('csv import needs --input <file> (a CSV or TSV file with a header line)');
  const encoding = opts.encoding ?? 'utf-8';
  resolveEncoding(encoding);

  const builder = new RawDatasetBuilder('csv', opts.maxInteractions);
  const progress = (f: string) =>
    opts.onProgress ? (done: number, total: number) => opts.onProgress?.(done, total, basename(f)) : undefined;
  const items = new ItemColumns(mapping.titleCol || undefined, mapping.attrCols ?? []);

  let definedItems = 0;
  if (mapping.itemsFile) {
    const itemsFile = mapping.itemsFile;
    const idCol = mapping.itemIdCol || mapping.itemCol;
    const option = mapping.itemIdCol ? '--item-id-col' : '--item-col';
    builder.sources.push(itemsFile);
    const rows = readCsvRecords(itemsFile, {
      role: 'items file',
      columns: [{ name: idCol, option }, ...items.columns],
      delimiter: delimiterFor(itemsFile, mapping),
      encoding,
      onBytes: progress(itemsFile),
    });
    for await (const { values, line } of rows) {
      items.define(builder, requireField(values[0], itemsFile, line, idCol), values, 1);
    }
    definedItems = builder.itemIds.length;
  }

  // Without an items file, title and attribute columns come from the interactions file itself.
  const itemsInline = !mapping.itemsFile;
  const columns: CsvColumn[] = [
    { name: mapping.userCol, option: '--user-col' },
    { name: mapping.itemCol, option: '--item-col' },
  ];
  if (mapping.timeCol) columns.push({ name: mapping.timeCol, option: '--time-col' });
  const itemOffset = columns.length;
  if (itemsInline) columns.push(...items.columns);

  builder.sources.push(file);
  const rows = readCsvRecords(file, {
    role: 'interactions file',
    columns,
    delimiter: delimiterFor(file, mapping),
    encoding,
    onBytes: progress(file),
  });
  const timeCol = mapping.timeCol;
  let rowIndex = 0;
  for await (const { values, line } of rows) {
    const user = requireField(values[0], file, line, mapping.userCol);
    const item = requireField(values[1], file, line, mapping.itemCol);
    const time = timeCol ? parseTimeField(values[2], file, line, timeCol) : rowIndex;
    rowIndex++;
    const knownItems = builder.itemIds.length;
    builder.add(user, item, time, `${file}:${line}`);
    if (itemsInline && builder.itemIds.length > knownItems) items.define(builder, item, values, itemOffset);
  }

  if (builder.interactionCount === 0) {
    throw new DatasetFormatError({ file, line: 2, expected: 'at least one interaction row after the header' });
  }
  if (!mapping.titleCol) {
    builder.warnings.push(
      'items have no titles (no --title-col given): language-based explanation methods will be weak; ' +
        'map a title column, in the input or an --items-file, to fix this',
    );
  }
  // Untitled items are dropped only when the source has titles at all.
  const missing = mapping.itemsFile && mapping.titleCol ? builder.itemIds.length - definedItems : 0;
  if (missing > 0) {
    builder.warnings.push(
      `${missing} item id(s) in ${file} are missing from ${mapping.itemsFile}; ` +
        'they have no title and will be dropped by preprocessing',
    );
  }
  return builder.build();
};
