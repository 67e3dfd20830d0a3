#!/usr/bin/env node
/**
 * Runs Electronegativity (Electron security misconfiguration checks) over the main-process and
 * preload sources as one app (its global checks, e.g. "a CSP is set somewhere", need to see both)
 * and exits 1 when it reports anything. A finding that is a deliberate choice is silenced where it
 * occurs, with an inline `eng-disable CHECK_ID` comment and the reason beside it.
 * Usage: node scripts/electronegativity.mjs [dir ...]   (default: electron/main electron/preload)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const DEFAULT_INPUTS = ['electron/main', 'electron/preload'];

/**
 * npm hoists @typescript-eslint/typescript-estree (an Electronegativity dependency) to the root,
 * where `require('typescript')` finds the project's TypeScript 7, which has no JS compiler API.
 * Electronegativity ships the TypeScript it was built with; point the parser at that one.
 */
function pointParserAtBundledTypescript() {
  const engRequire = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  let bundled;
  try {
    bundled = engRequire.resolve('typescript');
  } catch {
    return;
  }
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(request, parent, ...rest) {
    if (request === 'typescript' && parent?.filename?.includes(`${path.sep}@typescript-eslint${path.sep}`)) {
      return bundled;
    }
    return original.call(this, request, parent, ...rest);
  };
}
pointParserAtBundledTypescript();

// The scanned folders have no package.json, so tell it which Electron the app ships.
const electronVersion = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;

/**
 * Left out: AvailableSecurityFixesGlobalCheck downloads Electron's release list at scan time, so its
 * verdict changes with the network and the day; Electron updates are a dependency-update concern.
 */
const EXCLUDED_CHECKS = ['availablesecurityfixesglobalcheck'];

async function scan(dir) {
  const run = require('@doyensec/electronegativity');
  return run({
    input: dir,
    output: undefined,
    isSarif: false,
    customScan: [],
    excludeFromScan: EXCLUDED_CHECKS,
    severitySet: undefined,
    confidenceSet: undefined,
    isRelative: true,
    isVerbose: true,
    electronUpgrade: undefined,
    electronVersionOverride: electronVersion,
    parserPlugins: [],
  });
}

const inputs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_INPUTS;
const staging = mkdtempSync(path.join(os.tmpdir(), 'recx-eneg-'));
let failures = 0;
try {
  for (const input of inputs) cpSync(path.resolve(ROOT, input), path.join(staging, input), { recursive: true });
  const result = await scan(staging);
  const hardErrors = result.errors.filter((e) => !e.tolerable);
  for (const e of hardErrors) console.error(`could not parse ${path.relative(staging, e.file)}: ${e.message}`);
  for (const issue of result.issues) {
    const where = `${issue.file}:${issue.location.line}:${issue.location.column}`;
    console.error(`${where}  ${issue.id} (${issue.severity.name}, ${issue.confidence.name})  ${issue.description}`);
  }
  failures = result.issues.length + hardErrors.length;
  console.log(
    `electronegativity: ${inputs.join(', ')}: ${result.atomicChecks + result.globalChecks} checks, ${result.issues.length} findings`,
  );
} finally {
  rmSync(staging, { recursive: true, force: true });
}
process.exit(failures > 0 ? 1 : 0);
