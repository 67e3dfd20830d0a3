import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openWithFallback, providerSkipReason } from '../../../electron/engine/graph/providers.ts';

describe('execution-provider fallback', () => {
  it('uses the first provider that opens, reporting why earlier ones were skipped', async () => {
    const tried: string[] = [];
    const r = await openWithFallback(
      ['webgpu', 'cpu'],
      async (p) => {
        tried.push(p);
        if (p === 'webgpu') throw new Error('WebGPU adapter not found\nmore detail');
        return 'session';
      },
      'g',
    );
    expect(r.provider).toBe('cpu');
    expect(r.value).toBe('session');
    expect(r.fallbacks[0]).toMatch(/^webgpu: /);
    // A provider that failed for lack of a device is not probed again in this process.
    const again = await openWithFallback(['webgpu', 'cpu'], async (p) => p, 'g');
    expect(again.provider).toBe('cpu');
    expect(again.fallbacks[0]).toMatch(/^webgpu: /);
  });

  it('says why CPU could not load a graph, naming it', async () => {
    await expect(
      openWithFallback(['cpu'], async () => Promise.reject(new Error('Type mismatch in node 7')), 'my_graph'),
    ).rejects.toThrow(/my_graph: ORT could not load it: Type mismatch/);
  });

  it('does not probe CUDA without its provider libraries', () => {
    const lib = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so';
    if (process.platform === 'linux' && !existsSync(lib)) expect(providerSkipReason('cuda')).toMatch(/not installed/);
  });
});
