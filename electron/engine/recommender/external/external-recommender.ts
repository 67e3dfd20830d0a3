/**
 * One entry point per direction for imported recommenders, keyed by access level: 'onnx' (user
 * encoder + item table), 'embeddings' (precomputed vectors) or 'lists' (recommendation lists only).
 */
import type { RecommenderManifest } from '../../../contracts/recommender.ts';
import { InputError } from '../../errors.ts';
import type { SessionSettings } from '../../graph/session.ts';
import type { TargetRecommender } from '../types.ts';
import { type EmbeddingsImportOptions, importEmbeddingsRecommender } from './embeddings-import.ts';
import { loadEmbeddingsRecommender } from './embeddings-recommender.ts';
import { importListsRecommender, type ListsImportOptions } from './lists-import.ts';
import { loadListsRecommender } from './lists-recommender.ts';
import { importOnnxRecommender, type OnnxImportOptions } from './onnx-import.ts';
import { loadOnnxRecommender } from './onnx-recommender.ts';
import type { ExternalImportResult } from './recommender-folder.ts';

export const EXTERNAL_LEVELS = ['onnx', 'embeddings', 'lists'] as const;
export type ExternalLevel = (typeof EXTERNAL_LEVELS)[number];

export type ExternalImportOptions =
  | ({ level: 'onnx' } & OnnxImportOptions)
  | ({ level: 'embeddings' } & EmbeddingsImportOptions)
  | ({ level: 'lists' } & ListsImportOptions);

/** Validates the user's files, copies them into `<project>/recommender/` atomically, writes model.json. */
export function importExternalRecommender(
  project: string,
  options: ExternalImportOptions,
): Promise<ExternalImportResult> {
  switch (options.level) {
    case 'onnx':
      return importOnnxRecommender(project, options);
    case 'embeddings':
      return importEmbeddingsRecommender(project, options);
    case 'lists':
      return importListsRecommender(project, options);
    default:
      throw new InputError(
        `unknown access level "${(options as { level: string }).level}": expected onnx, embeddings or lists`,
      );
  }
}

export const isExternalKind = (kind: string): kind is ExternalLevel =>
  (EXTERNAL_LEVELS as readonly string[]).includes(kind);

/** The stored imported recommender of `projectDir` (manifest = its model.json). */
export function loadExternalRecommender(
  projectDir: string,
  manifest: RecommenderManifest,
  settings: SessionSettings = {},
): Promise<TargetRecommender> {
  switch (manifest.kind) {
    case 'onnx':
      return loadOnnxRecommender(projectDir, manifest, settings);
    case 'embeddings':
      return loadEmbeddingsRecommender(projectDir, manifest, settings);
    case 'lists':
      return loadListsRecommender(projectDir, manifest);
    default:
      throw new InputError(`recommender kind "${manifest.kind}" is not an imported one (onnx, embeddings, lists)`);
  }
}
