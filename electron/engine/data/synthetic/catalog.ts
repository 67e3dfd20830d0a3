/**
 * The item side of the synthetic demo: categories, items with titles and attributes, a Zipf-like
 * popularity per category, and each item's follow-ups (the next part of its series plus a couple
 * of same-category companions) that users tend to consume right after it.
 */
import type { Rng } from '../../random.ts';
import { CATEGORY_VOCABULARY, type CategoryVocabulary, SEQUEL_NUMERALS } from './vocabulary.ts';

/** Items of one category (primary or secondary) with cumulative popularity weights for sampling. */
export interface CategoryPool {
  items: Int32Array;
  cumulative: Float64Array;
}

export interface SyntheticCatalog {
  /** Category names; indices below refer to this list. */
  categories: string[];
  itemIds: string[];
  titles: string[];
  /** Per item: its categories, primary first. */
  genres: number[][];
  brands: string[];
  years: Int32Array;
  pools: CategoryPool[];
  /** Per item: the next part of its series, or -1. */
  seriesNext: Int32Array;
  /** Per item: same-category items often consumed right after it. */
  companions: Int32Array[];
}

const SECONDARY_SHARE = 0.3;
const RELATED_SECONDARY_SHARE = 0.8;
const SERIES_START_SHARE = 0.15;
const COMPANIONS_PER_ITEM = 2;
const ZIPF_EXPONENT = 1;
/** A secondary-category item is less typical of that category, so it is drawn less often there. */
const SECONDARY_POOL_WEIGHT = 0.5;
const OWN_BRAND_SHARE = 0.85;

/** Fewer categories for tiny catalogs so each keeps a handful of items; all 15 from about 360 items up. */
export function categoryCountFor(itemCount: number): number {
  return Math.max(4, Math.min(CATEGORY_VOCABULARY.length, Math.round(itemCount / 25)));
}

export function buildCatalog(rng: Rng, itemCount: number): SyntheticCatalog {
  const vocab = pickCategories(rng.fork('categories'), categoryCountFor(itemCount));
  const nCat = vocab.length;
  const width = Math.max(4, String(itemCount).length);
  const itemIds = Array.from({ length: itemCount }, (_, i) => `item-${String(i + 1).padStart(width, '0')}`);

  const primary = assignPrimaries(rng.fork('primaries'), itemCount, nCat);
  const { seriesNext, seriesHead } = formSeries(rng.fork('series'), primary, nCat);

  // Attributes are drawn per series head and handed down to its sequels.
  const attrRng = rng.fork('attributes');
  const genres: number[][] = new Array(itemCount);
  const brands: string[] = new Array(itemCount);
  const years = new Int32Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    if (seriesHead[i] !== i) continue;
    const cats = [primary[i]];
    if (attrRng.next() < SECONDARY_SHARE) cats.push(pickSecondary(attrRng, vocab, primary[i]));
    genres[i] = cats;
    brands[i] = pickBrand(attrRng, vocab, primary[i]);
    const [from, to] = vocab[primary[i]].years;
    // Squared uniform: more recent items are more common.
    const u = attrRng.next();
    years[i] = to - Math.floor((to - from + 1) * u * u);
    // Sequels share the head's genres and maker and come out a few years apart.
    for (let prev = i, next = seriesNext[i]; next >= 0; prev = next, next = seriesNext[next]) {
      genres[next] = cats.slice();
      brands[next] = brands[i];
      years[next] = Math.min(to, years[prev] + 1 + attrRng.int(3));
    }
  }

  const titles = makeTitles(rng.fork('titles'), vocab, primary, seriesNext, seriesHead);
  const pools = buildPools(rng.fork('popularity'), genres, nCat);
  const companions = pickCompanions(rng.fork('companions'), primary, pools);
  return {
    categories: vocab.map((v) => v.name),
    itemIds,
    titles,
    genres,
    brands,
    years,
    pools,
    seriesNext,
    companions,
  };
}

/** A seeded subset of the vocabulary, kept in vocabulary order. */
function pickCategories(rng: Rng, count: number): CategoryVocabulary[] {
  const order = rng.shuffle(Int32Array.from(CATEGORY_VOCABULARY, (_, i) => i)).slice(0, count);
  order.sort();
  return Array.from(order, (i) => CATEGORY_VOCABULARY[i]);
}

/** Every category gets at least two items; the rest follow mildly uneven category sizes. */
function assignPrimaries(rng: Rng, itemCount: number, nCat: number): Int32Array {
  const sizeWeights = Float64Array.from({ length: nCat }, () => 0.6 + 0.8 * rng.next());
  const primary = new Int32Array(itemCount);
  for (let i = 0; i < itemCount; i++) primary[i] = i < 2 * nCat ? i % nCat : rng.weighted(sizeWeights);
  // Shuffled so that item ids say nothing about categories.
  return rng.shuffle(primary);
}

/** Chains of 2–4 same-category items (a series); seriesHead[i] is the first part of i's series. */
function formSeries(rng: Rng, primary: Int32Array, nCat: number) {
  const n = primary.length;
  const seriesNext = new Int32Array(n).fill(-1);
  const seriesHead = Int32Array.from({ length: n }, (_, i) => i);
  for (let c = 0; c < nCat; c++) {
    const members = rng.shuffle(Int32Array.from(primary.keys()).filter((i) => primary[i] === c));
    for (let j = 0; j < members.length - 1; j++) {
      if (rng.next() >= SERIES_START_SHARE) continue;
      const length = Math.min(2 + rng.int(3), members.length - j);
      for (let k = 1; k < length; k++) {
        seriesNext[members[j + k - 1]] = members[j + k];
        seriesHead[members[j + k]] = members[j];
      }
      j += length - 1;
    }
  }
  return { seriesNext, seriesHead };
}

/** Mostly a related category (Sci-Fi with Fantasy, not with Cooking), sometimes any other. */
function pickSecondary(rng: Rng, vocab: CategoryVocabulary[], primary: number): number {
  const related = vocab[primary].related.map((name) => vocab.findIndex((v) => v.name === name)).filter((c) => c >= 0);
  if (related.length > 0 && rng.next() < RELATED_SECONDARY_SHARE) return related[rng.int(related.length)];
  return (primary + 1 + rng.int(vocab.length - 1)) % vocab.length;
}

function pickBrand(rng: Rng, vocab: CategoryVocabulary[], primary: number): string {
  const own = rng.next() < OWN_BRAND_SHARE ? primary : rng.int(vocab.length);
  const brands = vocab[own].brands;
  // The first maker of a category publishes most of it.
  return brands[rng.weighted([3, 2, 1].slice(0, brands.length))];
}

/** Unique titles: series heads and standalone items from word patterns, sequels as "<head> II". */
function makeTitles(
  rng: Rng,
  vocab: CategoryVocabulary[],
  primary: Int32Array,
  seriesNext: Int32Array,
  seriesHead: Int32Array,
): string[] {
  const titles: string[] = new Array(primary.length);
  const taken = new Set<string>();
  const tryClaim = (title: string): boolean => {
    const key = titleKey(title);
    if (taken.has(key)) return false;
    taken.add(key);
    return true;
  };
  // The word patterns run out for huge catalogs: then further volumes of a taken title are numbered.
  const claimVariant = (base: string): string => {
    if (tryClaim(base)) return base;
    for (let volume = 2; ; volume++) if (tryClaim(`${base}, Volume ${volume}`)) return `${base}, Volume ${volume}`;
  };
  for (let i = 0; i < primary.length; i++) {
    if (seriesHead[i] !== i) continue;
    const words = vocab[primary[i]];
    let title = '';
    for (let attempt = 0; attempt < 12 && title === ''; attempt++) {
      const candidate = patternTitle(rng, words);
      if (tryClaim(candidate)) title = candidate;
    }
    if (title === '') title = claimVariant(patternTitle(rng, words));
    titles[i] = title;
    for (let part = 0, next = seriesNext[i]; next >= 0; part++, next = seriesNext[next]) {
      titles[next] = claimVariant(`${title} ${SEQUEL_NUMERALS[part] ?? String(part + 2)}`);
    }
  }
  return titles;
}

/** Titles that differ only in case, punctuation or a leading article count as the same. */
function titleKey(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

function patternTitle(rng: Rng, words: CategoryVocabulary): string {
  const pick = (list: string[]) => list[rng.int(list.length)];
  const adjective = pick(words.adjectives);
  const noun = pick(words.nouns);
  switch (rng.int(5)) {
    case 0:
      return `The ${adjective} ${noun}`;
    case 1:
      return `${adjective} ${noun}`;
    case 2: {
      let other = pick(words.nouns);
      if (other === noun) other = words.nouns[(words.nouns.indexOf(noun) + 1) % words.nouns.length];
      return `${noun} of the ${other}`;
    }
    case 3:
      return `${adjective} ${noun} ${pick(words.suffixes)}`;
    default:
      return `The ${noun} ${pick(words.suffixes)}`;
  }
}

/** Per category, a seeded popularity rank over its items and Zipf weights 1/(rank+1)^s. */
function buildPools(rng: Rng, genres: number[][], nCat: number): CategoryPool[] {
  const members: number[][] = Array.from({ length: nCat }, () => []);
  for (let i = 0; i < genres.length; i++) for (const c of genres[i]) members[c].push(i);
  return members.map((list, c) => {
    const items = rng.shuffle(Int32Array.from(list));
    const cumulative = new Float64Array(items.length);
    let total = 0;
    for (let rank = 0; rank < items.length; rank++) {
      const typicality = genres[items[rank]][0] === c ? 1 : SECONDARY_POOL_WEIGHT;
      total += typicality / (rank + 1) ** ZIPF_EXPONENT;
      cumulative[rank] = total;
    }
    return { items, cumulative };
  });
}

/** Draws an item of a pool by popularity (binary search over the cumulative weights). */
export function drawFromPool(rng: Rng, pool: CategoryPool): number {
  const { items, cumulative } = pool;
  const r = rng.next() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return items[lo];
}

function pickCompanions(rng: Rng, primary: Int32Array, pools: CategoryPool[]): Int32Array[] {
  return Array.from(primary, (c, i) => {
    const chosen: number[] = [];
    for (let attempt = 0; attempt < 4 * COMPANIONS_PER_ITEM && chosen.length < COMPANIONS_PER_ITEM; attempt++) {
      const j = drawFromPool(rng, pools[c]);
      if (j !== i && !chosen.includes(j)) chosen.push(j);
    }
    return Int32Array.from(chosen);
  });
}
