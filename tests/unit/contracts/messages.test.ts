import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  apiErrorOf,
  apiSchemas,
  EVENT_NAMES,
  eventMessage,
  parseEvent,
  parseRequest,
  RecxApiError,
} from '../../../electron/contracts/index.ts';

describe('contracts: one validation for every entry point', () => {
  it('accepts a valid request and returns its params as parsed (defaults applied, unknown keys dropped)', () => {
    const r = parseRequest({
      type: 'request',
      id: 7,
      method: 'explorer.users',
      params: { project: '/p', offset: 0, limit: 20, extra: 'ignored' },
    });
    expect(r).toEqual({
      ok: true,
      request: { id: 7, method: 'explorer.users', params: { project: '/p', offset: 0, limit: 20 } },
    });
  });

  it('names the field of the first problem, with nested paths', () => {
    const r = parseRequest({
      type: 'request',
      id: 1,
      method: 'dataset.import',
      params: { project: '/p', format: 'csv', csv: { userCol: '', itemCol: 'i' } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.response).toMatchObject({ id: 1, ok: false, error: { code: 'input', field: 'csv.userCol' } });
    const steps = parseRequest({
      type: 'request',
      id: 2,
      method: 'align.train',
      params: { project: '/p', method: 'X' },
    });
    if (!steps.ok) expect(steps.response).toMatchObject({ error: { field: 'method' } });
    const align = (maxLen: unknown) =>
      parseRequest({ type: 'request', id: 3, method: 'align.train', params: { project: '/p', method: 'B', maxLen } });
    expect(align(256)).toMatchObject({ ok: true, request: { params: { maxLen: 256 } } });
    expect(align(8)).toMatchObject({ ok: false, response: { error: { field: 'maxLen' } } });
    const embeddings = parseRequest({
      type: 'request',
      id: 4,
      method: 'align.train',
      params: { project: '/p', method: 'I', trainEmbeddings: 'yes' },
    });
    expect(embeddings).toMatchObject({ ok: false, response: { error: { field: 'trainEmbeddings' } } });
  });

  it('refuses envelopes that are not requests and methods that do not exist, keeping the id when there is one', () => {
    for (const raw of [null, 42, 'x', { type: 'event', id: 3 }, { type: 'request', id: -1, method: 'app.info' }]) {
      const r = parseRequest(raw);
      expect(r.ok).toBe(false);
    }
    const unknown = parseRequest({ type: 'request', id: 9, method: '__proto__', params: {} });
    expect(unknown).toMatchObject({ ok: false, response: { id: 9, error: { message: 'unknown method "__proto__"' } } });
  });

  it('has params and result schemas for every method, and only known, valid events pass parseEvent', () => {
    for (const m of API_METHODS) {
      expect(apiSchemas[m].params).toBeDefined();
      expect(apiSchemas[m].result).toBeDefined();
    }
    expect(EVENT_NAMES).toEqual(['job.update', 'job.metrics', 'job.token', 'pipeline.update']);
    const token = eventMessage('job.token', { job: 'j', model: 'run', text: 'Because', done: false });
    expect(parseEvent(token)).toEqual({ event: 'job.token', data: token.data });
    expect(parseEvent({ type: 'event', event: 'job.token', data: { job: 'j' } })).toBeNull();
    expect(parseEvent({ type: 'event', event: 'shell.exec', data: {} })).toBeNull();
  });

  it('recovers the API error from a RecxApiError or from what Electron IPC leaves of one', () => {
    const e = { code: 'input' as const, message: 'dir: not empty', field: 'dir' };
    expect(apiErrorOf(new RecxApiError(e))).toEqual(e);
    expect(apiErrorOf({ name: 'RecxApiError', ...e })).toEqual(e);
    expect(apiErrorOf({ error: e, message: e.message })).toEqual(e);
    expect(apiErrorOf(new Error('socket closed'))).toEqual({ code: 'internal', message: 'socket closed' });
  });
});
