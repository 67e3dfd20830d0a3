/** SASRec builder: parameters, init, dropout wiring. (Parity with PyTorch, pre- and post-LN:
 * tests/unit/graph/models-vs-torch.test.ts.) */
import { describe, expect, it } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import {
  buildSasrecBce,
  initSasrecParams,
  type SasrecConfig,
  sasrecParamSpecs,
} from '../../../electron/engine/models/sasrec.ts';

const CFG: SasrecConfig = {
  numItems: 30,
  hidden: 8,
  blocks: 1,
  heads: 2,
  maxLen: 5,
  activation: 'gelu',
  norm: 'pre',
  dropout: 0.3,
};
const ids = (rows: number[][]): HostTensor => ({
  dtype: 'int64',
  dims: [rows.length, rows[0].length],
  data: BigInt64Array.from(rows.flat().map(BigInt)),
});
const BATCH = {
  seq: ids([
    [0, 0, 3, 4, 5],
    [1, 2, 3, 4, 5],
  ]),
  pos: ids([
    [0, 0, 4, 5, 6],
    [2, 3, 4, 5, 6],
  ]),
  neg: ids([
    [0, 0, 9, 10, 11],
    [12, 13, 14, 15, 16],
  ]),
};

async function lossAndItemGrad(train: boolean, seed?: number): Promise<[number, Float32Array]> {
  const m = buildSasrecBce(CFG, train);
  const [dItems] = grad(m.loss, [m.params[0].value]);
  m.graph.output(m.loss, 'loss');
  m.graph.output(dItems!, 'd_items');
  const s = await GraphSession.create(m.graph, { providers: ['cpu'] });
  const feeds: Record<string, HostTensor> = { ...BATCH, ...Object.fromEntries(initSasrecParams(CFG, 3)) };
  if (seed !== undefined) feeds.dropout_seed = { dtype: 'float32', dims: [], data: Float32Array.of(seed) };
  const out = await s.run(feeds);
  await s.release();
  return [Number(out.loss.data[0]), out.d_items.data as Float32Array];
}

describe('sasrec', () => {
  it('declares stable parameter names and a zero padding row', () => {
    const names = sasrecParamSpecs(CFG).map((s) => s.name);
    expect(names.slice(0, 4)).toEqual([
      'item_emb.weight',
      'pos_emb.weight',
      'blocks.0.ln1.weight',
      'blocks.0.ln1.bias',
    ]);
    expect(names).toContain('blocks.0.attn.out.bias');
    expect(names).toContain('blocks.0.ffn.fc2.weight');
    expect(names.at(-1)).toBe('final_ln.bias');
    const items = initSasrecParams(CFG, 1).get('item_emb.weight')!;
    expect(items.dims).toEqual([31, 8]);
    expect([...(items.data as Float32Array).subarray(0, 8)]).toEqual(Array(8).fill(0));
    expect(() => sasrecParamSpecs({ ...CFG, heads: 3 })).toThrow(/multiple of heads/);
  });

  it('takes dropout_seed only in training: the same seed repeats, another differs', async () => {
    expect(buildSasrecBce(CFG, false).graph.inputs.some((v) => v.name === 'dropout_seed')).toBe(false);
    expect(buildSasrecBce({ ...CFG, dropout: 0 }, true).graph.inputs.some((v) => v.name === 'dropout_seed')).toBe(
      false,
    );
    const [evalLoss] = await lossAndItemGrad(false);
    const [a, dA] = await lossAndItemGrad(true, 11);
    const [b] = await lossAndItemGrad(true, 11);
    const [c] = await lossAndItemGrad(true, 12);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).not.toBe(evalLoss);
    // The padding row never gets a gradient.
    expect([...dA.subarray(0, 8)]).toEqual(Array(8).fill(0));
  });
});
