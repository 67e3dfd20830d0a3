/**
 * Preload (bundled to out/preload/preload.cjs; sandboxed, so CommonJS with everything inlined
 * except 'electron'). Exposes exactly `window.recx` = { invoke, on } and nothing else.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createRecxApi } from './recx-api.ts';

const api = createRecxApi(ipcRenderer);
contextBridge.exposeInMainWorld('recx', { invoke: api.invoke, on: api.on });
