import { describe, expect, it, vi } from 'vitest';

const exposed: { key: string; value: Record<string, unknown> }[] = [];
const ipcOn = vi.fn();

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: Record<string, unknown>) => exposed.push({ key, value }),
  },
  ipcRenderer: { invoke: vi.fn(), on: ipcOn },
}));

describe('preload', () => {
  it('exposes exactly window.recx with invoke and on, and nothing else', async () => {
    await import('../../../electron/preload/preload.ts');
    expect(exposed).toHaveLength(1);
    expect(exposed[0].key).toBe('recx');
    expect(Object.keys(exposed[0].value).sort()).toEqual(['invoke', 'on']);
    expect(typeof exposed[0].value.invoke).toBe('function');
    expect(typeof exposed[0].value.on).toBe('function');
    // One event channel listener, shared by every subscription.
    expect(ipcOn).toHaveBeenCalledTimes(1);
  });
});
