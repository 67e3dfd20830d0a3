/**
 * Electron main process entry (bundled to out/main/main.cjs): one sandboxed window on the app
 * protocol, IPC validated and checked in ipc-handler.ts, engine work in a utilityProcess
 * (engine-host.ts). No engine logic here; every rule lives in a plain, tested module beside it.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  type OpenDialogOptions,
  protocol,
  session,
  utilityProcess,
  type WebFrameMain,
} from 'electron';
import { appFileResponse } from './app-files.ts';
import { APP_ENTRY_URL, APP_SCHEME } from './app-protocol.ts';
import { EngineHostClient } from './engine-host-client.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './ipc-channels.ts';
import { type ChoosePurpose, createIpcRequestHandler, isTrustedSender } from './ipc-handler.ts';
import { APP_SCHEME_PRIVILEGES, guardAllWebContents, hardenSession } from './security.ts';
import { buildWindowOptions } from './window-options.ts';

protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
app.enableSandbox();
guardAllWebContents();

// app.getAppPath() is the project root in development and app.asar when packaged.
const appRoot = app.getAppPath();
const paths = {
  preload: path.join(appRoot, 'out', 'preload', 'preload.cjs'),
  engineHost: path.join(appRoot, 'out', 'engine-host.mjs'),
  renderer: path.join(appRoot, 'dist', 'renderer'),
};

const DIALOG_TITLES: Record<ChoosePurpose, string> = {
  create: 'Choose a folder for the new project',
  open: 'Open a project folder',
  dataset: 'Choose the dataset folder',
  llm: 'Choose the language model folder (Hugging Face format)',
};

let mainWindow: BrowserWindow | null = null;
const liveWindow = () => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null);

const host = new EngineHostClient({
  spawn: () =>
    utilityProcess.fork(paths.engineHost, ['--mode', 'electron'], {
      serviceName: 'RecExplainer engine',
      stdio: 'inherit',
    }),
  onEvent: (message) => liveWindow()?.webContents.send(EVENT_CHANNEL, message),
  log: (line) => console.error(`[main] ${line}`),
});

function frameOf(frame: WebFrameMain | null) {
  try {
    return frame ? { url: frame.url, processId: frame.processId, routingId: frame.routingId } : null;
  } catch {
    return null; // a frame destroyed while its message was in flight
  }
}

const handleRequest = createIpcRequestHandler<WebFrameMain | null>({
  isTrustedSender: (frame) => isTrustedSender(frameOf(frame), frameOf(liveWindow()?.webContents.mainFrame ?? null)),
  roots: () => host.grantedRoots,
  chooseFolder: async (purpose) => {
    const win = liveWindow();
    const options: OpenDialogOptions = {
      title: DIALOG_TITLES[purpose],
      properties: ['openDirectory', 'createDirectory'],
    };
    const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    const dir = picked.canceled ? undefined : picked.filePaths[0];
    return dir && path.isAbsolute(dir) ? path.resolve(dir) : null;
  },
  grant: (dir) => host.grant(dir),
  forward: (request) => host.request(request.method, request.params),
});

ipcMain.handle(INVOKE_CHANNEL, (event, raw: unknown) => handleRequest(event.senderFrame, raw));

function createMainWindow(): BrowserWindow {
  // Electronegativity cannot see options built in another module: buildWindowOptions sets
  // contextIsolation, sandbox and disableBlinkFeatures 'Auxclick' (asserted in window-options.test.ts),
  // and the preload exposes only invoke/on over one validated channel.
  const options = buildWindowOptions({ preload: paths.preload });
  const win = new BrowserWindow(options); // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK PRELOAD_JS_CHECK
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = liveWindow();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    protocol.handle(APP_SCHEME, (request) => appFileResponse(paths.renderer, request.url, request.method));
    host.start();
    mainWindow = createMainWindow();
    app.on('activate', () => {
      if (!liveWindow()) mainWindow = createMainWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Give a running job the chance to checkpoint before the process goes away.
  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void host.shutdown().finally(() => app.quit());
  });
}
