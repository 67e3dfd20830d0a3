import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError, InputError } from '../../../electron/engine/errors.ts';
import { encodeNpy } from '../../../electron/engine/recommender/external/index.ts';
import { buildMeanEncoder, idMapCsv, onnxFixtureWeights } from '../../fixtures/recommender/make-onnx-fixture.ts';
import {
  datasetProject,
  type ErrorClass,
  fixtureCopy,
  importOnnx,
  leftovers,
  manifestIn,
  snapshot,
  tableFile,
} from './external-helpers.ts';

const w = onnxFixtureWeights();
const _MAX_LEN = 8;

describe('ONNX import errors name the file and field', () => {
  const expectError = async (manifest: string, type: ErrorClass, ...res: RegExp[]) => {
    const project = await datasetProject();
    const err = await importOnnx(project, manifest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    for (const re of res) expect((err as Error).message).toMatch(re);
    return err as Error;
  };

  it('wrong input name (names the manifest field and the model inputs)', async () => {
    const dir = fixtureCopy('onnx');
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(w, { input: 'item_seq' }));
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /manifest\.json: field "input"/,
      /item_seq/,
      /"history"/,
    );
  });

  it('wrong output name', async () => {
    const dir = fixtureCopy('onnx');
    await expectError(manifestIn(dir, { output: 'logits' }), DatasetFormatError, /field "output"/, /user_vector/);
  });

  it('wrong input rank', async () => {
    const dir = fixtureCopy('onnx');
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(w, { inputRank: 3 }));
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /user_encoder\.onnx: field "input history"/,
      /rank 2/,
      /rank 3/,
    );
  });

  it('fixed sequence length different from maxLength', async () => {
    const dir = fixtureCopy('onnx');
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(w, { seqLen: 5 }));
    await expectError(path.join(dir, 'manifest.json'), DatasetFormatError, /field "maxLength"/, /expected 5/);
  });

  it('table row count mismatch without an id map', async () => {
    const dir = fixtureCopy('onnx');
    writeFileSync(path.join(dir, 'items.npy'), encodeNpy(w.table.slice(0, 40 * 4), [40, 4]));
    await expectError(path.join(dir, 'manifest-npy.json'), DatasetFormatError, /items\.npy/, /41 rows/, /\[40, 4\]/);
  });

  it('table width different from the encoder output width', async () => {
    const dir = fixtureCopy('onnx');
    tableFile(dir, new Float32Array(41 * 5).fill(0.5), 41, 5);
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /items\.safetensors: field "weight"/,
      /width 4/,
      /\[41, 5\]/,
    );
  });

  it('NaN in the item table (names the row)', async () => {
    const dir = fixtureCopy('onnx');
    const t = w.table.slice();
    t[7 * 4 + 2] = Number.NaN;
    tableFile(dir, t, 41, 4);
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /items\.safetensors: field "weight row 7"/,
      /finite/,
    );
  });

  it('NaN in the encoder output on dataset histories', async () => {
    const dir = fixtureCopy('onnx');
    const bad = { ...w, bias: w.bias.slice() };
    bad.bias[1] = Number.NaN;
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(bad));
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /user_encoder\.onnx/,
      /field "output user_vector"/,
      /finite/,
    );
  });

  it('unknown source ids in the id map (first ones with their line numbers)', async () => {
    const dir = fixtureCopy('onnx');
    const lines = idMapCsv(w).trimEnd().split('\n');
    lines[3] = '3,item-9999'; // file line 4
    lines[6] = '6,item-8888'; // file line 7
    writeFileSync(path.join(dir, 'item_ids.csv'), `${lines.join('\n')}\n`);
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /item_ids\.csv:4: field "source_id"/,
      /"item-9999" \(line 4\), "item-8888" \(line 7\)/,
    );
  });

  it('id map that leaves dataset items out, or repeats a model id', async () => {
    const dir = fixtureCopy('onnx');
    const lines = idMapCsv(w).trimEnd().split('\n');
    writeFileSync(path.join(dir, 'item_ids.csv'), `${lines.slice(0, -1).join('\n')}\n`);
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /item_ids\.csv: field "source_id"/,
      /missing: "item-/,
    );
    const dup = [...lines];
    dup[5] = `2,${lines[5].split(',')[1]}`;
    writeFileSync(path.join(dir, 'item_ids.csv'), `${dup.join('\n')}\n`);
    await expectError(
      path.join(dir, 'manifest.json'),
      DatasetFormatError,
      /item_ids\.csv:6: field "model_id"/,
      /line 3/,
    );
  });

  it('missing files and bad manifests', async () => {
    const dir = fixtureCopy('onnx');
    await expectError(path.join(dir, 'nope.json'), InputError, /nope\.json: ONNX manifest not found/);
    await expectError(
      manifestIn(dir, { itemTable: 'gone.safetensors' }, 'm2.json'),
      InputError,
      /gone\.safetensors: item table .*not found/,
    );
    await expectError(
      manifestIn(dir, { encoder: 'gone.onnx' }, 'm3.json'),
      InputError,
      /gone\.onnx: user encoder .*not found/,
    );
    await expectError(
      manifestIn(dir, { maxLength: 'long' }, 'm4.json'),
      DatasetFormatError,
      /m4\.json: field "maxLength"/,
    );
    await expectError(manifestIn(dir, { itemTabel: 'x' }, 'm5.json'), DatasetFormatError, /m5\.json/, /itemTabel/);
    await expectError(
      manifestIn(dir, { itemTableTensor: 'emb' }, 'm6.json'),
      DatasetFormatError,
      /field "emb"/,
      /found: weight/,
    );
    writeFileSync(path.join(dir, 'user_encoder.onnx'), 'not onnx');
    await expectError(
      path.join(dir, 'manifest.json'),
      InputError,
      /user_encoder\.onnx: the ONNX runtime could not load/,
    );
  });

  it('a failed import leaves the previous recommender untouched', async () => {
    const project = await datasetProject();
    const dir = fixtureCopy('onnx');
    await importOnnx(project, path.join(dir, 'manifest.json'));
    const before = snapshot(path.join(project, 'recommender'));
    const t = w.table.slice();
    t[3] = Number.POSITIVE_INFINITY;
    tableFile(dir, t, 41, 4);
    await expect(importOnnx(project, path.join(dir, 'manifest.json'), true)).rejects.toThrow(/row 0/);
    writeFileSync(path.join(dir, 'user_encoder.onnx'), buildMeanEncoder(w, { input: 'seq' }));
    tableFile(dir, w.table, 41, 4);
    await expect(importOnnx(project, path.join(dir, 'manifest.json'), true)).rejects.toThrow(/field "input"/);
    expect(snapshot(path.join(project, 'recommender'))).toEqual(before);
    expect(leftovers(project)).toEqual([]);
  });
});
