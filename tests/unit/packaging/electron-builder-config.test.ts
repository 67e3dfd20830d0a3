import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const yaml = require('js-yaml') as { load(text: string): unknown };
const { expandMacro } = require('app-builder-lib/out/util/macroExpander.js');
const { getNodeModuleFileMatcher, getFileMatchers } = require('app-builder-lib/out/fileMatcher.js');
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');

type PlatformKey = 'linux' | 'win' | 'mac';
interface BuilderConfig {
  appId: string;
  productName: string;
  npmRebuild: boolean;
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; files: string[]; asarUnpack: string[] };
  win: { target: string[]; files: string[]; asarUnpack: string[] };
  mac: { target: string[]; files: string[]; asarUnpack: string[] };
}

const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const ORT = 'node_modules/onnxruntime-node/bin/napi-v6';
const ORT_DIRS = ['linux/x64', 'linux/arm64', 'darwin/arm64', 'win32/x64', 'win32/arm64'];
const file = { isDirectory: () => false };

/** The node_modules filter electron-builder builds for one platform and arch. */
function keptModuleFiles(platform: PlatformKey, arch: string): string[] {
  const expander = (p: string) => expandMacro(p, arch, { productName: config.productName });
  const matcher = getNodeModuleFileMatcher(ROOT, '/app', expander, config[platform], {
    config,
    debugLogger: { isEnabled: false },
  });
  // electron-builder copies every file of a module when the matcher is empty.
  const keep = matcher.isEmpty() ? () => true : matcher.createFilter();
  return ORT_DIRS.filter((d) => keep(path.join(ROOT, ORT, d, 'onnxruntime_binding.node'), file));
}

/** Whether electron-builder would unpack `rel` from the asar for one platform and arch. */
function unpacked(platform: PlatformKey, arch: string, rel: string): boolean {
  const expander = (p: string) => expandMacro(p, arch, { productName: config.productName });
  const matchers = getFileMatchers(config, 'asarUnpack', '/app', {
    macroExpander: expander,
    customBuildOptions: config[platform],
    globalOutDir: path.join(ROOT, 'dist/release'),
    defaultSrc: ROOT,
  });
  return matchers[0].createFilter()(path.join(ROOT, rel), file);
}

describe('electron-builder.yml', () => {
  it('is a valid electron-builder configuration', async () => {
    await expect(validateConfiguration(structuredClone(config), { isEnabled: false })).resolves.toBeUndefined();
  });

  it('names the app and builds AppImage + deb, NSIS and dmg', () => {
    expect(config.appId).toBe('org.recexplainer.workbench');
    expect(config.productName).toBe('RecExplainer Workbench');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('ships the bundles and the renderer build, never the TypeScript sources', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'dist/renderer/**', 'package.json']));
    expect(config.files.some((f) => f.startsWith('electron/') || f.endsWith('.ts'))).toBe(false);
  });

  it('does not rebuild native modules (all N-API) and unpacks the addon', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('native/build/Release/*.node');
    expect(unpacked('linux', 'x64', 'native/build/Release/recx_kernels.node')).toBe(true);
    expect(unpacked('linux', 'x64', 'out/main/main.cjs')).toBe(false);
  });

  it('sets the hardening fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
  });

  it.each([
    ['linux', 'x64', 'linux/x64'],
    ['linux', 'arm64', 'linux/arm64'],
    ['win', 'x64', 'win32/x64'],
    ['win', 'arm64', 'win32/arm64'],
    ['mac', 'arm64', 'darwin/arm64'],
  ] as const)('a %s %s package keeps only its own onnxruntime binaries and unpacks them', (platform, arch, dir) => {
    expect(keptModuleFiles(platform, arch)).toEqual([dir]);
    expect(unpacked(platform, arch, `${ORT}/${dir}/onnxruntime_binding.node`)).toBe(true);
    const other = ORT_DIRS.find((d) => d !== dir)!;
    expect(unpacked(platform, arch, `${ORT}/${other}/onnxruntime_binding.node`)).toBe(false);
  });
});
