/**
 * The RecExplainer preprocessing recipe over a RawDataset, all in compact typed arrays:
 * clean titles → drop untitled items → order each user's interactions by time (stable) → dedupe
 * (user, item) keeping the earliest → iterative k-core → top-N items → users with ≥ k items →
 * sample M users (seeded) → k-core again → re-index users and items from 1 in seeded shuffled order.
 *
 * Decisions (see docs/data.md): dedupe keeps the *earliest* interaction (ties: file order), which is
 * "keep first" after the time sort; users left with fewer than 3 interactions are dropped at the end
 * because the leave-one-out split needs train + validation + test.
 */
import { RecxError } from '../errors.ts';
import { Rng } from '../random.ts';
import type { AttributeValue, RawDataset } from './raw-dataset.ts';
import { cleanTitle } from './titles.ts';

export interface PreprocessOptions {
  /** Minimum interactions per user and per item (iterative). 0 or 1 disables it. */
  kCore: number;
  /** Keep only the N most frequent items (after the first k-core). */
  topItems?: number;
  /** Keep at most M users, sampled with the seed. */
  maxUsers?: number;
  seed: number;
}

export const DEFAULT_PREPROCESS: PreprocessOptions = { kCore: 5, seed: 42 };

export interface ItemRecord {
  id: number;
  sourceId: string;
  title: string;
  attributes: Record<string, AttributeValue>;
}

export interface StageCount {
  stage: string;
  users: number;
  items: number;
  interactions: number;
}

/** A preprocessed dataset: user u (1-based) owns items[offsets[u-1] .. offsets[u]) in time order. */
export interface ProcessedDataset {
  numUsers: number;
  numItems: number;
  offsets: Uint32Array;
  items: Uint32Array;
  times: Float64Array;
  /** userSourceIds[u-1] is the source id of user u. */
  userSourceIds: string[];
  /** itemRecords[i-1] describes item i. */
  itemRecords: ItemRecord[];
  stages: StageCount[];
  warnings: string[];
}

/** Working state: interaction indices in per-user time order, with an alive flag each. */
interface Work {
  raw: RawDataset;
  order: Uint32Array;
  alive: Uint8Array;
  stages: StageCount[];
}

function countAlive(w: Work): { users: Int32Array; items: Int32Array; n: number } {
  const users = new Int32Array(w.raw.userIds.length);
  const items = new Int32Array(w.raw.itemIds.length);
  let n = 0;
  for (let k = 0; k < w.order.length; k++) {
    const j = w.order[k];
    if (!w.alive[j]) continue;
    users[w.raw.user[j]]++;
    items[w.raw.item[j]]++;
    n++;
  }
  return { users, items, n };
}

function record(w: Work, stage: string): void {
  const c = countAlive(w);
  let users = 0;
  let items = 0;
  for (const x of c.users) if (x > 0) users++;
  for (const x of c.items) if (x > 0) items++;
  w.stages.push({ stage, users, items, interactions: c.n });
}

/** Kills interactions whose user has < minUser or item has < minItem alive interactions; returns kills. */
function pruneBelow(w: Work, minUser: number, minItem: number): number {
  const c = countAlive(w);
  let killed = 0;
  for (let k = 0; k < w.order.length; k++) {
    const j = w.order[k];
    if (w.alive[j] && (c.users[w.raw.user[j]] < minUser || c.items[w.raw.item[j]] < minItem)) {
      w.alive[j] = 0;
      killed++;
    }
  }
  return killed;
}

function kCore(w: Work, k: number): void {
  if (k <= 1) return;
  while (pruneBelow(w, k, k) > 0);
}

/** Stable order of interaction indices: grouped by user (first-seen order), by time within a user. */
function orderByUserThenTime(raw: RawDataset): Uint32Array {
  const nu = raw.userIds.length;
  const start = new Uint32Array(nu + 1);
  for (let j = 0; j < raw.length; j++) start[raw.user[j] + 1]++;
  for (let u = 0; u < nu; u++) start[u + 1] += start[u];
  const fill = start.slice(0, nu);
  const order = new Uint32Array(raw.length);
  for (let j = 0; j < raw.length; j++) order[fill[raw.user[j]]++] = j;
  const t = raw.time;
  for (let u = 0; u < nu; u++) {
    const seg = order.subarray(start[u], start[u + 1]);
    let sorted = true;
    for (let k = 1; k < seg.length && sorted; k++) sorted = t[seg[k - 1]] <= t[seg[k]];
    // Indices ascend within a segment, so the tie-break on index keeps the sort stable.
    if (!sorted) seg.sort((a, b) => t[a] - t[b] || a - b);
  }
  return order;
}

function dropDuplicatePairs(w: Work): void {
  const lastUser = new Int32Array(w.raw.itemIds.length).fill(-1);
  for (let k = 0; k < w.order.length; k++) {
    const j = w.order[k];
    if (!w.alive[j]) continue;
    const u = w.raw.user[j];
    const i = w.raw.item[j];
    // order is grouped by user, so "seen by this user" only needs the last user that took the item.
    if (lastUser[i] === u) w.alive[j] = 0;
    else lastUser[i] = u;
  }
}

function keepTopItems(w: Work, n: number): void {
  const c = countAlive(w).items;
  const ranked = Array.from(c.keys())
    .filter((i) => c[i] > 0)
    .sort((a, b) => c[b] - c[a] || a - b);
  const keep = new Uint8Array(c.length);
  for (const i of ranked.slice(0, n)) keep[i] = 1;
  for (let j = 0; j < w.raw.length; j++) if (!keep[w.raw.item[j]]) w.alive[j] = 0;
}

function sampleUsers(w: Work, m: number, rng: Rng): void {
  const c = countAlive(w).users;
  const alive: number[] = [];
  for (let u = 0; u < c.length; u++) if (c[u] > 0) alive.push(u);
  if (alive.length <= m) return;
  rng.shuffle(alive);
  const keep = new Uint8Array(c.length);
  for (const u of alive.slice(0, m)) keep[u] = 1;
  for (let j = 0; j < w.raw.length; j++) if (!keep[w.raw.user[j]]) w.alive[j] = 0;
}

export function preprocess(raw: RawDataset, opts: PreprocessOptions): ProcessedDataset {
  const rng = new Rng(opts.seed);
  const titles = raw.items.map((it) => (it.title === null ? '' : cleanTitle(it.title)));
  const w: Work = { raw, order: orderByUserThenTime(raw), alive: new Uint8Array(raw.length).fill(1), stages: [] };
  const warnings = [...raw.warnings];
  record(w, 'loaded');
  if (raw.hasTitles) {
    for (let j = 0; j < raw.length; j++) if (titles[raw.item[j]] === '') w.alive[j] = 0;
    record(w, 'titled items');
  }
  dropDuplicatePairs(w);
  record(w, 'deduplicated');
  kCore(w, opts.kCore);
  record(w, `${opts.kCore}-core`);
  if (opts.topItems !== undefined) {
    keepTopItems(w, opts.topItems);
    record(w, `top ${opts.topItems} items`);
  }
  pruneBelow(w, opts.kCore, 0);
  if (opts.maxUsers !== undefined) {
    sampleUsers(w, opts.maxUsers, rng.fork('sample-users'));
    record(w, `sampled ≤ ${opts.maxUsers} users`);
  }
  kCore(w, opts.kCore);
  // Leave-one-out needs 3 interactions per user; with k < 3 that is a stricter user bound.
  let extra = 0;
  for (let n = -1; n !== 0; extra += Math.max(n, 0)) n = pruneBelow(w, Math.max(opts.kCore, 3), opts.kCore);
  if (extra > 0) warnings.push('users with fewer than 3 interactions were dropped: the leave-one-out split needs 3');
  record(w, 'final');
  const final = w.stages[w.stages.length - 1];
  if (final.interactions === 0) {
    const trail = w.stages.map((s) => `${s.stage}: ${s.interactions}`).join(', ');
    throw new RecxError(`no interactions left after preprocessing (${trail}); try a smaller --k-core`);
  }
  return reindex(w, titles, rng, warnings);
}

function reindex(w: Work, titles: string[], rng: Rng, warnings: string[]): ProcessedDataset {
  const { raw } = w;
  const c = countAlive(w);
  const users = shuffledAlive(c.users, rng.fork('user-ids'));
  const items = shuffledAlive(c.items, rng.fork('item-ids'));
  const newItem = new Uint32Array(raw.itemIds.length);
  items.forEach((i, k) => {
    newItem[i] = k + 1;
  });
  // Interactions of each raw user, contiguous in w.order: find each user's segment start.
  const segStart = new Int32Array(raw.userIds.length).fill(-1);
  for (let k = w.order.length - 1; k >= 0; k--) segStart[raw.user[w.order[k]]] = k;
  const offsets = new Uint32Array(users.length + 1);
  const outItems = new Uint32Array(c.n);
  const outTimes = new Float64Array(c.n);
  let p = 0;
  users.forEach((u, k) => {
    for (let q = segStart[u]; q < w.order.length && raw.user[w.order[q]] === u; q++) {
      const j = w.order[q];
      if (!w.alive[j]) continue;
      outItems[p] = newItem[raw.item[j]];
      outTimes[p] = raw.time[j];
      p++;
    }
    offsets[k + 1] = p;
  });
  return {
    numUsers: users.length,
    numItems: items.length,
    offsets,
    items: outItems,
    times: outTimes,
    userSourceIds: users.map((u) => raw.userIds[u]),
    itemRecords: items.map((i, k) => ({
      id: k + 1,
      sourceId: raw.itemIds[i],
      title: titles[i] === '' ? raw.itemIds[i] : titles[i],
      attributes: raw.items[i].attributes,
    })),
    stages: w.stages,
    warnings,
  };
}

function shuffledAlive(counts: Int32Array, rng: Rng): number[] {
  const alive: number[] = [];
  for (let x = 0; x < counts.length; x++) if (counts[x] > 0) alive.push(x);
  return rng.shuffle(alive);
}
