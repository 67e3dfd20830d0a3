/**
 * An imported ONNX user encoder as a TargetRecommender: user vectors from the auditor's encoder,
 * scores = user vectors · item tableᵀ (ItemScorer) over the stored, dataset-ordered item table.
 */
import type { RecommenderManifest } from '../../../contracts/recommender.ts';
import { InputError } from '../../errors.ts';
import { loadSafetensors } from '../../graph/safetensors.ts';
import type { SessionSettings } from '../../graph/session.ts';
import { ItemScorer } from '../item-scorer.ts';
import type { HistoryRequest, TargetRecommender } from '../types.ts';
import { type OnnxDetails, onnxDetailsSchema } from './onnx-import.ts';
import { OnnxUserEncoder, openEncoderSession } from './onnx-user-encoder.ts';
import { assertDatasetMatches, parseDetails, recommenderPath } from './recommender-folder.ts';

export class OnnxRecommender implements TargetRecommender {
  readonly kind = 'onnx' as const;
  readonly canScore = true;
  private scorer: ItemScorer | null = null;

  constructor(
    private readonly encoder: OnnxUserEncoder,
    private readonly table: Float32Array,
    readonly numItems: number,
    readonly dim: number,
    private readonly settings: SessionSettings,
  ) {}

  async encodeUsers(reqs: HistoryRequest[]): Promise<Float32Array> {
    if (reqs.length === 0) return new Float32Array(0);
    const { data, dim } = await this.encoder.encode(reqs.map((r) => r.history));
    if (dim !== this.dim)
      throw new InputError(`the user encoder returned vectors of width ${dim}, expected ${this.dim}`);
    return data;
  }

  itemTable(): Float32Array {
    return this.table;
  }

  async scoreAll(reqs: HistoryRequest[]): Promise<Float32Array> {
    if (reqs.length === 0) return new Float32Array(0);
    this.scorer ??= await ItemScorer.create(this.table, this.dim, this.settings);
    return this.scorer.score(await this.encodeUsers(reqs));
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.scorer?.release();
    this.scorer = null;
  }
}

export async function loadOnnxRecommender(
  projectDir: string,
  manifest: RecommenderManifest,
  settings: SessionSettings = {},
): Promise<OnnxRecommender> {
  await assertDatasetMatches(projectDir, manifest);
  const d: OnnxDetails = parseDetails(onnxDetailsSchema, projectDir, manifest);
  const dim = manifest.dim;
  if (dim === null) throw new InputError(`${recommenderPath(projectDir, 'model.json')}: field "dim": expected a width`);
  const tableFile = recommenderPath(projectDir, d.itemTable);
  const { tensors } = await loadSafetensors(tableFile, d.idMapped ? ['items', 'model_item_ids'] : ['items']);
  const items = tensors.get('items')!;
  if (items.dtype !== 'float32' || items.dims[0] !== manifest.numItems + 1 || items.dims[1] !== dim) {
    throw new InputError(
      `${tableFile}: tensor "items" is not float32 [${manifest.numItems + 1}, ${dim}]; import again`,
    );
  }
  const ids = tensors.get('model_item_ids');
  const modelIds = ids ? Int32Array.from(ids.data as BigInt64Array, (v) => Number(v)) : null;
  const encoderFile = recommenderPath(projectDir, d.encoder);
  const session = await openEncoderSession(encoderFile, settings);
  const encoder = new OnnxUserEncoder(session, d, modelIds, manifest.numItems, encoderFile);
  return new OnnxRecommender(encoder, items.data as Float32Array, manifest.numItems, dim, settings);
}
