import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openDatabase, withConnection } from '../../../data/duckdb.ts';
import { canonicalJson, modelHash } from '../../../lab/model/hash.ts';
import {
  checkRegistry,
  decideGate,
  ensureProduction,
  ensureRegistry,
  gateFigures,
  getModel,
  listAudit,
  productionLog,
  productionModel,
  promote,
  rollback,
  rollbackTarget,
  saveModel,
  setStatus,
  type RegistryLogger,
} from '../../../lab/registry/index.ts';
import { tempDir } from '../../helpers/app.ts';
import { FINGERPRINT, SCHEMA, SETTINGS, model, storeAuc, ticking, withState } from './helpers.ts';

const base = { dataFingerprint: FINGERPRINT, settings: SETTINGS };

/** Saves a candidate and returns its hash. */
async function candidate(connection: DuckDBConnection, name: string, weight = 1, now = new Date()) {
  return (
    await saveModel(connection, SCHEMA, model(name, weight), {
      by: 'ana',
      status: 'candidate',
      now,
    })
  ).hash;
}

/** A state whose production is model `prod` (AUC 0.70 [0.66, 0.74] on the current data). */
async function withProduction(
  work: (connection: DuckDBConnection, prod: string, clock: () => Date) => Promise<void>,
) {
  await withState(async ({ connection }) => {
    const clock = ticking();
    const prod = (await ensureProduction(connection, SCHEMA, model('prod'), clock())).hash;
    await storeAuc(connection, prod, [0.7, 0.66, 0.74]);
    await work(connection, prod, clock);
  });
}

function recordingLog() {
  const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
  const log: RegistryLogger = {
    info: (details, message) => lines.push({ level: 'info', message, details: details as never }),
    warn: (details, message) => lines.push({ level: 'warn', message, details: details as never }),
  };
  return { log, lines };
}

describe('promotion gate', () => {
  it('refuses a model without a stored backtest on the current data and settings', async () => {
    await withProduction(async (connection, prod, clock) => {
      const next = await candidate(connection, 'next');
      // Backtests exist, but on other data and with other settings: they do not count.
      await storeAuc(connection, next, [0.9, 0.88, 0.92], { fingerprint: 'e'.repeat(64) });
      await storeAuc(connection, next, [0.9, 0.88, 0.92], {
        settings: { ...SETTINGS, horizon: 30 },
      });
      const { log, lines } = recordingLog();
      const result = await promote(connection, SCHEMA, next, {
        ...base,
        by: 'ana',
        now: clock(),
        log,
      });
      expect(result).toMatchObject({ promoted: false, from: prod, to: next, productionSeq: null });
      expect(result.gate.rule).toBe('unvalidated');
      expect(result.gate.message).toBe(
        `model ${next.slice(0, 12)} has no stored backtest on the current data with the current settings; backtest it first`,
      );
      expect((await productionModel(connection, SCHEMA))!.hash).toBe(prod);
      // The refusal is returned, logged and audited.
      expect(lines).toEqual([
        expect.objectContaining({ level: 'warn', message: 'promotion refused by the gate' }),
      ]);
      const [audit] = await listAudit(connection, SCHEMA, { limit: 1 });
      expect(audit).toMatchObject({
        action: 'promote_refused',
        by: 'ana',
        fromHash: prod,
        toHash: next,
        gatePassed: false,
        overridden: false,
        productionSeq: null,
      });
      expect(audit!.figures).toMatchObject({ passed: false, rule: 'unvalidated' });
      expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
    });
  });

  it('refuses a model worse than production beyond the interval', async () => {
    await withProduction(async (connection, prod, clock) => {
      const worse = await candidate(connection, 'worse');
      await storeAuc(connection, worse, [0.65, 0.61, 0.69]);
      const result = await promote(connection, SCHEMA, worse, { ...base, by: 'ana', now: clock() });
      expect(result.promoted).toBe(false);
      expect(result.gate).toMatchObject({
        passed: false,
        rule: 'production_interval',
        candidate: { hash: worse, figures: { auc: 0.65, aucLow: 0.61, aucHigh: 0.69 } },
        production: { hash: prod, figures: { auc: 0.7, aucLow: 0.66, aucHigh: 0.74 } },
        dataFingerprint: FINGERPRINT,
        settings: SETTINGS,
      });
      expect(result.gate.message).toBe(
        "candidate AUC 0.6500 < 0.6600, the lower bound of production's AUC 0.7000 [0.6600, 0.7400]: worse beyond the interval",
      );
      expect((await productionModel(connection, SCHEMA))!.hash).toBe(prod);
    });
  });

  it('accepts an equal model and a slightly worse one within the interval', async () => {
    await withProduction(async (connection, prod, clock) => {
      const equal = await candidate(connection, 'equal');
      await storeAuc(connection, equal, [0.7, 0.66, 0.74]);
      const promoted = await promote(connection, SCHEMA, equal, {
        ...base,
        by: 'ana',
        now: clock(),
      });
      expect(promoted).toMatchObject({ promoted: true, from: prod, to: equal, overridden: false });
      expect(promoted.gate).toMatchObject({ passed: true, rule: 'production_interval' });
      // Now `equal` is production; a candidate at exactly its lower bound still passes.
      const edge = await candidate(connection, 'edge');
      await storeAuc(connection, edge, [0.66, 0.62, 0.7]);
      const again = await promote(connection, SCHEMA, edge, { ...base, by: 'ana', now: clock() });
      expect(again).toMatchObject({ promoted: true, from: equal, to: edge });
      expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
    });
  });

  it('uses the paired difference interval when the result carries one against production', async () => {
    await withProduction(async (connection, prod, clock) => {
      const worse = await candidate(connection, 'paired-worse');
      // Its own AUC is inside production's interval, but the paired difference shows it worse.
      await storeAuc(connection, worse, [0.69, 0.65, 0.73], {
        result: { pairedDiff: { against: prod, estimate: -0.01, low: -0.015, high: -0.005 } },
      });
      const refused = await promote(connection, SCHEMA, worse, {
        ...base,
        by: 'ana',
        now: clock(),
      });
      expect(refused.gate).toMatchObject({ passed: false, rule: 'paired_difference' });
      expect(refused.gate.message).toBe(
        `AUC difference ${worse.slice(0, 12)} - ${prod.slice(0, 12)} is -0.0100 [-0.0150, -0.0050]: worse beyond the interval (upper bound < 0)`,
      );
      const fine = await candidate(connection, 'paired-fine');
      await storeAuc(connection, fine, [0.69, 0.65, 0.73], {
        result: { pairedDiff: { against: prod, estimate: -0.01, low: -0.02, high: 0 } },
      });
      const passed = await promote(connection, SCHEMA, fine, { ...base, by: 'ana', now: clock() });
      expect(passed.gate).toMatchObject({ passed: true, rule: 'paired_difference' });
    });
  });

  it('refuses when production has no backtest to compare with, and passes with no production', async () => {
    await withState(async ({ connection }) => {
      const clock = ticking();
      const first = await candidate(connection, 'first');
      await storeAuc(connection, first, [0.6, 0.55, 0.65]);
      const initial = await promote(connection, SCHEMA, first, {
        ...base,
        by: 'ana',
        now: clock(),
      });
      expect(initial.gate).toMatchObject({ passed: true, rule: 'no_production' });
      expect(initial).toMatchObject({ promoted: true, from: null, productionSeq: 1 });
      const second = await candidate(connection, 'second');
      await storeAuc(connection, second, [0.9, 0.88, 0.92]);
      const other = { ...base, dataFingerprint: 'd'.repeat(64) };
      await storeAuc(connection, second, [0.9, 0.88, 0.92], { fingerprint: other.dataFingerprint });
      const refused = await promote(connection, SCHEMA, second, {
        ...other,
        by: 'ana',
        now: clock(),
      });
      expect(refused.gate).toMatchObject({ passed: false, rule: 'production_unvalidated' });
    });
  });

  it('refuses a result without AUC figures, a draft, and production itself', async () => {
    await withProduction(async (connection, prod, clock) => {
      const odd = await candidate(connection, 'odd');
      await storeAuc(connection, odd, [0.8, 0.7, 0.9], { result: { auc: 'n/a' } });
      const result = await promote(connection, SCHEMA, odd, { ...base, by: 'ana', now: clock() });
      expect(result.gate).toMatchObject({ passed: false, rule: 'no_figures' });
      const draft = (
        await saveModel(connection, SCHEMA, model('draft'), { by: 'ana', now: clock() })
      ).hash;
      await storeAuc(connection, draft, [0.8, 0.7, 0.9]);
      await expect(
        promote(connection, SCHEMA, draft, { ...base, by: 'ana', now: clock() }),
      ).rejects.toThrow(
        `model ${draft.slice(0, 12)} is a draft; mark it candidate before promoting it`,
      );
      await expect(
        promote(connection, SCHEMA, prod, { ...base, by: 'ana', now: clock() }),
      ).rejects.toThrow(`model ${prod.slice(0, 12)} is already production`);
      await expect(
        promote(connection, SCHEMA, odd, { ...base, by: ' ', now: clock() }),
      ).rejects.toThrow('a production change needs to say who made it');
    });
  });

  it('lets an admin override a refusal only with a written reason, and records it', async () => {
    await withProduction(async (connection, prod, clock) => {
      const unvalidated = await candidate(connection, 'urgent');
      const options = { ...base, by: 'root', now: clock(), overrideGate: true };
      await expect(
        promote(connection, SCHEMA, unvalidated, {
          ...options,
          asAdmin: false,
          reason: 'the old model is broken',
        }),
      ).rejects.toThrow('only an admin may override the promotion gate');
      for (const reason of [undefined, '', '   ', 'too short']) {
        await expect(
          promote(connection, SCHEMA, unvalidated, { ...options, asAdmin: true, reason }),
        ).rejects.toThrow(
          'overriding the promotion gate needs a written reason of at least 10 characters',
        );
      }
      expect(await listAudit(connection, SCHEMA)).toHaveLength(1); // only the initial entry
      const { log, lines } = recordingLog();
      const result = await promote(connection, SCHEMA, unvalidated, {
        ...options,
        asAdmin: true,
        reason: '  the old model is broken on new plans  ',
        log,
      });
      expect(result).toMatchObject({
        promoted: true,
        overridden: true,
        from: prod,
        to: unvalidated,
      });
      expect(lines[0]).toMatchObject({ level: 'warn', message: 'model promoted, gate overridden' });
      const [audit] = await listAudit(connection, SCHEMA, { limit: 1 });
      expect(audit).toMatchObject({
        action: 'promote',
        by: 'root',
        reason: 'the old model is broken on new plans',
        gatePassed: false,
        overridden: true,
        productionSeq: result.productionSeq,
      });
      expect(audit!.figures).toMatchObject({ rule: 'unvalidated', passed: false });
    });
  });
});

describe('rollback and audit', () => {
  it('rolls back to the previous production model, step by step, never toggling', async () => {
    await withProduction(async (connection, prod, clock) => {
      const b = await candidate(connection, 'b');
      const c = await candidate(connection, 'c');
      await storeAuc(connection, b, [0.72, 0.68, 0.76]);
      await storeAuc(connection, c, [0.75, 0.71, 0.79]);
      await promote(connection, SCHEMA, b, { ...base, by: 'ana', reason: 'better', now: clock() });
      await promote(connection, SCHEMA, c, { ...base, by: 'ana', now: clock() });
      expect((await getModel(connection, SCHEMA, b))!.status).toBe('retired');
      expect(await rollbackTarget(connection, SCHEMA)).toEqual({ from: c, to: b });

      const first = await rollback(connection, SCHEMA, {
        by: 'ops',
        reason: 'alerts doubled',
        now: clock(),
      });
      expect(first).toMatchObject({ from: c, to: b });
      expect((await productionModel(connection, SCHEMA))!.hash).toBe(b);
      expect((await getModel(connection, SCHEMA, c))!.status).toBe('retired');
      expect((await getModel(connection, SCHEMA, b))!.status).toBe('production');

      const second = await rollback(connection, SCHEMA, { by: 'ops', now: clock() });
      expect(second).toMatchObject({ from: b, to: prod });
      await expect(rollback(connection, SCHEMA, { by: 'ops', now: clock() })).rejects.toThrow(
        'there is no earlier production model to roll back to',
      );
      expect((await productionLog(connection, SCHEMA)).map((e) => [e.action, e.hash])).toEqual([
        ['initial', prod],
        ['promote', b],
        ['promote', c],
        ['rollback', b],
        ['rollback', prod],
      ]);
      const audit = await listAudit(connection, SCHEMA);
      expect(audit.map((a) => [a.action, a.fromHash, a.toHash, a.reason])).toEqual([
        ['rollback', b, prod, ''],
        ['rollback', c, b, 'alerts doubled'],
        ['promote', b, c, ''],
        ['promote', prod, b, 'better'],
        ['initial', null, prod, 'shipped default model on a fresh state'],
      ]);
      // Promotions carry the figures they rested on; rollbacks and the initial entry none.
      expect(audit[3]!.figures).toMatchObject({
        passed: true,
        rule: 'production_interval',
        candidate: { hash: b, figures: { auc: 0.72, aucLow: 0.68, aucHigh: 0.76 } },
        production: { hash: prod, figures: { auc: 0.7, aucLow: 0.66, aucHigh: 0.74 } },
      });
      expect(audit[0]!.figures).toBeNull();
      expect(audit.map((a) => a.at)).toEqual([...audit.map((a) => a.at)].sort().reverse());
      expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
    });
  });

  it('keeps the production model out of direct status changes', async () => {
    await withProduction(async (connection, prod, clock) => {
      await expect(
        setStatus(connection, SCHEMA, prod, 'retired', { by: 'ana', now: clock() }),
      ).rejects.toThrow(
        `model ${prod.slice(0, 12)} is production; promote another model or roll back instead`,
      );
    });
  });

  it('upgrades a state database from before statuses and the audit log', async () => {
    const { dir, cleanup } = await tempDir('vitals-legacy-');
    const db = await openDatabase();
    try {
      await withConnection(db, async (connection) => {
        await connection.run(`ATTACH '${path.join(dir, 'vitals.duckdb')}' AS state`);
        // The tables and rows the registry wrote before this change.
        await connection.run(`CREATE TABLE state.models (hash VARCHAR NOT NULL, name VARCHAR NOT NULL,
          spec VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, created_by VARCHAR NOT NULL,
          derived_from VARCHAR)`);
        await connection.run(`CREATE TABLE state.production_log (seq BIGINT NOT NULL,
          model_hash VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, changed_by VARCHAR NOT NULL,
          reason VARCHAR NOT NULL, action VARCHAR NOT NULL)`);
        const old = model('old');
        const hash = modelHash(old);
        await connection.run(
          `INSERT INTO state.models VALUES ($hash, 'old', $spec, TIMESTAMP '2026-01-01 00:00:00', 'vitals', NULL)`,
          { hash, spec: canonicalJson(old) },
        );
        await connection.run(
          `INSERT INTO state.production_log VALUES (1, $hash, TIMESTAMP '2026-01-01 00:00:00', 'vitals', 'shipped default model on a fresh state', 'initial')`,
          { hash },
        );
        await ensureRegistry(connection, SCHEMA);
        await ensureRegistry(connection, SCHEMA);
        expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
        expect(await listAudit(connection, SCHEMA)).toEqual([
          {
            seq: 1,
            at: '2026-01-01T00:00:00Z',
            by: 'vitals',
            action: 'initial',
            fromHash: null,
            toHash: hash,
            reason: 'shipped default model on a fresh state',
            gatePassed: null,
            overridden: false,
            figures: null,
            productionSeq: 1,
          },
        ]);
        expect((await getModel(connection, SCHEMA, hash))!.status).toBe('production');
        // production_log got its key: a second row with seq 1 is refused.
        await expect(
          connection.run(`INSERT INTO state.production_log SELECT * FROM state.production_log`),
        ).rejects.toThrow('violates primary key constraint');
        // And it works as a registry from here on.
        const next = await candidate(connection, 'next');
        await storeAuc(connection, hash, [0.7, 0.66, 0.74]);
        await storeAuc(connection, next, [0.7, 0.66, 0.74]);
        const result = await promote(connection, SCHEMA, next, {
          ...base,
          by: 'ana',
          now: new Date(),
        });
        expect(result).toMatchObject({ promoted: true, from: hash, productionSeq: 2, auditSeq: 2 });
        expect((await getModel(connection, SCHEMA, hash))!.status).toBe('retired');
        expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
      });
    } finally {
      db.closeSync();
      await cleanup();
    }
  });

  it('checkRegistry names what disagrees', async () => {
    await withProduction(async (connection, prod) => {
      await connection.run(
        `INSERT INTO state.audit_log VALUES (99, now(), 'x', 'promote', $prod, $prod, '', true, false, NULL, 42)`,
        { prod },
      );
      await connection.run(
        `INSERT INTO state.production_log VALUES (2, 'ab', now(), 'x', '', 'promote')`,
      );
      expect(await checkRegistry(connection, SCHEMA)).toEqual([
        'production_log seq 2 names model ab, which is not saved',
        'production_log seq 2 has 0 audit rows (expected 1)',
        'audit seq 99 points at production_log seq 42, which does not match its action or does not exist',
      ]);
    });
  });
});

describe('concurrent production changes', () => {
  it('lets only one of two simultaneous promotions commit; the other changes nothing', async () => {
    await withState(async (state) => {
      const { connection } = state;
      const clock = ticking();
      const prod = (await ensureProduction(connection, SCHEMA, model('prod'), clock())).hash;
      const [b, c] = [await candidate(connection, 'b'), await candidate(connection, 'c')];
      for (const hash of [prod, b, c]) await storeAuc(connection, hash, [0.7, 0.66, 0.74]);
      let reached!: () => void;
      let release!: () => void;
      const atCommit = new Promise<void>((resolve) => (reached = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      // The first promotion has written everything and waits just before its COMMIT ...
      const first = promote(connection, SCHEMA, b, {
        ...base,
        by: 'ana',
        now: clock(),
        onStep: async (step) => {
          if (step !== 'statuses-written') return;
          reached();
          await held;
        },
      });
      await atCommit;
      // ... while a second connection promotes another model and commits.
      const other = await state.db.connect();
      try {
        const second = await promote(other, SCHEMA, c, { ...base, by: 'bo', now: clock() });
        expect(second).toMatchObject({ promoted: true, from: prod, to: c, productionSeq: 2 });
      } finally {
        other.closeSync();
      }
      release();
      await expect(first).rejects.toThrow(
        'another production change was committed at the same time; nothing was changed, try again',
      );
      expect((await productionModel(connection, SCHEMA))!.hash).toBe(c);
      expect((await getModel(connection, SCHEMA, b))!.status).toBe('candidate');
      expect((await listAudit(connection, SCHEMA)).map((a) => a.by)).toEqual(['bo', 'vitals']);
      expect(await checkRegistry(connection, SCHEMA)).toEqual([]);
    });
  });
});

describe('gate figures', () => {
  it('reads the AUC interval and a paired difference against the right model only', () => {
    const result = {
      auc: { estimate: 0.7, low: 0.6, high: 0.8 },
      pairedDiff: { against: 'abc', estimate: 0.01, low: -0.01, high: 0.03 },
      other: 'ignored',
    };
    expect(gateFigures(result, 'abc')).toEqual({
      auc: 0.7,
      aucLow: 0.6,
      aucHigh: 0.8,
      pairedDiff: { estimate: 0.01, low: -0.01, high: 0.03 },
    });
    expect(gateFigures(result, 'def')).toEqual({ auc: 0.7, aucLow: 0.6, aucHigh: 0.8 });
    expect(gateFigures({ auc: 0.7 }, null)).toBeNull();
    expect(gateFigures(null, null)).toBeNull();
  });

  it('decides at the boundary with a floating point allowance', () => {
    const side = (hash: string, auc: number, low: number) => ({
      hash,
      backtestKey: `k-${hash}`,
      backtestAt: null,
      figures: { auc, aucLow: low, aucHigh: auc + (auc - low) },
    });
    expect(decideGate(side('c', 0.66 - 1e-12, 0.6), side('p', 0.7, 0.66)).passed).toBe(true);
    expect(decideGate(side('c', 0.6599, 0.6), side('p', 0.7, 0.66)).passed).toBe(false);
  });
});
