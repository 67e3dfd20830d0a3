import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import { Graph } from '../../../electron/engine/graph/graph.ts';
import { graphSummary, writeOnnx } from '../../../electron/engine/graph/onnx-writer.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { optimizeGraph } from '../../../electron/engine/graph/optimize.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';

function buildTiny(): Graph {
  const g = new Graph('tiny');
  const x = g.input('x', 'float32', ['B', 3]);
  const w = g.input('w', 'float32', [3, 2]);
  const loss = op.reduceMean(op.mul(op.tanh(op.matmul(x, w)), 1), [0, 1]);
  const [dw] = grad(loss, [w]);
  g.output(loss, 'loss');
  g.output(dw!, 'grad_w');
  return g;
}

afterEach(() => {
  delete process.env.RECX_DEBUG;
  delete process.env.RECX_DEBUG_DIR;
  vi.restoreAllMocks();
});

describe('ONNX writer', () => {
  it('writes byte-identical models for identical builds (stable names)', () => {
    const a = writeOnnx(buildTiny()).model;
    const b = writeOnnx(buildTiny()).model;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('moves large initializers to aligned external data', () => {
    const g = new Graph('ext');
    const big = g.constant(new Float32Array(1000).fill(2), 'float32', [1000], 'big');
    const x = g.input('x', 'float32', [1000]);
    g.output(op.mul(x, big), 'y');
    const { model, external } = writeOnnx(g, { externalThreshold: 1024, externalDataName: 'ext.data' });
    expect(external.reduce((p, b) => p + b.byteLength, 0)).toBe(4000);
    expect(Buffer.from(model).includes(Buffer.from('ext.data'))).toBe(true);
    expect(model.byteLength).toBeLessThan(1000);
  });

  it('removes multiplications by one, folds static shapes and drops dead nodes', () => {
    const g = buildTiny();
    const mulsByOne = () =>
      g.nodes.filter((n) => n.op === 'Mul' && n.inputs.some((i) => i && g.initializers.get(i)?.data[0] === 1)).length;
    expect(mulsByOne()).toBeGreaterThan(0);
    const removed = optimizeGraph(g);
    expect(removed).toBeGreaterThan(0);
    expect(mulsByOne()).toBe(0);
  });

  it('RECX_DEBUG=graph prints a summary and dumps the model', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recx-debug-'));
    process.env.RECX_DEBUG = 'graph';
    process.env.RECX_DEBUG_DIR = dir;
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      lines.push(String(s));
      return true;
    });
    const s = await GraphSession.create(buildTiny(), { providers: ['cpu'] });
    await s.release();
    const text = lines.join('');
    expect(text).toMatch(/graph tiny: \d+ nodes/);
    expect(text).toMatch(/ops: .*MatMul×/);
    expect(readdirSync(dir)).toEqual(['tiny.onnx']);
    expect(graphSummary(buildTiny())).toMatch(/initializers: \d+/);
  });

  it('falls back to the CPU provider and says why the GPU ones were skipped', async () => {
    const msgs: string[] = [];
    const s = await GraphSession.create(buildTiny(), { providers: ['cuda', 'cpu'], log: (m) => msgs.push(m) });
    if (s.provider === 'cpu') {
      expect(s.fallbacks[0]).toMatch(/^cuda: /);
      expect(msgs[0]).toMatch(/running on cpu \(skipped cuda: /);
    }
    await s.release();
  });
});
