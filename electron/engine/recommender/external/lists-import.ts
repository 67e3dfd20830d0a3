/**
 * Access level 3: recommendation lists only. A CSV with a header `user,rank,item[,score]` (any
 * column order, extra columns ignored): users and items by their source ids, rank a positive
 * integer (1 = best; gaps allowed, each rank once per user), score an optional number. Stored as
 * `lists.jsonl` in dataset ids: {"user": u, "items": [best first…], "scores": [...] | null}.
 */
import { open } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readCsvRecords } from '../../data/csv-records.ts';
import { requireField } from '../../data/text-lines.ts';
import { DatasetFormatError } from '../../errors.ts';
import { requireInputFile } from './float-tensor-file.ts';
import {
  type ExternalImportResult,
  openImportTarget,
  type SourceFile,
  sourceNames,
  writeRecommenderFolder,
} from './recommender-folder.ts';

export const LISTS_FILE = 'lists.jsonl';
export const LIST_COLUMNS = ['user', 'rank', 'item'] as const;

/** `details` of model.json for kind 'lists'. */
export const listsDetailsSchema = z.object({
  file: z.string(),
  /** Users with a list. */
  users: z.number().int().nonnegative(),
  minLength: z.number().int().nonnegative(),
  maxLength: z.number().int().nonnegative(),
  hasScores: z.boolean(),
  sources: z.record(z.string(), z.string()),
});
export type ListsDetails = z.infer<typeof listsDetailsSchema>;

/** One stored line of lists.jsonl. */
export const storedListSchema = z.object({
  user: z.number().int().positive(),
  items: z.array(z.number().int().positive()),
  scores: z.array(z.number()).nullable(),
});
export type StoredList = z.infer<typeof storedListSchema>;

export interface ListsImportOptions {
  lists: string;
  force?: boolean;
}

const LISTED = 5;

/** Header fields of a small CSV (first line only), to learn whether the optional score column is there. */
async function headerFields(file: string): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const first = buf
      .toString('utf8', 0, bytesRead)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0];
    return first.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
  } finally {
    await fh.close();
  }
}

interface Unknown {
  count: number;
  first: { id: string; line: number }[];
}

function unknownError(file: string, field: string, what: string, u: Unknown): DatasetFormatError {
  const listed = u.first.map((x) => `"${x.id}" (line ${x.line})`).join(', ');
  const more = u.count > u.first.length ? `, … ${u.count} in all` : '';
  return new DatasetFormatError({
    file,
    line: u.first[0].line,
    field,
    expected: `source ids of ${what} in the project's dataset; unknown: ${listed}${more}`,
  });
}

interface Entry {
  rank: number;
  item: number;
  score: number;
  line: number;
}

export async function importListsRecommender(
  project: string,
  options: ListsImportOptions,
): Promise<ExternalImportResult> {
  const target = await openImportTarget(project, options.force);
  const file = options.lists;
  await requireInputFile(file, 'recommendation lists');
  const hasScores = (await headerFields(file)).includes('score');
  const byUser = new Map<number, Entry[]>();
  const unknownUsers: Unknown = { count: 0, first: [] };
  const unknownItems: Unknown = { count: 0, first: [] };
  const note = (u: Unknown, id: string, line: number) => {
    u.count++;
    if (u.first.length < LISTED) u.first.push({ id, line });
  };
  const columns = hasScores ? [...LIST_COLUMNS, 'score'] : LIST_COLUMNS;
  for await (const { values, line } of readCsvRecords(file, { role: 'recommendation lists', columns })) {
    const userId = requireField(values[0], file, line, 'user');
    const rankText = values[1].trim();
    if (!/^\d+$/.test(rankText) || Number(rankText) < 1) {
      throw new DatasetFormatError({
        file,
        line,
        field: 'rank',
        expected: 'a positive integer (1 = best)',
        got: values[1],
      });
    }
    const itemId = requireField(values[2], file, line, 'item');
    let score = Number.NaN;
    if (hasScores) {
      score = values[3].trim() === '' ? Number.NaN : Number(values[3]);
      if (!Number.isFinite(score))
        throw new DatasetFormatError({ file, line, field: 'score', expected: 'a number', got: values[3] });
    }
    const user = target.userIds.get(userId);
    const item = target.itemIds.get(itemId);
    if (user === undefined) note(unknownUsers, userId, line);
    if (item === undefined) note(unknownItems, itemId, line);
    if (user === undefined || item === undefined) continue;
    const list = byUser.get(user) ?? [];
    byUser.set(user, list);
    const rank = Number(rankText);
    const clash = list.find((e) => e.rank === rank || e.item === item);
    if (clash) {
      const sameRank = clash.rank === rank;
      throw new DatasetFormatError({
        file,
        line,
        field: sameRank ? 'rank' : 'item',
        expected: sameRank
          ? `each rank once per user (rank ${rank} of user "${userId}" is also on line ${clash.line})`
          : `each item once per user ("${itemId}" of user "${userId}" is also on line ${clash.line})`,
        got: sameRank ? rankText : itemId,
      });
    }
    list.push({ rank, item, score, line });
  }
  if (unknownUsers.count > 0) throw unknownError(file, 'user', 'users', unknownUsers);
  if (unknownItems.count > 0) throw unknownError(file, 'item', 'items', unknownItems);
  if (byUser.size === 0) throw new DatasetFormatError({ file, line: 2, expected: 'at least one recommendation row' });

  const lists: StoredList[] = [...byUser]
    .sort(([a], [b]) => a - b)
    .map(([user, entries]) => {
      entries.sort((a, b) => a.rank - b.rank);
      return { user, items: entries.map((e) => e.item), scores: hasScores ? entries.map((e) => e.score) : null };
    });
  const lengths = lists.map((l) => l.items.length);
  const sources: SourceFile[] = [{ role: 'lists', file }];
  const details: ListsDetails = {
    file: LISTS_FILE,
    users: lists.length,
    minLength: Math.min(...lengths),
    maxLength: Math.max(...lengths),
    hasScores,
    sources: sourceNames(sources),
  };
  const manifest = await writeRecommenderFolder(project, {
    manifest: {
      kind: 'lists',
      dataContentHash: target.contentHash,
      numItems: target.dataset.numItems,
      dim: null,
      details,
    },
    files: [[LISTS_FILE, `${lists.map((l) => JSON.stringify(l)).join('\n')}\n`]],
    sources,
  });
  return { project: path.resolve(project), manifest };
}
