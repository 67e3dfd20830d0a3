/**
 * The pre-training corpus of the built-in tiny LM, made from the project's own data: a few
 * templated sentences per item (title, categories, brand, year) and histories of training
 * sequences written as title lists, so the model learns to read and write the catalogue's titles
 * before alignment teaches it the recommender. Seeded; test and validation items never appear.
 */
import type { ItemRecord } from '../data/preprocess.ts';
import { Rng } from '../random.ts';

type Ds = { numUsers: number; offsets: Uint32Array; items: Uint32Array; itemRecords: ItemRecord[] };

function attr(r: ItemRecord, key: string): string | null {
  const v = r.attributes[key];
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v.join(', ') : String(v);
}

const ITEM_TEMPLATES: ((t: string, cats: string | null, brand: string | null, year: string | null) => string | null)[] =
  [
    (t, cats) => (cats ? `${t} is about ${cats.toLowerCase()}.` : null),
    (t, _c, brand) => (brand ? `${t} comes from ${brand}.` : null),
    (t, _c, _b, year) => (year ? `${t} was released in ${year}.` : null),
    (t, cats, brand) => (cats && brand ? `Title: ${t}. Category: ${cats}. Brand: ${brand}.` : `Title: ${t}.`),
    (t) => `The item is called ${t}.`,
  ];

/** Sentences describing each item. */
export function itemSentences(records: ItemRecord[]): string[] {
  const out: string[] = [];
  for (const r of records) {
    const cats = attr(r, 'genres') ?? attr(r, 'category');
    const brand = attr(r, 'brand');
    const year = attr(r, 'year');
    for (const make of ITEM_TEMPLATES) {
      const s = make(r.title, cats, brand, year);
      if (s) out.push(s);
    }
  }
  return out;
}

/** "A user enjoyed X; Y; Z. Next they chose W." from windows of training sequences. */
export function historySentences(ds: Ds, seed: number, perUser = 3, window = 5): string[] {
  const rng = new Rng(seed).fork('tiny-corpus-histories');
  const out: string[] = [];
  for (let u = 0; u < ds.numUsers; u++) {
    const start = ds.offsets[u];
    const trainEnd = ds.offsets[u + 1] - 2; // never the validation or test item
    const len = trainEnd - start;
    if (len < 2) continue;
    for (let k = 0; k < perUser; k++) {
      const end = start + 1 + rng.int(len - 1); // the "next" item index, ≥ start + 1
      const from = Math.max(start, end - window);
      const titles = Array.from(ds.items.subarray(from, end), (i) => ds.itemRecords[i - 1].title);
      const next = ds.itemRecords[ds.items[end] - 1].title;
      out.push(`A user enjoyed ${titles.join('; ')}. Next they chose ${next}.`);
    }
  }
  return out;
}

/** The whole corpus, shuffled with the seed. */
export function tinyCorpus(ds: Ds, seed: number, extra: string[] = []): string[] {
  const lines = [...itemSentences(ds.itemRecords), ...historySentences(ds, seed), ...extra];
  return new Rng(seed).fork('tiny-corpus-order').shuffle(lines);
}
