/**
 * Access level 1: an auditor's ONNX user encoder plus its item table, described by a small JSON
 * manifest the auditor writes (paths relative to the manifest):
 *   { "encoder": "user_encoder.onnx", "input": "history", "output": "user_vector", "maxLength": 50,
 *     "itemTable": "items.safetensors" | "items.npy", "itemTableTensor": "weight", "idMap": "item_ids.csv" }
 * The encoder maps a left-padded int64 [B, maxLength] history of the model's item ids to [B, d];
 * the table is [modelItems + 1, d] with row 0 = padding. Without `idMap` the model's ids are the
 * dataset's 1-based ids (so the table has numItems + 1 rows); with it (CSV model_id,source_id) the
 * model's rows are matched to dataset items by source id.
 */
import path from 'node:path';
import { z } from 'zod';
import { DatasetFormatError } from '../../errors.ts';
import { encodeSafetensors } from '../../graph/safetensors.ts';
import type { SessionSettings } from '../../graph/session.ts';
import { assertFinite, firstNonFinite, readFloatTensor, requireInputFile, shapeText } from './float-tensor-file.ts';
import { readIdMap, reorderRows } from './id-map.ts';
import { checkEncoderSignature, OnnxUserEncoder, openEncoderSession } from './onnx-user-encoder.ts';
import {
  type ExternalImportResult,
  openImportTarget,
  parseUserJson,
  readUserJson,
  type SourceFile,
  sourceNames,
  writeRecommenderFolder,
} from './recommender-folder.ts';

/** The manifest the auditor writes. */
export const onnxImportManifestSchema = z.strictObject({
  encoder: z.string().min(1),
  input: z.string().min(1),
  output: z.string().min(1),
  maxLength: z.number().int().positive(),
  itemTable: z.string().min(1),
  /** Tensor of `itemTable` when it is a safetensors file holding more than one. */
  itemTableTensor: z.string().min(1).optional(),
  idMap: z.string().min(1).optional(),
});
export type OnnxImportManifest = z.infer<typeof onnxImportManifestSchema>;

/** `details` of model.json for kind 'onnx'. */
export const onnxDetailsSchema = z.object({
  /** Stored encoder (relative to the recommender folder). */
  encoder: z.string(),
  input: z.string(),
  output: z.string(),
  maxLength: z.number().int().positive(),
  inputType: z.enum(['int64', 'int32']),
  batchSize: z.number().int().positive().nullable(),
  /** safetensors with `items` [numItems + 1, dim] in dataset order and, when an id map was given, `model_item_ids` (I64). */
  itemTable: z.string(),
  idMapped: z.boolean(),
  /** The user's files as copied, by role. */
  sources: z.record(z.string(), z.string()),
});
export type OnnxDetails = z.infer<typeof onnxDetailsSchema>;

export const ONNX_ITEM_TABLE_FILE = 'items.safetensors';

export interface OnnxImportOptions {
  /** The auditor's manifest (JSON). */
  manifest: string;
  force?: boolean;
  settings?: SessionSettings;
}

/** Histories of up to this many dataset users go through the encoder once to learn d and check outputs. */
const PROBE_USERS = 8;

export async function importOnnxRecommender(
  project: string,
  options: OnnxImportOptions,
): Promise<ExternalImportResult> {
  const target = await openImportTarget(project, options.force);
  const { dataset } = target;
  const manifestFile = options.manifest;
  const m = parseUserJson(onnxImportManifestSchema, await readUserJson(manifestFile, 'ONNX manifest'), manifestFile);
  const at = (p: string) => path.resolve(path.dirname(manifestFile), p);
  const files = { encoder: at(m.encoder), itemTable: at(m.itemTable), idMap: m.idMap ? at(m.idMap) : undefined };
  await requireInputFile(files.encoder, 'user encoder (manifest field "encoder")');
  await requireInputFile(files.itemTable, 'item table (manifest field "itemTable")');
  if (files.idMap) await requireInputFile(files.idMap, 'item id map (manifest field "idMap")');

  const table = await readFloatTensor(files.itemTable, 'item table', m.itemTableTensor);
  const field = m.itemTableTensor ?? 'shape';
  if (table.shape.length !== 2 || table.shape[1] < 1) {
    throw new DatasetFormatError({
      file: files.itemTable,
      field,
      expected: 'a rank-2 table [items + 1, dim]',
      got: shapeText(table.shape),
    });
  }
  const [rows, width] = table.shape;
  if (!files.idMap && rows !== dataset.numItems + 1) {
    throw new DatasetFormatError({
      file: files.itemTable,
      field,
      expected: `${dataset.numItems + 1} rows (the dataset's ${dataset.numItems} items + padding row 0; give an "idMap" when the model numbers items differently)`,
      got: shapeText(table.shape),
    });
  }
  assertFinite(table.data, width, files.itemTable, m.itemTableTensor ?? 'table');
  const modelIds = files.idMap
    ? await readIdMap(files.idMap, { entity: 'item', datasetIds: target.itemIds, modelRows: rows })
    : null;

  const session = await openEncoderSession(files.encoder, options.settings);
  const encoder = new OnnxUserEncoder(
    session,
    checkEncoderSignature(session, m, manifestFile, files.encoder),
    modelIds,
    dataset.numItems,
    files.encoder,
  );
  try {
    const probe: Uint32Array[] = [];
    for (let u = 0; u < Math.min(PROBE_USERS, dataset.numUsers); u++) {
      probe.push(dataset.items.subarray(dataset.offsets[u], dataset.offsets[u + 1]));
    }
    const { data, dim } = await encoder.encode(probe);
    const bad = firstNonFinite(data);
    if (bad !== -1) {
      throw new DatasetFormatError({
        file: files.encoder,
        field: `output ${m.output}`,
        expected: `finite user vectors for the dataset's histories (user ${Math.floor(bad / dim) + 1} gave ${data[bad]})`,
      });
    }
    if (dim !== width) {
      throw new DatasetFormatError({
        file: files.itemTable,
        field,
        expected: `width ${dim}, the width of the encoder's output "${m.output}"`,
        got: shapeText(table.shape),
      });
    }
  } finally {
    await encoder.release();
  }

  const items = modelIds ? reorderRows(table.data, width, modelIds) : table.data;
  const tensors = {
    items: { dtype: 'float32' as const, dims: [dataset.numItems + 1, width], data: items },
    ...(modelIds
      ? {
          model_item_ids: {
            dtype: 'int64' as const,
            dims: [modelIds.length],
            data: BigInt64Array.from(modelIds, (v) => BigInt(v)),
          },
        }
      : {}),
  };
  const sources: SourceFile[] = [
    { role: 'manifest', file: manifestFile },
    { role: 'encoder', file: files.encoder },
    { role: 'itemTable', file: files.itemTable },
    ...(files.idMap ? [{ role: 'idMap', file: files.idMap }] : []),
  ];
  const stored = sourceNames(sources);
  const details: OnnxDetails = {
    encoder: stored.encoder,
    ...encoder.signature,
    itemTable: ONNX_ITEM_TABLE_FILE,
    idMapped: modelIds !== null,
    sources: stored,
  };
  const manifest = await writeRecommenderFolder(project, {
    manifest: { kind: 'onnx', dataContentHash: target.contentHash, numItems: dataset.numItems, dim: width, details },
    files: [[ONNX_ITEM_TABLE_FILE, encodeSafetensors(tensors)]],
    sources,
  });
  return { project: path.resolve(project), manifest };
}
