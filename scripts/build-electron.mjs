#!/usr/bin/env node
/**
 * Bundles the Electron side into out/ with esbuild (Electron cannot load .ts):
 *   out/main/main.cjs        main process (CommonJS; 'electron' external)
 *   out/preload/preload.cjs  sandboxed preload: CommonJS, browser platform so a Node import fails
 *                            the build instead of the window (a sandboxed preload can only
 *                            require 'electron')
 *   out/engine-host.mjs      engine utility process (ESM; onnxruntime-node and native addons
 *                            stay external and load from node_modules / app.asar.unpacked)
 *   out/onnx.proto           read by engine/graph/onnx-writer.ts beside its module at run time
 * Usage: node scripts/build-electron.mjs [--only main,preload,host] [--out DIR]
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Electron 41 runs Node 24 and Chromium 146; esbuild only needs a floor. */
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome130';

/** Packages that must load from node_modules at run time (native code, or Electron itself). */
export const HOST_EXTERNALS = ['electron', 'onnxruntime-node', '*.node', 'bufferutil', 'utf-8-validate'];

export function bundleTargets(root = ROOT, outDir = path.join(root, 'out')) {
  const common = { bundle: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };
  return {
    main: {
      ...common,
      entryPoints: [path.join(root, 'electron/main/main.ts')],
      outfile: path.join(outDir, 'main/main.cjs'),
      platform: 'node',
      format: 'cjs',
      target: NODE_TARGET,
      external: ['electron'],
    },
    preload: {
      ...common,
      entryPoints: [path.join(root, 'electron/preload/preload.ts')],
      outfile: path.join(outDir, 'preload/preload.cjs'),
      platform: 'browser',
      // Parsed on every window load; the zod schemas are most of it.
      minify: true,
      format: 'cjs',
      target: CHROME_TARGET,
      external: ['electron'],
    },
    host: {
      ...common,
      entryPoints: [path.join(root, 'electron/engine/host/host-process.ts')],
      outfile: path.join(outDir, 'engine-host.mjs'),
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      external: HOST_EXTERNALS,
      // Bundled CommonJS dependencies call require(); an ES module has none unless we make one.
      banner: {
        js: "import { createRequire as __recxCreateRequire } from 'node:module'; const require = __recxCreateRequire(import.meta.url);",
      },
    },
  };
}

export async function buildElectron({ root = ROOT, outDir = path.join(root, 'out'), only } = {}) {
  const targets = bundleTargets(root, outDir);
  const names = only ?? Object.keys(targets);
  for (const name of names) {
    if (!targets[name]) throw new Error(`unknown bundle "${name}" (expected ${Object.keys(targets).join(', ')})`);
  }
  await Promise.all(names.map((name) => build(targets[name])));
  if (names.includes('host')) {
    await mkdir(outDir, { recursive: true });
    await copyFile(path.join(root, 'electron/engine/graph/onnx.proto'), path.join(outDir, 'onnx.proto'));
  }
  return names.map((name) => targets[name].outfile);
}

function argValue(flag) {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = argValue('--only')
    ?.split(',')
    .map((s) => s.trim());
  const out = argValue('--out');
  buildElectron({ only, outDir: out ? path.resolve(out) : undefined })
    .then((files) => {
      for (const f of files) console.log(`built ${path.relative(process.cwd(), f)}`);
    })
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
