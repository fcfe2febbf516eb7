import { describe, expect, it } from 'vitest';
import { queryRows } from '../../../data/duckdb.ts';
import { canonicalJson } from '../../../lab/model/hash.ts';
import { backtestCacheKey } from '../../../lab/validate/cache-key.ts';
import {
  checkRegistry,
  findBacktest,
  findBacktestFor,
  getModel,
  listModels,
  resolveModelHash,
  saveModel,
  setStatus,
  statusHistory,
} from '../../../lab/registry/index.ts';
import {
  FINGERPRINT,
  SCHEMA,
  SETTINGS,
  model,
  modelHash,
  storeAuc,
  ticking,
  withState,
} from './helpers.ts';

describe('model registry', () => {
  it('saves a model once per content: same content, same version, untouched', async () => {
    await withState(async ({ connection }) => {
      const clock = ticking();
      const first = await saveModel(connection, SCHEMA, model('a'), { by: 'ana', now: clock() });
      expect(first).toMatchObject({
        hash: modelHash(model('a')),
        name: 'a',
        createdBy: 'ana',
        createdAt: '2026-04-01T10:01:00Z',
        derivedFrom: null,
        status: 'draft',
        created: true,
      });
      // The same content spelled differently (key order) is the same version.
      const respelled = JSON.parse(canonicalJson(model('a')));
      const again = await saveModel(
        connection,
        SCHEMA,
        { ...respelled },
        {
          by: 'bo',
          status: 'candidate',
          now: clock(),
        },
      );
      expect(again).toMatchObject({
        hash: first.hash,
        createdBy: 'ana',
        status: 'draft',
        created: false,
      });
      const [count] = await queryRows<{ n: number }>(
        connection,
        'SELECT count(*)::INTEGER AS n FROM state.models',
      );
      expect(count!.n).toBe(1);
      const other = await saveModel(connection, SCHEMA, model('a', 2), { by: 'ana', now: clock() });
      expect(other.hash).not.toBe(first.hash);
    });
  });

  it('records which model a version was derived from, and refuses an unknown parent', async () => {
    await withState(async ({ connection }) => {
      const clock = ticking();
      const parent = await saveModel(connection, SCHEMA, model('a'), { by: 'ana', now: clock() });
      const child = await saveModel(connection, SCHEMA, model('a', 2), {
        by: 'ana',
        derivedFrom: parent.hash,
        now: clock(),
      });
      expect((await getModel(connection, SCHEMA, child.hash))!.derivedFrom).toBe(parent.hash);
      await expect(
        saveModel(connection, SCHEMA, model('a', 3), {
          by: 'ana',
          derivedFrom: 'ab'.repeat(32),
          now: clock(),
        }),
      ).rejects.toThrow(`derived from ${'ab'.repeat(32)}, which is not saved`);
      expect(await listModels(connection, SCHEMA)).toHaveLength(2);
    });
  });

  it('changes statuses by appending, never by rewriting the model', async () => {
    await withState(async ({ connection }) => {
      const clock = ticking();
      const saved = await saveModel(connection, SCHEMA, model('a'), { by: 'ana', now: clock() });
      const spec = await queryRows(connection, 'SELECT spec FROM state.models');
      expect(
        (await setStatus(connection, SCHEMA, saved.hash, 'candidate', { by: 'bo', now: clock() }))
          .status,
      ).toBe('candidate');
      expect(
        (
          await setStatus(connection, SCHEMA, saved.hash, 'retired', {
            by: 'bo',
            reason: 'superseded',
            now: clock(),
          })
        ).status,
      ).toBe('retired');
      expect(await statusHistory(connection, SCHEMA, saved.hash)).toEqual([
        {
          seq: 1,
          hash: saved.hash,
          status: 'draft',
          at: '2026-04-01T10:01:00Z',
          by: 'ana',
          reason: 'saved',
        },
        {
          seq: 2,
          hash: saved.hash,
          status: 'candidate',
          at: '2026-04-01T10:02:00Z',
          by: 'bo',
          reason: '',
        },
        {
          seq: 3,
          hash: saved.hash,
          status: 'retired',
          at: '2026-04-01T10:03:00Z',
          by: 'bo',
          reason: 'superseded',
        },
      ]);
      expect(await queryRows(connection, 'SELECT spec FROM state.models')).toEqual(spec);
      expect(await listModels(connection, SCHEMA, { status: 'retired' })).toHaveLength(1);
      await expect(
        setStatus(connection, SCHEMA, saved.hash, 'production' as 'draft', {
          by: 'bo',
          now: clock(),
        }),
      ).rejects.toThrow(
        'status must be one of draft, candidate, retired (production changes by promotion), got "production"',
      );
    });
  });

  it('resolves a unique hash prefix and names ambiguous or unknown ones', async () => {
    await withState(async ({ connection }) => {
      const saved = await saveModel(connection, SCHEMA, model('a'), { by: 'a', now: new Date() });
      expect(await resolveModelHash(connection, SCHEMA, saved.hash.slice(0, 8))).toBe(saved.hash);
      expect(await resolveModelHash(connection, SCHEMA, saved.hash.toUpperCase())).toBe(saved.hash);
      // Two versions whose hashes share a prefix (rows written directly: only hashes matter).
      for (const hash of ['abcd1' + '0'.repeat(59), 'abcd2' + '0'.repeat(59)]) {
        await connection.run(
          `INSERT INTO state.models SELECT $hash, name, spec, created_at, created_by, NULL FROM state.models LIMIT 1`,
          { hash },
        );
      }
      await expect(resolveModelHash(connection, SCHEMA, 'abcd')).rejects.toThrow(
        'hash prefix abcd is ambiguous: abcd10000000, abcd20000000',
      );
      expect(await resolveModelHash(connection, SCHEMA, 'abcd2')).toBe('abcd2' + '0'.repeat(59));
      await expect(resolveModelHash(connection, SCHEMA, 'abc')).rejects.toThrow(
        'a model hash is 4 to 64 hex digits (a prefix is enough), got "abc"',
      );
      const unknown = saved.hash.startsWith('0000') ? '1111' : '0000';
      await expect(resolveModelHash(connection, SCHEMA, unknown)).rejects.toThrow(
        `no saved model has hash ${unknown}`,
      );
    });
  });

  it('caches backtests by key and finds them by model, fingerprint and settings', async () => {
    await withState(async ({ connection }) => {
      const hash = modelHash(model('a'));
      const key = await storeAuc(connection, hash, [0.7, 0.65, 0.75]);
      const stored = await findBacktest(connection, SCHEMA, key);
      expect(stored).toEqual({
        key,
        modelHash: hash,
        dataFingerprint: FINGERPRINT,
        settings: SETTINGS,
        result: { auc: { estimate: 0.7, low: 0.65, high: 0.75 } },
        createdAt: '2026-04-01T09:00:00Z',
      });
      // The key is the backtest engine's, which reads settings by content: key order and
      // defaults written out do not matter, a different value does.
      expect(key).toBe(backtestCacheKey(hash, FINGERPRINT, SETTINGS));
      const respelled = {
        horizon: 90,
        bootstrap: { seed: 1, reps: 200 },
        segments: true,
        every: 30,
        to: '2026-01-01',
        from: '2025-04-01',
      };
      const query = { modelHash: hash, dataFingerprint: FINGERPRINT, settings: respelled };
      expect((await findBacktestFor(connection, SCHEMA, query))?.key).toBe(key);
      expect(
        await findBacktestFor(connection, SCHEMA, {
          ...query,
          settings: { ...SETTINGS, every: 7 },
        }),
      ).toBeNull();
      expect(
        await findBacktestFor(connection, SCHEMA, { ...query, dataFingerprint: 'e'.repeat(64) }),
      ).toBeNull();
      // Storing under the same key replaces the result.
      await storeAuc(connection, hash, [0.8, 0.75, 0.85]);
      expect((await findBacktest(connection, SCHEMA, key))?.result).toEqual({
        auc: { estimate: 0.8, low: 0.75, high: 0.85 },
      });
      expect(await findBacktest(connection, SCHEMA, 'nope')).toBeNull();
    });
  });

  it('keeps a consistent registry through saves and status changes', async () => {
    await withState(async ({ connection }) => {
      const clock = ticking();
      const saved = await saveModel(connection, SCHEMA, model('a'), { by: 'ana', now: clock() });
      await setStatus(connection, SCHEMA, saved.hash, 'candidate', { by: 'ana', now: clock() });
      expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
    });
  });
});
