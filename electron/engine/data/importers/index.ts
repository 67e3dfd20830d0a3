import { importAmazon } from './amazon.ts';
import { importCsv } from './csv.ts';
import { importMovielens } from './movielens.ts';
import { importRecbole } from './recbole.ts';
import { importSasrec } from './sasrec.ts';
import { importSynthetic } from './synthetic.ts';
import type { DatasetFormat, Importer } from './types.ts';

export * from './types.ts';

export const IMPORTERS: Record<DatasetFormat, Importer> = {
  movielens: importMovielens,
  recbole: importRecbole,
  amazon: importAmazon,
  sasrec: importSasrec,
  csv: importCsv,
  synthetic: importSynthetic,
};
