/**
 * Layering rule (DESIGN.md §2): the engine never imports Electron; the renderer and the contracts
 * never import Node built-ins, onnxruntime-node or the engine; only engine/graph imports
 * onnxruntime-node. Run by `npm run lint`; exits 1 listing each violation as file:line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const IMPORT_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));
const SOURCE_EXT = /\.(ts|tsx|js|mjs|cjs|jsx)$/;

export function importsOf(text: string): { specifier: string; line: number }[] {
  const out: { specifier: string; line: number }[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    out.push({ specifier: m[1], line: text.slice(0, m.index).split('\n').length });
  }
  return out;
}

const isNodeBuiltin = (s: string) => s.startsWith('node:') || NODE_BUILTINS.has(s.split('/')[0]);
const isElectron = (s: string) => s === 'electron' || s.startsWith('electron/');

function resolvesInto(fromFile: string, spec: string, root: string, dir: string): boolean {
  if (!spec.startsWith('.')) return false;
  const target = path.relative(path.join(root, dir), path.resolve(path.dirname(fromFile), spec));
  return !target.startsWith('..') && !path.isAbsolute(target);
}

/** The rule broken by importing `spec` from `file` (relative to root), or null. */
export function layerRule(root: string, file: string, spec: string): string | null {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const abs = path.resolve(root, file);
  if (rel.startsWith('electron/engine/') && isElectron(spec)) return 'the engine must not import electron';
  // Build configuration (renderer/vite.config.ts) runs in Node, not in the renderer.
  const isBuildConfig = /\.config\.ts$/.test(rel);
  const browserSide = (rel.startsWith('renderer/') && !isBuildConfig) || rel.startsWith('electron/contracts/');
  if (browserSide) {
    if (isNodeBuiltin(spec)) return `${rel.split('/')[0]} code must not import Node built-ins`;
    if (spec === 'onnxruntime-node' || isElectron(spec)) return `${rel.split('/')[0]} code must not import ${spec}`;
    if (resolvesInto(abs, spec, root, 'electron/engine')) return 'renderer/contracts must not import the engine';
  }
  if (spec === 'onnxruntime-node' && !rel.startsWith('electron/engine/graph/')) {
    return 'only electron/engine/graph may import onnxruntime-node';
  }
  return null;
}

function walk(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (n === 'node_modules' || n.startsWith('.')) continue;
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE_EXT.test(n)) out.push(p);
  }
}

export function findLayerViolations(root: string): Violation[] {
  const files: string[] = [];
  for (const d of ['electron', 'renderer']) walk(path.join(root, d), files);
  const out: Violation[] = [];
  for (const f of files) {
    for (const { specifier, line } of importsOf(readFileSync(f, 'utf8'))) {
      const rule = layerRule(root, f, specifier);
      if (rule) out.push({ file: path.relative(root, f), line, specifier, rule });
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = findLayerViolations(process.cwd());
  for (const v of violations) console.error(`${v.file}:${v.line}: imports '${v.specifier}': ${v.rule}`);
  if (violations.length > 0) process.exit(1);
  console.log('layering: ok');
}
