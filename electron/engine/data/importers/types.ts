/** The contract every importer implements: read a user's files (streaming) into a RawDataset. */
import type { RawDataset } from '../raw-dataset.ts';

export const DATASET_FORMATS = ['movielens', 'recbole', 'amazon', 'sasrec', 'csv', 'synthetic'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Column mapping for the generic CSV/TSV importer; names refer to header columns. */
export interface CsvMapping {
  userCol: string;
  itemCol: string;
  /** Without a time column the file order is the time order. */
  timeCol?: string;
  /** Optional items file with one row per item. */
  itemsFile?: string;
  /** Item id column of the items file (defaults to itemCol). */
  itemIdCol?: string;
  titleCol?: string;
  /** Extra item columns kept as attributes; a value with '|' becomes a list. */
  attrCols?: string[];
  /** Field delimiter; default: tab for .tsv files, else comma. */
  delimiter?: string;
}

export interface SyntheticSize {
  users: number;
  items: number;
}

export interface ImportOptions {
  /** File or folder, as the user gave it (unused for synthetic). */
  input?: string;
  /** Text encoding override; each format has its own default (latin-1 for ml-100k/ml-1m). */
  encoding?: string;
  /** Refuse inputs with more interactions than this (DatasetTooLargeError). */
  maxInteractions: number;
  seed: number;
  csv?: CsvMapping;
  synthetic?: SyntheticSize;
  /** Progress through the input, in bytes (or generated users for synthetic). */
  onProgress?: (done: number, total: number, label: string) => void;
}

export type Importer = (opts: ImportOptions) => Promise<RawDataset>;
