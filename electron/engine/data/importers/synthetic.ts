/**
 * The built-in demo dataset: generated, seeded, with known ground truth so tests can check that
 * explanations cite the right things. It is not a realistic simulation, only one whose structure a
 * recommender can learn and an explanation can be checked against.
 *
 * Items (see ../synthetic/catalog.ts): 4–15 categories (15 from ~360 items up), 1–2 per item,
 * titles from per-category word lists, a Zipf-like popularity within each category, and series
 * (2–4 parts, "Title II") plus two same-category companions per item as its follow-ups.
 *
 * Users: 2–3 favoured categories with Dirichlet(1)-like weights; each step explores a uniformly
 * random category with a small probability. Lengths run 8–40, skewed short. After 40–70% of the
 * sequence one favoured category is replaced by another (ground truth `initial` → `drifted`).
 *
 * Sequential signal, so that SASRec beats MF: the next item is often a follow-up of the previous
 * one (the next part of its series, or a companion), and otherwise often from the previous item's
 * category while that category is still of interest.
 */
import { InputError } from '../../errors.ts';
import { Rng } from '../../random.ts';
import { RawDatasetBuilder, type SyntheticGroundTruth } from '../raw-dataset.ts';
import { buildCatalog, drawFromPool, type SyntheticCatalog } from '../synthetic/catalog.ts';
import type { Importer, SyntheticSize } from './types.ts';

export const DEFAULT_SYNTHETIC_SIZE: SyntheticSize = { users: 1000, items: 500 };
const MIN_USERS = 10;
const MIN_ITEMS = 20;

const MIN_LENGTH = 8;
const MAX_LENGTH = 40;
const EXPLORE_PROB = 0.05;
const FOLLOW_UP_PROB = 0.3;
/** Of a follow-up: the next part of a series rather than a companion. */
const SEQUEL_PROB = 0.6;
const STAY_IN_CATEGORY_PROB = 0.4;
const DRIFT_FROM = 0.4;
const DRIFT_SPAN = 0.3;
/** 2020-01-01T00:00:00Z in seconds. */
const START_TIME = 1_577_836_800;
const START_SPREAD = 2 * 365 * 86_400;
const USERS_PER_PROGRESS = 2000;

export const importSynthetic: Importer = async (opts) => {
  const size = checkSize(opts.synthetic ?? DEFAULT_SYNTHETIC_SIZE);
  const rng = new Rng(opts.seed);
  const catalog = buildCatalog(rng.fork('catalog'), size.items);
  // Nothing is read, so builder.sources stays empty.
  const builder = new RawDatasetBuilder('synthetic', opts.maxInteractions);
  const itemCategories: Record<string, string[]> = {};
  for (let i = 0; i < size.items; i++) {
    const genres = catalog.genres[i].map((c) => catalog.categories[c]);
    const id = catalog.itemIds[i];
    builder.defineItem(id, catalog.titles[i], { genres, brand: catalog.brands[i], year: catalog.years[i] });
    itemCategories[id] = genres.slice();
  }

  const userInterests: SyntheticGroundTruth['userInterests'] = {};
  const sequences = new SequenceGenerator(rng.fork('users'), catalog);
  const width = Math.max(4, String(size.users).length);
  for (let u = 0; u < size.users; u++) {
    const userId = `user-${String(u + 1).padStart(width, '0')}`;
    const { initial, drifted } = sequences.generate(u, (item, time) =>
      builder.add(userId, catalog.itemIds[item], time),
    );
    userInterests[userId] = {
      initial: initial.map((c) => catalog.categories[c]),
      drifted: drifted.map((c) => catalog.categories[c]),
    };
    if ((u + 1) % USERS_PER_PROGRESS === 0) {
      opts.onProgress?.(u + 1, size.users, 'generating');
      // Lets progress messages out while a large demo is generated.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  opts.onProgress?.(size.users, size.users, 'generating');

  builder.groundTruth = { categories: catalog.categories.slice(), userInterests, itemCategories };
  return builder.build();
};

function checkSize(size: SyntheticSize): SyntheticSize {
  if (!Number.isInteger(size.users) || size.users < MIN_USERS) {
    throw new InputError(`--users must be a whole number of at least ${MIN_USERS}, got ${size.users}`);
  }
  if (!Number.isInteger(size.items) || size.items < MIN_ITEMS) {
    throw new InputError(`--items must be a whole number of at least ${MIN_ITEMS}, got ${size.items}`);
  }
  return size;
}

/** Draws one user's interests and sequence; reuses its buffers across users for speed. */
class SequenceGenerator {
  private readonly nCat: number;
  /** seenBy[i] === u + 1 when user u already has item i (no repeats within a user). */
  private readonly seenBy: Int32Array;
  private readonly categoryOrder: Int32Array;
  private readonly minLength: number;
  private readonly maxLength: number;

  constructor(
    private readonly rng: Rng,
    private readonly catalog: SyntheticCatalog,
  ) {
    const itemCount = catalog.titles.length;
    this.nCat = catalog.categories.length;
    this.seenBy = new Int32Array(itemCount);
    this.categoryOrder = Int32Array.from({ length: this.nCat }, (_, c) => c);
    // Tiny catalogs: a user must not run out of unseen items.
    this.maxLength = Math.min(MAX_LENGTH, Math.floor(itemCount / 2));
    this.minLength = Math.min(MIN_LENGTH, this.maxLength);
  }

  /** Emits the user's interactions in time order; returns the categories before and after the drift. */
  generate(u: number, emit: (item: number, time: number) => void): { initial: number[]; drifted: number[] } {
    const { rng, nCat } = this;
    const k = rng.next() < 0.5 ? 2 : 3;
    // Partial Fisher–Yates: the first k are favoured, a later one replaces one of them at the drift.
    const order = this.categoryOrder;
    for (let j = 0; j < k + 1; j++) {
      const r = j + rng.int(nCat - j);
      const tmp = order[j];
      order[j] = order[r];
      order[r] = tmp;
    }
    // Gamma(1) draws normalised = Dirichlet(1); the floor keeps every favoured category visible.
    const favoured = Array.from({ length: k }, (_, j) => ({ c: order[j], w: 0.3 - Math.log(1 - rng.next()) }));
    favoured.sort((a, b) => b.w - a.w);
    const initial = favoured.map((f) => f.c);
    const weights = Float64Array.from(favoured, (f) => f.w);
    const drifted = initial.slice();
    drifted[rng.int(k)] = order[k];

    const span = this.maxLength - this.minLength + 1;
    const lengthU = rng.next();
    const length = this.minLength + Math.floor(span * lengthU * lengthU);
    const driftAt = Math.max(1, Math.min(length - 1, Math.floor(length * (DRIFT_FROM + DRIFT_SPAN * rng.next()))));

    let time = START_TIME + rng.int(START_SPREAD);
    let prevItem = -1;
    let prevCategory = -1;
    for (let step = 0; step < length; step++) {
      const interests = step < driftAt ? initial : drifted;
      let item = prevItem >= 0 && rng.next() < FOLLOW_UP_PROB ? this.followUp(u, prevItem) : -1;
      let category = item >= 0 ? this.catalog.genres[item][0] : -1;
      if (item < 0) {
        if (rng.next() < EXPLORE_PROB) category = rng.int(nCat);
        else if (interests.includes(prevCategory) && rng.next() < STAY_IN_CATEGORY_PROB) category = prevCategory;
        else category = interests[rng.weighted(weights)];
        item = this.drawUnseen(u, category, interests);
      }
      this.seenBy[item] = u + 1;
      emit(item, time);
      prevItem = item;
      prevCategory = category;
      // Mostly within a session (minutes to hours), sometimes days later.
      time += rng.next() < 0.7 ? 120 + rng.int(4 * 3600) : 86_400 + rng.int(20 * 86_400);
    }
    return { initial, drifted };
  }

  /** The next part of the previous item's series or one of its companions, if the user lacks it. */
  private followUp(u: number, prevItem: number): number {
    const { rng, seenBy } = this;
    const sequel = this.catalog.seriesNext[prevItem];
    if (sequel >= 0 && seenBy[sequel] !== u + 1 && rng.next() < SEQUEL_PROB) return sequel;
    const companions = this.catalog.companions[prevItem];
    if (companions.length === 0) return -1;
    const companion = companions[rng.int(companions.length)];
    return seenBy[companion] === u + 1 ? -1 : companion;
  }

  /** A popular unseen item of the category, else of another interest, else any unseen item. */
  private drawUnseen(u: number, category: number, interests: number[]): number {
    const { rng, seenBy, catalog } = this;
    for (let attempt = 0; attempt < 8; attempt++) {
      const item = drawFromPool(rng, catalog.pools[category]);
      if (seenBy[item] !== u + 1) return item;
    }
    for (let attempt = 0; attempt < 16; attempt++) {
      const item = drawFromPool(rng, catalog.pools[interests[rng.int(interests.length)]]);
      if (seenBy[item] !== u + 1) return item;
    }
    // Rare (tiny catalogs): scan from a random start; maxLength ≤ items/2 guarantees a hit.
    const n = seenBy.length;
    const start = rng.int(n);
    for (let j = 0; j < n; j++) {
      const item = (start + j) % n;
      if (seenBy[item] !== u + 1) return item;
    }
    throw new Error('synthetic: no unseen item left for a user');
  }
}
