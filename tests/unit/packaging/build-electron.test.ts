import { mkdtempSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

interface BuildScript {
  buildElectron(opts: { outDir: string; only?: string[] }): Promise<string[]>;
  bundleTargets(
    root?: string,
    outDir?: string,
  ): Record<string, { external: string[]; format: string; outfile: string }>;
}
const load = async () =>
  (await import(pathToFileURL(path.join(ROOT, 'scripts/build-electron.mjs')).href)) as BuildScript;

const requiresOf = (code: string) => [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];

describe('Electron bundles', () => {
  it('main and preload bundle into CommonJS that needs only Electron (and Node built-ins for main)', async () => {
    const { buildElectron } = await load();
    const out = mkdtempSync(path.join(tmpdir(), 'recx-electron-build-'));
    const files = await buildElectron({ outDir: out, only: ['main', 'preload'] });
    expect(files.map((f) => path.relative(out, f)).sort()).toEqual([
      path.join('main', 'main.cjs'),
      path.join('preload', 'preload.cjs'),
    ]);
    // A sandboxed preload can require only 'electron': zod and the contracts must be inlined.
    const preload = readFileSync(path.join(out, 'preload', 'preload.cjs'), 'utf8');
    expect(requiresOf(preload)).toEqual(['electron']);
    expect(preload).toContain('recx:invoke');
    const main = readFileSync(path.join(out, 'main', 'main.cjs'), 'utf8');
    const builtins = new Set(builtinModules);
    for (const spec of requiresOf(main)) {
      expect(spec === 'electron' || builtins.has(spec.replace(/^node:/, '')), spec).toBe(true);
    }
  });

  it('the engine host bundle is ESM and leaves native code to node_modules', async () => {
    const { bundleTargets } = await load();
    const host = bundleTargets(ROOT, '/tmp/out').host;
    expect(host.format).toBe('esm');
    expect(host.outfile).toBe(path.join('/tmp/out', 'engine-host.mjs'));
    expect(host.external).toEqual(expect.arrayContaining(['onnxruntime-node', 'electron', '*.node']));
  });
});
