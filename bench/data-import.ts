/**
 * Benchmark: import + preprocessing + split + write of 1,000,000 interactions, in two formats
 * (MovieLens-1M style `::` files in Latin-1, and a generic CSV with an items file). Each import runs
 * in a fresh child process so peak RSS is its own. Progress on stderr; last stdout line is JSON.
 * Target (issue #2): under 15 s and under 500 MB on 2 cores.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Rng } from '../electron/engine/random.ts';
import { zipfSampler } from './zipf.ts';

const INTERACTIONS = Number(process.env.BENCH_INTERACTIONS ?? 1_000_000);
const USERS = Math.round(INTERACTIONS / 165);
const ITEMS = 3700;
const log = (s: string) => process.stderr.write(`${s}\n`);

async function writeLines(file: string, encoding: BufferEncoding, lines: () => Generator<string>): Promise<void> {
  const out = createWriteStream(file, { encoding });
  for (const line of lines()) if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

/** Zipf-distributed item draws and per-user increasing timestamps, like real rating logs. */
function* interactions(rng: Rng): Generator<[number, number, number]> {
  const draw = zipfSampler(rng, ITEMS, 0.8);
  let emitted = 0;
  for (let u = 1; emitted < INTERACTIONS; u = (u % USERS) + 1) {
    let t = 956703932 + rng.int(1e7);
    const n = Math.min(INTERACTIONS - emitted, 20 + rng.int(290));
    for (let k = 0; k < n; k++) {
      t += 1 + rng.int(5000);
      yield [u, draw(), t];
    }
    emitted += n;
  }
}

async function generate(dir: string): Promise<void> {
  const titles = (i: number) => `Movie ${i} — Café Story ${i % 97} (${1950 + (i % 50)})`;
  const ml = path.join(dir, 'ml');
  const csv = path.join(dir, 'csv');
  execFileSync('mkdir', ['-p', ml, csv]);
  await writeLines(path.join(ml, 'movies.dat'), 'latin1', function* () {
    for (let i = 1; i <= ITEMS; i++) yield `${i}::${titles(i)}::Drama|Comedy\n`;
  });
  await writeLines(path.join(ml, 'ratings.dat'), 'latin1', function* () {
    for (const [u, i, t] of interactions(new Rng(1))) yield `${u}::${i}::${1 + (t % 5)}::${t}\n`;
  });
  await writeLines(path.join(csv, 'items.csv'), 'utf8', function* () {
    yield 'item,title,genre\n';
    for (let i = 1; i <= ITEMS; i++) yield `${i},"${titles(i)}",Drama|Comedy\n`;
  });
  await writeLines(path.join(csv, 'ratings.csv'), 'utf8', function* () {
    yield 'user,item,ts\n';
    for (const [u, i, t] of interactions(new Rng(1))) yield `u${u},${i},${t}\n`;
  });
}

function timedImport(request: object): { seconds: number; peakRssMb: number; counts: object } {
  const worker = path.join(import.meta.dirname, 'data-import-worker.ts');
  const out = execFileSync(process.execPath, ['--import', 'tsx', worker, JSON.stringify(request)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
}

const dir = mkdtempSync(path.join(tmpdir(), 'recx-bench-'));
try {
  log(`generating ${INTERACTIONS.toLocaleString('en-US')} interactions in two formats under ${dir}`);
  await generate(dir);
  log('importing movielens (ml-1m style)…');
  const movielens = timedImport({ format: 'movielens', input: path.join(dir, 'ml'), project: path.join(dir, 'p1') });
  log(`  ${movielens.seconds.toFixed(2)} s, peak RSS ${movielens.peakRssMb.toFixed(0)} MB`);
  log('importing csv…');
  const csvMapping = { userCol: 'user', itemCol: 'item', timeCol: 'ts', itemsFile: path.join(dir, 'csv', 'items.csv') };
  const csv = timedImport({
    format: 'csv',
    input: path.join(dir, 'csv', 'ratings.csv'),
    project: path.join(dir, 'p2'),
    csv: { ...csvMapping, titleCol: 'title', attrCols: ['genre'] },
  });
  log(`  ${csv.seconds.toFixed(2)} s, peak RSS ${csv.peakRssMb.toFixed(0)} MB`);
  const round = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({
      bench: 'data-import',
      interactions: INTERACTIONS,
      movielens_seconds: round(movielens.seconds),
      movielens_peak_rss_mb: Math.round(movielens.peakRssMb),
      csv_seconds: round(csv.seconds),
      csv_peak_rss_mb: Math.round(csv.peakRssMb),
      counts_after_preprocessing: movielens.counts,
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
