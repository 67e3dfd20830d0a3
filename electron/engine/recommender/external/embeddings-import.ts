/**
 * Access level 2: precomputed embeddings. Files (float32/float64/float16; rows 1-based, row 0 padding):
 *   --embeddings     .safetensors with `items` [items + 1, d] (and optionally the user tensors
 *                    below), or an .npy item table [items + 1, d]
 *   --user-embeddings .safetensors with `users` [users + 1, d] (one vector per user) or
 *                    `user_anchors` [users + 1, A, d] (the vector at anchor a = the user after their
 *                    first a items) and optionally `user_anchors_present` (U8/BOOL [users + 1, A],
 *                    1 = provided; absent rows may hold anything, NaN included); or an .npy of rank 2
 *                    (per user) or rank 3 (per anchor, all provided)
 *   --item-ids / --user-ids  optional id maps (CSV model_id,source_id) when rows are not the dataset's ids
 */
import path from 'node:path';
import { z } from 'zod';
import { DatasetFormatError, InputError } from '../../errors.ts';
import { encodeSafetensors, loadSafetensors } from '../../graph/safetensors.ts';
import {
  assertFinite,
  type FloatTensor,
  firstNonFinite,
  readFloatTensor,
  requireInputFile,
  safetensorsNames,
  shapeText,
  tensorFileKind,
} from './float-tensor-file.ts';
import { readIdMap, reorderRows } from './id-map.ts';
import {
  type ExternalImportResult,
  openImportTarget,
  type ProjectDataset,
  type SourceFile,
  sourceNames,
  writeRecommenderFolder,
} from './recommender-folder.ts';

export const EMBEDDING_TENSORS = {
  items: 'items',
  users: 'users',
  anchors: 'user_anchors',
  present: 'user_anchors_present',
} as const;

export const EMBEDDINGS_FILE = 'embeddings.safetensors';

/** `details` of model.json for kind 'embeddings'. */
export const embeddingsDetailsSchema = z.object({
  /** safetensors in dataset order: items, and users or user_anchors + user_anchors_present. */
  file: z.string(),
  users: z.enum(['per-user', 'per-anchor']),
  /** Anchors per user (A) for 'per-anchor'. */
  anchors: z.number().int().positive().nullable(),
  sources: z.record(z.string(), z.string()),
});
export type EmbeddingsDetails = z.infer<typeof embeddingsDetailsSchema>;

export interface EmbeddingsImportOptions {
  embeddings: string;
  userEmbeddings?: string;
  itemIds?: string;
  userIds?: string;
  force?: boolean;
}

interface UserVectors {
  tensor: FloatTensor;
  file: string;
  field: string;
  /** [rows, A] 1 = provided; per-anchor only. */
  present: Uint8Array | null;
}

async function readUserVectors(file: string, usersInItemsFile: boolean): Promise<UserVectors> {
  const role = 'user embeddings';
  if (tensorFileKind(file, role) === 'npy') {
    return { tensor: await readFloatTensor(file, role), file, field: 'shape', present: null };
  }
  const names = await safetensorsNames(file);
  const has = (n: string) => names.includes(n);
  if (has(EMBEDDING_TENSORS.users) && has(EMBEDDING_TENSORS.anchors)) {
    throw new InputError(`${file}: holds both "users" and "user_anchors"; keep one`);
  }
  const name = has(EMBEDDING_TENSORS.users) ? EMBEDDING_TENSORS.users : EMBEDDING_TENSORS.anchors;
  if (!has(name)) {
    const where = usersInItemsFile
      ? `${file} has no user vectors; pass --user-embeddings, or add`
      : `${file}: expected`;
    throw new InputError(
      `${where} a tensor "users" [users + 1, d] or "user_anchors" [users + 1, A, d] (found: ${names.join(', ')})`,
    );
  }
  const tensor = await readFloatTensor(file, role, name);
  let present: Uint8Array | null = null;
  if (name === EMBEDDING_TENSORS.anchors && has(EMBEDDING_TENSORS.present)) {
    const t = (await loadSafetensors(file, [EMBEDDING_TENSORS.present])).tensors.get(EMBEDDING_TENSORS.present)!;
    const want = tensor.shape.slice(0, 2);
    if ((t.dtype !== 'uint8' && t.dtype !== 'bool') || t.dims.length !== 2 || t.dims.some((d, k) => d !== want[k])) {
      throw new DatasetFormatError({
        file,
        field: EMBEDDING_TENSORS.present,
        expected: `U8 or BOOL ${shapeText(want)} like the first two dimensions of "user_anchors"`,
        got: `${t.dtype} ${shapeText(t.dims)}`,
      });
    }
    present = t.data as Uint8Array;
  }
  return { tensor, file, field: name, present };
}

/** Dataset id → model row for `entity`, from an id map or the identity (rows must then match). */
async function rowMap(
  ds: ProjectDataset,
  entity: 'item' | 'user',
  rows: number,
  where: { file: string; field: string; shape: number[] },
  idMap: string | undefined,
): Promise<Int32Array | null> {
  const count = entity === 'item' ? ds.dataset.numItems : ds.dataset.numUsers;
  if (idMap)
    return readIdMap(idMap, { entity, datasetIds: entity === 'item' ? ds.itemIds : ds.userIds, modelRows: rows });
  if (rows !== count + 1) {
    throw new DatasetFormatError({
      file: where.file,
      field: where.field,
      expected: `${count + 1} rows (the dataset's ${count} ${entity}s + padding row 0; pass --${entity}-ids when rows are numbered differently)`,
      got: shapeText(where.shape),
    });
  }
  return null;
}

export async function importEmbeddingsRecommender(
  project: string,
  options: EmbeddingsImportOptions,
): Promise<ExternalImportResult> {
  const target = await openImportTarget(project, options.force);
  const { dataset } = target;
  const itemsFile = options.embeddings;
  await requireInputFile(itemsFile, 'embeddings file');
  if (options.userEmbeddings) await requireInputFile(options.userEmbeddings, 'user embeddings file');
  for (const f of [options.itemIds, options.userIds]) if (f) await requireInputFile(f, 'id map');

  const itemsIsNpy = tensorFileKind(itemsFile, 'embeddings file') === 'npy';
  const items = await readFloatTensor(itemsFile, 'item embeddings', itemsIsNpy ? undefined : EMBEDDING_TENSORS.items);
  const itemField = itemsIsNpy ? 'shape' : EMBEDDING_TENSORS.items;
  if (items.shape.length !== 2 || items.shape[1] < 1) {
    throw new DatasetFormatError({
      file: itemsFile,
      field: itemField,
      expected: 'rank 2 [items + 1, d]',
      got: shapeText(items.shape),
    });
  }
  const [itemRows, d] = items.shape;
  assertFinite(items.data, d, itemsFile, itemField);
  const itemMap = await rowMap(
    target,
    'item',
    itemRows,
    { file: itemsFile, field: itemField, shape: items.shape },
    options.itemIds,
  );

  const userFile = options.userEmbeddings ?? itemsFile;
  if (options.userEmbeddings && !itemsIsNpy) {
    const names = await safetensorsNames(itemsFile);
    if (names.includes(EMBEDDING_TENSORS.users) || names.includes(EMBEDDING_TENSORS.anchors)) {
      throw new InputError(`${itemsFile} already holds user vectors; drop --user-embeddings or remove them from it`);
    }
  }
  if (itemsIsNpy && !options.userEmbeddings) {
    throw new InputError(`${itemsFile} is an item table only; pass the user vectors with --user-embeddings`);
  }
  const users = await readUserVectors(userFile, userFile === itemsFile);
  const rank = users.tensor.shape.length;
  if ((rank !== 2 && rank !== 3) || users.tensor.shape.includes(0)) {
    throw new DatasetFormatError({
      file: userFile,
      field: users.field,
      expected: 'rank 2 [users + 1, d] (per user) or rank 3 [users + 1, A, d] (per anchor)',
      got: shapeText(users.tensor.shape),
    });
  }
  if (users.field === EMBEDDING_TENSORS.users && rank !== 2) {
    throw new DatasetFormatError({
      file: userFile,
      field: users.field,
      expected: 'rank 2 [users + 1, d]',
      got: shapeText(users.tensor.shape),
    });
  }
  if (users.field === EMBEDDING_TENSORS.anchors && rank !== 3) {
    throw new DatasetFormatError({
      file: userFile,
      field: users.field,
      expected: 'rank 3 [users + 1, A, d]',
      got: shapeText(users.tensor.shape),
    });
  }
  const userRows = users.tensor.shape[0];
  const anchors = rank === 3 ? users.tensor.shape[1] : 1;
  const userDim = users.tensor.shape[rank - 1];
  if (userDim !== d) {
    throw new DatasetFormatError({
      file: userFile,
      field: users.field,
      expected: `vectors of width ${d}, the width of the item embeddings in ${itemsFile}`,
      got: shapeText(users.tensor.shape),
    });
  }
  const present = users.present ?? new Uint8Array(userRows * anchors).fill(1);
  const userData = users.tensor.data;
  for (let r = 0; r < userRows * anchors; r++) {
    const vector = userData.subarray(r * d, (r + 1) * d);
    if (!present[r]) vector.fill(0);
    else if (firstNonFinite(vector) !== -1) {
      const at = rank === 3 ? `[${Math.floor(r / anchors)}, ${r % anchors}]` : ` row ${r}`;
      throw new DatasetFormatError({
        file: userFile,
        field: `${users.field}${at}`,
        expected: 'finite numbers (no NaN or Infinity; mark missing anchors in "user_anchors_present")',
        got: String(vector[firstNonFinite(vector)]),
      });
    }
  }
  const userMap = await rowMap(
    target,
    'user',
    userRows,
    { file: userFile, field: users.field, shape: users.tensor.shape },
    options.userIds,
  );

  const perAnchor = rank === 3;
  const usersOut = userMap ? reorderRows(userData, anchors * d, userMap) : userData;
  const presentOut = userMap ? reorderMask(present, anchors, userMap) : present;
  const n = dataset.numUsers + 1;
  const tensors = {
    [EMBEDDING_TENSORS.items]: {
      dtype: 'float32' as const,
      dims: [dataset.numItems + 1, d],
      data: itemMap ? reorderRows(items.data, d, itemMap) : items.data,
    },
    ...(perAnchor
      ? {
          [EMBEDDING_TENSORS.anchors]: { dtype: 'float32' as const, dims: [n, anchors, d], data: usersOut },
          [EMBEDDING_TENSORS.present]: { dtype: 'uint8' as const, dims: [n, anchors], data: presentOut },
        }
      : { [EMBEDDING_TENSORS.users]: { dtype: 'float32' as const, dims: [n, d], data: usersOut } }),
  };
  const sources: SourceFile[] = [
    { role: 'embeddings', file: itemsFile },
    ...(options.userEmbeddings ? [{ role: 'userEmbeddings', file: options.userEmbeddings }] : []),
    ...(options.itemIds ? [{ role: 'itemIds', file: options.itemIds }] : []),
    ...(options.userIds ? [{ role: 'userIds', file: options.userIds }] : []),
  ];
  const details: EmbeddingsDetails = {
    file: EMBEDDINGS_FILE,
    users: perAnchor ? 'per-anchor' : 'per-user',
    anchors: perAnchor ? anchors : null,
    sources: sourceNames(sources),
  };
  const manifest = await writeRecommenderFolder(project, {
    manifest: { kind: 'embeddings', dataContentHash: target.contentHash, numItems: dataset.numItems, dim: d, details },
    files: [[EMBEDDINGS_FILE, encodeSafetensors(tensors)]],
    sources,
  });
  return { project: path.resolve(project), manifest };
}

function reorderMask(mask: Uint8Array, width: number, toModel: Int32Array): Uint8Array {
  const out = new Uint8Array(toModel.length * width);
  for (let u = 0; u < toModel.length; u++)
    out.set(mask.subarray(toModel[u] * width, (toModel[u] + 1) * width), u * width);
  return out;
}
