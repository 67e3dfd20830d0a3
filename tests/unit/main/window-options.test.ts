import { describe, expect, it } from 'vitest';
import { buildWindowOptions } from '../../../electron/main/window-options.ts';

describe('main window options', () => {
  const opts = buildWindowOptions({ preload: '/app/out/preload/preload.cjs' });
  const web = opts.webPreferences!;

  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(web.contextIsolation).toBe(true);
    expect(web.nodeIntegration).toBe(false);
    expect(web.nodeIntegrationInWorker).toBe(false);
    expect(web.nodeIntegrationInSubFrames).toBe(false);
    expect(web.sandbox).toBe(true);
  });

  it('keeps web security on and the escape hatches off', () => {
    expect(web.webSecurity).toBe(true);
    expect(web.allowRunningInsecureContent).toBe(false);
    expect(web.webviewTag).toBe(false);
    expect(web.experimentalFeatures).toBe(false);
    expect(web.navigateOnDragDrop).toBe(false);
    expect(web.disableBlinkFeatures).toBe('Auxclick');
  });

  it('uses the given preload and waits for the first paint before showing', () => {
    expect(web.preload).toBe('/app/out/preload/preload.cjs');
    expect(opts.show).toBe(false);
    expect(opts.title).toBe('RecExplainer Workbench');
  });
});
