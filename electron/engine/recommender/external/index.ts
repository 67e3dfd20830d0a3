export { EMBEDDING_TENSORS, type EmbeddingsImportOptions, importEmbeddingsRecommender } from './embeddings-import.ts';
export { EmbeddingsRecommender, loadEmbeddingsRecommender } from './embeddings-recommender.ts';
export {
  EXTERNAL_LEVELS,
  type ExternalImportOptions,
  type ExternalLevel,
  importExternalRecommender,
  isExternalKind,
  loadExternalRecommender,
} from './external-recommender.ts';
export { ID_MAP_COLUMNS } from './id-map.ts';
export { importListsRecommender, LIST_COLUMNS, type ListsImportOptions } from './lists-import.ts';
export { ListsRecommender, loadListsRecommender } from './lists-recommender.ts';
export { decodeNpy, encodeNpy, readNpy } from './npy.ts';
export {
  importOnnxRecommender,
  type OnnxImportManifest,
  type OnnxImportOptions,
  onnxImportManifestSchema,
} from './onnx-import.ts';
export { loadOnnxRecommender, OnnxRecommender } from './onnx-recommender.ts';
export { type ExternalImportResult, SOURCE_DIR } from './recommender-folder.ts';
