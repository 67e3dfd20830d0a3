/**
 * Id maps: a CSV with a header and the columns `model_id,source_id` that says which row of an
 * external model's table (1-based; row 0 is padding) holds which item (or user) of the project's
 * dataset, named by its id in the source data. Every dataset entity must appear exactly once;
 * source ids the dataset does not know are reported with their line numbers.
 */
import { readCsvRecords } from '../../data/csv-records.ts';
import { parseIntegerField, requireField } from '../../data/text-lines.ts';
import { DatasetFormatError } from '../../errors.ts';
import { requireInputFile } from './float-tensor-file.ts';

export const ID_MAP_COLUMNS = ['model_id', 'source_id'] as const;

export interface IdMapOptions {
  /** 'item' or 'user', for messages. */
  entity: string;
  /** Dataset id (1-based) by source id. */
  datasetIds: Map<string, number>;
  /** Rows of the model's table including padding row 0: model ids must be below it. */
  modelRows: number;
}

/** How many unknown ids an error lists before summarising. */
const LISTED = 5;

/** Dataset id → model row, as [count + 1] with entry 0 = 0 (padding maps to padding). */
export async function readIdMap(file: string, opts: IdMapOptions): Promise<Int32Array> {
  await requireInputFile(file, `${opts.entity} id map`);
  const count = opts.datasetIds.size;
  const toModel = new Int32Array(count + 1).fill(-1);
  toModel[0] = 0;
  const modelSeen = new Map<number, number>();
  const datasetLine = new Map<number, number>();
  const unknown: { id: string; line: number }[] = [];
  let unknownCount = 0;
  for await (const { values, line } of readCsvRecords(file, {
    role: `${opts.entity} id map`,
    columns: ID_MAP_COLUMNS,
  })) {
    const modelId = parseIntegerField(values[0], file, line, 'model_id');
    const sourceId = requireField(values[1], file, line, 'source_id');
    if (modelId < 1 || modelId >= opts.modelRows) {
      throw new DatasetFormatError({
        file,
        line,
        field: 'model_id',
        expected: `a row of the model's ${opts.entity} table, 1…${opts.modelRows - 1} (row 0 is padding)`,
        got: values[0],
      });
    }
    const earlier = modelSeen.get(modelId);
    if (earlier !== undefined) {
      throw new DatasetFormatError({
        file,
        line,
        field: 'model_id',
        expected: `each model id once (${modelId} is also on line ${earlier})`,
        got: values[0],
      });
    }
    modelSeen.set(modelId, line);
    const datasetId = opts.datasetIds.get(sourceId);
    if (datasetId === undefined) {
      unknownCount++;
      if (unknown.length < LISTED) unknown.push({ id: sourceId, line });
      continue;
    }
    if (toModel[datasetId] !== -1) {
      throw new DatasetFormatError({
        file,
        line,
        field: 'source_id',
        expected: `each ${opts.entity} once ("${sourceId}" is also on line ${datasetLine.get(datasetId)})`,
        got: sourceId,
      });
    }
    toModel[datasetId] = modelId;
    datasetLine.set(datasetId, line);
  }
  if (unknownCount > 0) {
    const listed = unknown.map((u) => `"${u.id}" (line ${u.line})`).join(', ');
    const more = unknownCount > unknown.length ? `, … ${unknownCount} in all` : '';
    throw new DatasetFormatError({
      file,
      line: unknown[0].line,
      field: 'source_id',
      expected: `source ids of ${opts.entity}s in the project's dataset; unknown: ${listed}${more}`,
    });
  }
  const missing: number[] = [];
  for (let k = 1; k <= count; k++) if (toModel[k] === -1) missing.push(k);
  if (missing.length > 0) {
    const bySource = new Map([...opts.datasetIds].map(([s, d]) => [d, s]));
    const listed = missing.slice(0, LISTED).map((d) => `"${bySource.get(d)}"`);
    const more = missing.length > LISTED ? `, … ${missing.length} in all` : '';
    throw new DatasetFormatError({
      file,
      field: 'source_id',
      expected: `a row for every ${opts.entity} of the project's dataset; missing: ${listed.join(', ')}${more}`,
    });
  }
  return toModel;
}

/** Rows of `table` ([modelRows, width]) reordered into dataset order: row d = table[toModel[d]]. */
export function reorderRows(table: Float32Array, width: number, toModel: Int32Array): Float32Array {
  const out = new Float32Array(toModel.length * width);
  for (let d = 0; d < toModel.length; d++)
    out.set(table.subarray(toModel[d] * width, (toModel[d] + 1) * width), d * width);
  return out;
}
