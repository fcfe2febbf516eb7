import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';
import fp from 'fastify-plugin';
import {
  datesBack,
  earliestDataDate,
  latestDataDate,
  accountCount,
  backfillScores,
  batchSizeFor,
  scoredDates,
  shiftDate,
  storeAccountProfiles,
  WARM_UP_DAYS,
  type ScoreRunResult,
} from '../../lab/history/index.ts';
import { defaultModels } from '../../lab/model/defaults.ts';
import { ensureProduction } from '../../lab/registry/index.ts';

export interface ScoringStatus {
  running: boolean;
  lastRun: (ScoreRunResult & { asOf: string[]; finishedAt: string }) | null;
  /** Why the last attempt did not score; cleared by the next success. */
  lastError: string | null;
}

export interface ProductionScoring {
  readonly status: ScoringStatus;
  /** Re-checks DATA_DIR and scores the latest data date with the production model if missing. */
  refreshAndScore(trigger: string): Promise<void>;
  /** Scores the given dates with the production model (replacing what was there). */
  scoreDates(asOf: string[], trigger: string): Promise<ScoreRunResult>;
  /** Resolves when no scoring work is queued. */
  idle(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    scoring: ProductionScoring;
  }
}

export interface ScoringOptions {
  clock: () => Date;
  cron: string;
  onStart: boolean;
  /** Score rows per backfill batch (each batch commits at once). */
  batchRows: number;
}

/** Weekly history is backfilled on a fresh state so trends have data from the first day. */
const BACKFILL_EVERY_DAYS = 7;

/**
 * Production scoring: on start (if missing) and then on SCORE_CRON, the production model scores
 * every active account as of the latest data date, into the score history. Work is queued so
 * that two runs never overlap; a run on data with errors is refused and the last good scores
 * stay in place.
 */
export default fp<ScoringOptions>(
  async (app, { clock, cron, onStart, batchRows }) => {
    const status: ScoringStatus = { running: false, lastRun: null, lastError: null };
    let queue: Promise<unknown> = Promise.resolve();
    const log: FastifyBaseLogger = app.log.child({ job: 'scoring' });

    const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
      const next = queue.then(async () => {
        status.running = true;
        try {
          return await work();
        } finally {
          status.running = false;
        }
      });
      queue = next.catch(() => undefined);
      return next;
    };

    const score = (asOf: string[], trigger: string) =>
      app.duckdb.withConnection(async (connection) => {
        const now = clock();
        const production = await ensureProduction(
          connection,
          app.state.schema,
          defaultModels()[0]!,
          now,
        );
        const result = await backfillScores(connection, app.state.schema, {
          model: production.model,
          asOf,
          tables: app.data.tables,
          trigger,
          now: clock,
          batchDates: batchSizeFor(await accountCount(connection), batchRows),
          onBatch: (done, total) => {
            app.serving.invalidate('scores stored');
            if (total > 1) log.info({ trigger, done, total }, 'scoring dates');
          },
        });
        await storeAccountProfiles(connection, app.state.schema);
        app.serving.invalidate('account profiles stored');
        status.lastRun = { ...result, asOf, finishedAt: clock().toISOString() };
        status.lastError = null;
        log.info(
          { trigger, dates: result.dates, accounts: result.accounts, seconds: result.seconds },
          'scores stored',
        );
        return result;
      });

    const dataProblem = () => {
      const { ok, errors } = app.data.report;
      return ok ? null : `the data check found ${errors} error(s); see /api/data/status`;
    };

    const scoreIfMissing = async (trigger: string) => {
      const problem = dataProblem();
      if (problem) {
        status.lastError = `scoring skipped: ${problem}; the last good scores stay in place`;
        log.warn({ trigger }, status.lastError);
        return;
      }
      const plan = await app.duckdb.withConnection(async (connection) => {
        const today = clock().toISOString().slice(0, 10);
        const production = await ensureProduction(
          connection,
          app.state.schema,
          defaultModels()[0]!,
          clock(),
        );
        const latest = await latestDataDate(connection, app.data.tables, today);
        if (!latest) return [];
        const done = await scoredDates(connection, app.state.schema, production.hash);
        if (done.includes(latest)) return [];
        // History starts once metric windows are full (or at the latest date on short data).
        const earliest = (await earliestDataDate(connection, app.data.tables)) ?? latest;
        const start = shiftDate(earliest, WARM_UP_DAYS);
        const history = datesBack(start < latest ? start : latest, latest, BACKFILL_EVERY_DAYS);
        // Scores only on these dates are a backfill cut short (a crash): finish it. Otherwise
        // the history is there from earlier runs and only the latest date is new.
        const backfilled = new Set(history);
        if (done.every((date) => backfilled.has(date))) {
          return history.filter((date) => !done.includes(date));
        }
        return [latest];
      });
      if (plan.length > 0) await score(plan, trigger);
      // Account pages are served from cards of the newest scores; write them now, not on first use.
      if (plan.length > 0 || app.scoring.status.lastRun === null) void app.serving.cardsReady();
    };

    const fail = (trigger: string) => (error: unknown) => {
      status.lastError = `scoring failed: ${error instanceof Error ? error.message : String(error)}`;
      log.error({ trigger, errorMessage: status.lastError }, 'scoring failed');
    };

    const scoring: ProductionScoring = {
      status,
      refreshAndScore: (trigger) =>
        enqueue(async () => {
          await app.data.refresh();
          await scoreIfMissing(trigger);
        }).catch(fail(trigger)),
      scoreDates: (asOf, trigger) => enqueue(() => score(asOf, trigger)),
      idle: () => queue.then(() => undefined),
    };
    app.decorate('scoring', scoring);

    const job = new Cron(cron, { paused: true, protect: true, timezone: 'UTC' }, () =>
      scoring.refreshAndScore('schedule'),
    );
    app.addHook('onReady', async () => {
      job.resume();
      if (onStart) void enqueue(() => scoreIfMissing('start')).catch(fail('start'));
    });
    app.addHook('onClose', async () => {
      job.stop();
      await scoring.idle();
    });
  },
  { name: 'scoring', dependencies: ['duckdb', 'data', 'state', 'serving'] },
);
