import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMBED_WEIGHT } from '../../../electron/engine/align/align-model.ts';
import { alignedWeights } from '../../../electron/engine/align/run-weights.ts';
import { EMBEDDINGS_FILE } from '../../../electron/engine/align/runs.ts';
import { InputError } from '../../../electron/engine/errors.ts';
import { saveSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { loraConfig } from '../../../electron/engine/models/lora.ts';
import { loadLoraBase } from '../models/lora-fixtures.ts';

describe("a run's weights", () => {
  it('take the trained embedding table when the run trained one, and say which file is missing or wrong', async () => {
    const { weights: base } = await loadLoraBase();
    const adapter = { config: loraConfig({ r: 2, alpha: 4, targetModules: ['q_proj'] }), weights: new Map() };
    const dir = mkdtempSync(path.join(tmpdir(), 'recx-run-weights-'));
    const table = base.get(EMBED_WEIGHT)!;
    expect((await alignedWeights(dir, {}, base, adapter)).get(EMBED_WEIGHT)).toBe(table);
    await expect(alignedWeights(dir, { trainEmbeddings: true }, base, adapter)).rejects.toThrow(
      new RegExp(`${EMBEDDINGS_FILE}: missing, but the run trained its embeddings`),
    );
    const trained = { ...table, data: (table.data as Float32Array).map((v) => v + 1) };
    await saveSafetensors(path.join(dir, EMBEDDINGS_FILE), new Map([[EMBED_WEIGHT, trained]]));
    const w = await alignedWeights(dir, { trainEmbeddings: true }, base, adapter);
    expect(Array.from(w.get(EMBED_WEIGHT)!.data as Float32Array)).toEqual(Array.from(trained.data));
    expect(base.get(EMBED_WEIGHT)).toBe(table); // the base map is left as it was
    const wrong = { ...table, dims: [table.dims[0] - 1, table.dims[1]], data: table.data.slice(table.dims[1]) };
    await saveSafetensors(path.join(dir, EMBEDDINGS_FILE), new Map([[EMBED_WEIGHT, wrong]]));
    await expect(alignedWeights(dir, { trainEmbeddings: true }, base, adapter)).rejects.toThrow(InputError);
  });
});
