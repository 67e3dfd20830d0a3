/**
 * What every importer produces: interactions as compact columns (not one object per row, so a
 * 10M-line file stays well under a gigabyte) plus item metadata keyed by the source's own ids.
 * Users and items are interned to dense indices in first-seen order; preprocessing later decides
 * which survive and re-indexes them.
 */
import { DatasetTooLargeError } from '../errors.ts';

export type AttributeValue = string | number | string[];

export interface RawItem {
  /** Cleaned later by preprocessing; null when the source has no title for this item. */
  title: string | null;
  attributes: Record<string, AttributeValue>;
}

/** Ground truth known only for generated data (the synthetic demo), keyed by source ids. */
export interface SyntheticGroundTruth {
  categories: string[];
  /** Per source user id: the categories the user cares about, before and after the interest drift. */
  userInterests: Record<string, { initial: string[]; drifted: string[] }>;
  /** Per source item id: the categories the item belongs to. */
  itemCategories: Record<string, string[]>;
}

export interface RawDataset {
  format: string;
  /** Paths of the files read, in the order read. */
  sources: string[];
  /** userIds[u] is the source id of dense user u. */
  userIds: string[];
  /** itemIds[i] is the source id of dense item i. */
  itemIds: string[];
  /** items[i] is the metadata of dense item i (null title when the source gave none). */
  items: RawItem[];
  /** True when the source carries item titles (then untitled items are dropped). */
  hasTitles: boolean;
  user: Int32Array;
  item: Int32Array;
  time: Float64Array;
  /** Number of interactions (the arrays may be longer). */
  length: number;
  warnings: string[];
  groundTruth?: SyntheticGroundTruth;
}

/** Default cap on interactions: about a quarter of RAM at ~48 bytes each through preprocessing. */
export function defaultMaxInteractions(totalMemBytes: number): number {
  return Math.max(1_000_000, Math.floor((totalMemBytes * 0.25) / 48));
}

export class RawDatasetBuilder {
  private readonly userIndex = new Map<string, number>();
  private readonly itemIndex = new Map<string, number>();
  private readonly defined = new Set<number>();
  readonly userIds: string[] = [];
  readonly itemIds: string[] = [];
  readonly items: RawItem[] = [];
  readonly warnings: string[] = [];
  readonly sources: string[] = [];
  hasTitles = false;
  groundTruth?: SyntheticGroundTruth;
  private user = new Int32Array(1024);
  private item = new Int32Array(1024);
  private time = new Float64Array(1024);
  private n = 0;

  constructor(
    readonly format: string,
    private readonly maxInteractions = Number.POSITIVE_INFINITY,
  ) {}

  get interactionCount(): number {
    return this.n;
  }

  internUser(sourceId: string): number {
    let u = this.userIndex.get(sourceId);
    if (u === undefined) {
      u = this.userIds.length;
      this.userIndex.set(sourceId, u);
      this.userIds.push(sourceId);
    }
    return u;
  }

  internItem(sourceId: string): number {
    let i = this.itemIndex.get(sourceId);
    if (i === undefined) {
      i = this.itemIds.length;
      this.itemIndex.set(sourceId, i);
      this.itemIds.push(sourceId);
      this.items.push({ title: null, attributes: {} });
    }
    return i;
  }

  /** Sets metadata of an item; the first definition of an item wins (later duplicates are ignored). */
  defineItem(sourceId: string, title: string | null, attributes: Record<string, AttributeValue>): boolean {
    const i = this.internItem(sourceId);
    if (this.defined.has(i)) return false;
    this.defined.add(i);
    const it = this.items[i];
    it.title = title;
    it.attributes = attributes;
    if (title !== null && title !== '') this.hasTitles = true;
    return true;
  }

  /** Adds one interaction; `where` names the source line for the too-large error. */
  add(userSourceId: string, itemSourceId: string, time: number, where = ''): void {
    if (this.n >= this.maxInteractions) {
      throw new DatasetTooLargeError(
        `${where || 'input'}: more than ${this.maxInteractions.toLocaleString('en-US')} interactions, the most that ` +
          'fit in memory here; raise --max-interactions if this machine has the memory, or filter the file first',
      );
    }
    if (this.n === this.user.length) this.grow();
    this.user[this.n] = this.internUser(userSourceId);
    this.item[this.n] = this.internItem(itemSourceId);
    this.time[this.n] = time;
    this.n++;
  }

  private grow(): void {
    const cap = this.user.length * 2;
    const u = new Int32Array(cap);
    u.set(this.user);
    const i = new Int32Array(cap);
    i.set(this.item);
    const t = new Float64Array(cap);
    t.set(this.time);
    this.user = u;
    this.item = i;
    this.time = t;
  }

  build(): RawDataset {
    return {
      format: this.format,
      sources: this.sources,
      userIds: this.userIds,
      itemIds: this.itemIds,
      items: this.items,
      hasTitles: this.hasTitles,
      user: this.user,
      item: this.item,
      time: this.time,
      length: this.n,
      warnings: this.warnings,
      groundTruth: this.groundTruth,
    };
  }
}
