/**
 * `recx recommender import`: bring an auditor's own recommender into a project at one of three
 * access levels — an ONNX user encoder + item table (--onnx-manifest), precomputed embeddings
 * (--embeddings [--user-embeddings]) or recommendation lists only (--lists).
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { RecommenderManifest } from '../../contracts/recommender.ts';
import {
  type ExternalImportOptions,
  type ExternalImportResult,
  importExternalRecommender,
} from '../../engine/recommender/external/index.ts';
import type { CommandContext } from '../main.ts';
import { type Io, printJson } from '../output.ts';

interface ImportFlags {
  project: string;
  onnxManifest?: string;
  embeddings?: string;
  userEmbeddings?: string;
  itemIds?: string;
  userIds?: string;
  lists?: string;
  force?: boolean;
  json?: boolean;
}

const SOURCES = ['onnxManifest', 'embeddings', 'lists'] as const;

/** The import request the flags describe, or a usage message. */
export function importOptionsOf(f: ImportFlags): ExternalImportOptions | string {
  const given = SOURCES.filter((k) => f[k] !== undefined);
  if (given.length !== 1) return 'give exactly one of --onnx-manifest <file>, --embeddings <file> or --lists <csv>';
  if (!f.embeddings && (f.userEmbeddings || f.userIds)) return '--user-embeddings and --user-ids go with --embeddings';
  if (f.itemIds && !f.embeddings) return '--item-ids goes with --embeddings (an ONNX manifest names its own "idMap")';
  const force = Boolean(f.force);
  if (f.onnxManifest) return { level: 'onnx', manifest: f.onnxManifest, force };
  if (f.lists) return { level: 'lists', lists: f.lists, force };
  return {
    level: 'embeddings',
    embeddings: f.embeddings!,
    userEmbeddings: f.userEmbeddings,
    itemIds: f.itemIds,
    userIds: f.userIds,
    force,
  };
}

const LEVEL_WORDS: Record<string, string> = {
  onnx: 'an ONNX user encoder with its item table',
  embeddings: 'precomputed embeddings',
  lists: 'recommendation lists only (usable for behavior alignment only)',
};

function summary(m: RecommenderManifest): string {
  const d = m.details as Record<string, unknown>;
  if (m.kind === 'lists') return `lists for ${d.users} users, ${d.minLength}–${d.maxLength} items each`;
  if (m.kind === 'embeddings') {
    const users = d.users === 'per-anchor' ? `per (user, anchor), ${d.anchors} anchors` : 'one vector per user';
    return `dim ${m.dim}, ${users}`;
  }
  return `dim ${m.dim}, input "${d.input}" [batch, ${d.maxLength}], output "${d.output}"${d.idMapped ? ', item ids mapped' : ''}`;
}

function printImported(io: Io, r: ExternalImportResult): void {
  const m = r.manifest;
  io.stdout(
    `Imported ${LEVEL_WORDS[m.kind] ?? m.kind} into ${path.join(r.project, 'recommender')}\n` +
      `  ${m.numItems} items, ${summary(m)}\n`,
  );
}

export function registerRecommenderImport(recommenderCommand: Command, ctx: CommandContext): void {
  const cmd: Command = recommenderCommand
    .command('import')
    .description('import your own recommender: an ONNX user encoder, precomputed embeddings, or recommendation lists')
    .requiredOption('--project <dir>', 'project folder (with a dataset)')
    .option('--onnx-manifest <file>', 'JSON manifest of an ONNX user encoder and its item table')
    .option('--embeddings <file>', 'item embeddings (.safetensors "items" [+ user tensors], or .npy)')
    .option('--user-embeddings <file>', 'user vectors: .safetensors "users"/"user_anchors", or .npy (rank 2 or 3)')
    .option('--item-ids <csv>', 'embeddings: id map model_id,source_id for the item rows')
    .option('--user-ids <csv>', 'embeddings: id map model_id,source_id for the user rows')
    .option('--lists <csv>', 'recommendation lists: CSV user,rank,item[,score] with source ids')
    .option('--force', 'replace an existing recommender in the project')
    .option('--json', 'print one JSON object on stdout');
  cmd.action(async (flags: ImportFlags) => {
    const options = importOptionsOf(flags);
    if (typeof options === 'string') cmd.error(`error: ${options}`, { exitCode: 2, code: 'recx.usage' });
    const r = await importExternalRecommender(flags.project, options);
    if (ctx.json) printJson(ctx.io, { project: r.project, ...r.manifest });
    else printImported(ctx.io, r);
  });
}
