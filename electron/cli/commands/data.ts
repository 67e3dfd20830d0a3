/** `recx data import` and `recx data inspect`. */
import { type Command, Option } from 'commander';
import type { DatasetInspection } from '../../contracts/dataset.ts';
import { importDataset } from '../../engine/data/import-dataset.ts';
import { type CsvMapping, DATASET_FORMATS, type DatasetFormat } from '../../engine/data/importers/index.ts';
import { inspectDataset } from '../../engine/data/inspect-dataset.ts';
import { InputError } from '../../engine/errors.ts';
import type { CommandContext } from '../main.ts';
import { intOption, listOption } from '../options.ts';
import { type Io, printJson } from '../output.ts';
import { createStageProgress } from '../progress.ts';

interface ImportFlags {
  format: DatasetFormat;
  input?: string;
  project: string;
  kCore: number;
  topItems?: number;
  maxUsers?: number;
  seed?: number;
  encoding?: string;
  users?: number;
  items?: number;
  userCol?: string;
  itemCol?: string;
  timeCol?: string;
  itemsFile?: string;
  itemIdCol?: string;
  titleCol?: string;
  attrCols?: string[];
  delimiter?: string;
  maxInteractions?: number;
  force?: boolean;
  /** The project's thread count (the demo's; `--reproducible` = 1). */
  threads?: number;
  reproducible?: boolean;
  json?: boolean;
}

function csvMapping(f: ImportFlags): CsvMapping | undefined {
  if (f.format !== 'csv') return undefined;
  if (!f.userCol || !f.itemCol) throw new InputError('format csv needs --user-col and --item-col (header names)');
  const delimiter = f.delimiter === '\\t' || f.delimiter === 'tab' ? '\t' : f.delimiter;
  return {
    userCol: f.userCol,
    itemCol: f.itemCol,
    timeCol: f.timeCol,
    itemsFile: f.itemsFile,
    itemIdCol: f.itemIdCol,
    titleCol: f.titleCol,
    attrCols: f.attrCols,
    delimiter,
  };
}

export async function runImport(f: ImportFlags, io: Io) {
  const progress = createStageProgress();
  try {
    const { project, manifest } = await importDataset({
      format: f.format,
      project: f.project,
      force: f.force,
      input: f.input,
      encoding: f.encoding,
      csv: csvMapping(f),
      synthetic: f.format === 'synthetic' ? { users: f.users ?? 1000, items: f.items ?? 500 } : undefined,
      seed: f.seed,
      kCore: f.kCore,
      topItems: f.topItems,
      maxUsers: f.maxUsers,
      maxInteractions: f.maxInteractions,
      threads: f.reproducible ? 1 : f.threads,
      onProgress: progress.update,
    });
    progress.stop();
    for (const w of manifest.warnings) io.stderr(`warning: ${w}\n`);
    const { scheme: _scheme, ...split } = manifest.split;
    return { ...manifest.counts, project, format: manifest.format, split, warnings: manifest.warnings };
  } finally {
    progress.stop();
  }
}

function printImport(io: Io, r: Awaited<ReturnType<typeof runImport>>): void {
  io.stdout(
    `Imported ${r.format} into ${r.project}\n` +
      `  users ${r.users}, items ${r.items}, interactions ${r.interactions}, sparsity ${(100 * r.sparsity).toFixed(2)}%\n` +
      `  split (leave-one-out): train ${r.split.train}, validation ${r.split.validation}, test ${r.split.test}\n`,
  );
}

export function printInspection(io: Io, r: DatasetInspection): void {
  const s = r.sequenceLength;
  const lines = [
    `Dataset in ${r.project} (${r.format})`,
    `  users ${r.users}, items ${r.items}, interactions ${r.interactions}, sparsity ${(100 * r.sparsity).toFixed(2)}%`,
    `  sequence length: min ${s.min}, median ${s.median}, mean ${s.mean.toFixed(1)}, p90 ${s.p90}, max ${s.max}`,
    `  split (leave-one-out): train ${r.split.train}, validation ${r.split.validation}, test ${r.split.test}`,
    '  most popular items:',
    ...r.popularItems.map((p, k) => `   ${String(k + 1).padStart(2)}. ${p.title} (${p.count})`),
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
  io.stdout(`${lines.join('\n')}\n`);
}

export function registerDataCommands(program: Command, ctx: CommandContext): void {
  const data = program.command('data').description('import, preprocess and inspect datasets');
  data
    .command('import')
    .description('import a dataset into a project: read, preprocess (k-core, sampling, re-index), split, store')
    .addOption(new Option('--format <format>', 'input format').choices(DATASET_FORMATS).makeOptionMandatory())
    .option('--input <path>', 'input file or folder (not for synthetic)')
    .requiredOption('--project <dir>', 'project folder (created when missing)')
    .option('--k-core <k>', 'minimum interactions per user and item', intOption(0), 5)
    .option('--top-items <n>', 'keep only the n most frequent items', intOption(1))
    .option('--max-users <m>', 'sample at most m users (seeded)', intOption(1))
    .option('--seed <s>', 'random seed (default: the project seed, 42 for a new project)', intOption(0))
    .option('--encoding <name>', 'text encoding: utf-8, latin-1, ascii, utf-16le (default per format)')
    .option('--users <n>', 'synthetic: number of users (default 1000)', intOption(10))
    .option('--items <n>', 'synthetic: number of items (default 500)', intOption(20))
    .option('--user-col <name>', 'csv: user id column')
    .option('--item-col <name>', 'csv: item id column')
    .option('--time-col <name>', 'csv: timestamp column (default: file order)')
    .option('--items-file <path>', 'csv: items file (id, title, attributes)')
    .option('--item-id-col <name>', 'csv: item id column of the items file (default: --item-col)')
    .option('--title-col <name>', 'csv: title column of the items file')
    .option('--attr-cols <names>', 'csv: comma-separated attribute columns of the items file', listOption)
    .option('--delimiter <char>', 'csv: field delimiter (default: tab for .tsv, else comma)')
    .option('--max-interactions <n>', 'refuse inputs larger than this (default: from memory size)', intOption(1))
    .option('--force', 'replace an existing dataset in the project')
    .option(
      '--reproducible',
      'train and score this project with one CPU thread in every command, so runs give the same numbers',
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: ImportFlags) => {
      const r = await runImport(flags, ctx.io);
      if (ctx.json) printJson(ctx.io, r);
      else printImport(ctx.io, r);
    });
  data
    .command('inspect')
    .description('show counts, sequence-length statistics, popular items and split sizes')
    .requiredOption('--project <dir>', 'project folder')
    .option('--json', 'print one JSON object on stdout')
    .action(async (flags: { project: string; json?: boolean }) => {
      const r = await inspectDataset(flags.project);
      if (ctx.json) printJson(ctx.io, r);
      else printInspection(ctx.io, r);
    });
}
