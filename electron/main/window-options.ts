/**
 * The main window's options: a sandboxed renderer with context isolation and no Node, the preload
 * as its only bridge, and every legacy escape hatch (webview, insecure content, experimental
 * features, drag-and-drop navigation) switched off explicitly so a default change cannot open it.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the bundled preload (out/preload/preload.cjs). */
  preload: string;
  title?: string;
}

export function buildWindowOptions({
  preload,
  title = 'RecExplainer Workbench',
}: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title,
    width: 1440,
    height: 920,
    minWidth: 960,
    minHeight: 640,
    // Shown on ready-to-show, so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: {
      preload,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // Middle-click would otherwise try to open links in new windows (denied anyway).
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  };
}
