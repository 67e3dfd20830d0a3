export { type AnchorDataset, type AnchorSet, anchorHistory, enumerateAnchors } from './anchors.ts';
export {
  type AlignmentExportOptions,
  DEFAULT_EXPORT_BATCH,
  exportAlignmentLabels,
} from './export-alignment.ts';
export { type ItemSimilarity, mostSimilarItems } from './item-similarity.ts';
export { itemOfKey, MAX_RANKED_ITEMS, rankKey, ranksBefore, scoreBits, selectKey } from './rank-select.ts';
export {
  type AlignmentExports,
  type AnchorRecord,
  anchorRecords,
  readExports,
  type ScoredItem,
} from './read-exports.ts';
export { emptyRowLabels, labelListRow, labelScoredRow, type RowLabels, RowScratch } from './row-labels.ts';
export {
  type AlignmentExportSummary,
  alignmentExportSummarySchema,
  EXPORT_FILES,
  EXPORTS_DIR,
  exportsDir,
  LABEL_DEFINITIONS,
  NO_ITEM,
  NUM_CANDIDATES,
} from './summary.ts';
