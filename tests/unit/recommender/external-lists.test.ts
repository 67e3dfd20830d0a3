import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetFormatError, InputError } from '../../../electron/engine/errors.ts';
import {
  importExternalRecommender,
  type ListsRecommender,
  loadExternalRecommender,
} from '../../../electron/engine/recommender/external/index.ts';
import {
  datasetIds,
  datasetProject,
  type ErrorClass,
  FIXTURES,
  fixtureCopy,
  leftovers,
  snapshot,
} from './external-helpers.ts';

const RECS = path.join(FIXTURES, 'lists', 'recs.csv');

describe('recommendation-list import', () => {
  it('imports ranked lists by source id and serves them in dataset ids, best first', async () => {
    const project = await datasetProject();
    const ids = await datasetIds(project);
    const r = await importExternalRecommender(project, { level: 'lists', lists: RECS });
    expect(r.manifest).toMatchObject({
      kind: 'lists',
      numItems: 40,
      dim: null,
      details: { users: 3, minLength: 1, maxLength: 3, hasScores: true, sources: { lists: 'source/recs.csv' } },
    });
    expect(readFileSync(path.join(project, 'recommender', 'source', 'recs.csv'), 'utf8')).toBe(
      readFileSync(RECS, 'utf8'),
    );
    const rec = (await loadExternalRecommender(project, r.manifest)) as ListsRecommender;
    expect(rec.canScore).toBe(false);
    expect(rec.dim).toBeNull();
    const items = (...s: string[]) => s.map(ids.item);
    expect([...rec.recommendationList(ids.user('user-0001'))]).toEqual(items('item-0005', 'item-0012', 'item-0030'));
    expect([...rec.recommendationList(ids.user('user-0002'))]).toEqual(items('item-0040', 'item-0007', 'item-0001'));
    expect([...(rec.recommendationScores(ids.user('user-0002')) ?? [])]).toEqual([
      expect.closeTo(1.2, 5),
      expect.closeTo(0.9, 5),
      expect.closeTo(0.1, 5),
    ]);
    expect([...rec.recommendationList(ids.user('user-0003'))]).toEqual([]);
    expect(rec.users()).toEqual(['user-0001', 'user-0002', 'user-0017'].map(ids.user).sort((a, b) => a - b));
    const req = [{ user: 1, history: new Uint32Array([1]) }];
    await expect(rec.encodeUsers(req)).rejects.toThrow(InputError);
    await expect(rec.scoreAll(req)).rejects.toThrow(/only behavior alignment/);
    expect(() => rec.itemTable()).toThrow(/only behavior alignment/);
  });

  it('the score column is optional; other columns are ignored', async () => {
    const project = await datasetProject();
    const dir = fixtureCopy('lists');
    const file = path.join(dir, 'plain.csv');
    writeFileSync(file, 'rank,item,user,source\n1,item-0002,user-0005,x\n2,item-0009,user-0005,y\n');
    const r = await importExternalRecommender(project, { level: 'lists', lists: file });
    expect(r.manifest.details).toMatchObject({ hasScores: false, users: 1 });
    const rec = (await loadExternalRecommender(project, r.manifest)) as ListsRecommender;
    const ids = await datasetIds(project);
    expect([...rec.recommendationList(ids.user('user-0005'))]).toEqual([ids.item('item-0002'), ids.item('item-0009')]);
    expect(rec.recommendationScores(ids.user('user-0005'))).toBeNull();
  });
});

describe('list import errors name the file, line and field', () => {
  const expectError = async (csv: string, type: ErrorClass, ...res: RegExp[]) => {
    const project = await datasetProject();
    const file = path.join(fixtureCopy('lists'), 'bad.csv');
    writeFileSync(file, csv);
    const err = await importExternalRecommender(project, { level: 'lists', lists: file }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    for (const re of res) expect((err as Error).message).toMatch(re);
  };
  const header = 'user,rank,item,score\n';

  it('unknown users and items (first ones with their lines)', async () => {
    await expectError(
      `${header}user-0001,1,item-0001,1\nghost,1,item-0001,1\nuser-0002,1,item-0002,1\nspecter,2,item-0002,1\n`,
      DatasetFormatError,
      /bad\.csv:3: field "user"/,
      /"ghost" \(line 3\), "specter" \(line 5\)/,
    );
    await expectError(
      `${header}user-0001,1,item-0404,1\n`,
      DatasetFormatError,
      /bad\.csv:2: field "item"/,
      /"item-0404" \(line 2\)/,
    );
  });

  it('duplicate rank or item within a user', async () => {
    await expectError(
      `${header}user-0001,1,item-0001,1\nuser-0002,1,item-0001,1\nuser-0001,1,item-0002,1\n`,
      DatasetFormatError,
      /bad\.csv:4: field "rank"/,
      /rank 1 of user "user-0001" is also on line 2/,
    );
    await expectError(
      `${header}user-0001,1,item-0001,1\nuser-0001,2,item-0001,1\n`,
      DatasetFormatError,
      /bad\.csv:3: field "item"/,
    );
  });

  it('non-numeric rank or score', async () => {
    await expectError(
      `${header}user-0001,first,item-0001,1\n`,
      DatasetFormatError,
      /bad\.csv:2: field "rank"/,
      /positive integer/,
    );
    await expectError(`${header}user-0001,0,item-0001,1\n`, DatasetFormatError, /bad\.csv:2: field "rank"/);
    await expectError(
      `${header}user-0001,1,item-0001,high\n`,
      DatasetFormatError,
      /bad\.csv:2: field "score"/,
      /a number/,
    );
  });

  it('missing header column, empty list, missing file', async () => {
    await expectError('u,rank,item\nuser-0001,1,item-0001\n', DatasetFormatError, /bad\.csv:1: field "user"/);
    await expectError('user,rank,item\n', DatasetFormatError, /at least one recommendation row/);
    const project = await datasetProject();
    await expect(
      importExternalRecommender(project, { level: 'lists', lists: path.join(FIXTURES, 'lists', 'nope.csv') }),
    ).rejects.toThrow(/nope\.csv: recommendation lists not found/);
  });

  it('a failed import leaves the previous recommender untouched', async () => {
    const project = await datasetProject();
    await importExternalRecommender(project, { level: 'lists', lists: RECS });
    const before = snapshot(path.join(project, 'recommender'));
    const file = path.join(fixtureCopy('lists'), 'bad.csv');
    writeFileSync(file, 'user,rank,item\nuser-0001,1,item-0999\n');
    await expect(importExternalRecommender(project, { level: 'lists', lists: file, force: true })).rejects.toThrow(
      /item-0999/,
    );
    expect(snapshot(path.join(project, 'recommender'))).toEqual(before);
    expect(leftovers(project)).toEqual([]);
  });
});
