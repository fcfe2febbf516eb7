import { tableFromIPC } from 'apache-arrow';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trendsResultSchema, type TrendsResult } from '../../lab/seasonality/index.ts';
import { buildTestApp, scoredDemoApp } from '../helpers/app.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';
const clock = () => new Date('2025-07-01T12:00:00Z');

/** Fails the test with the body when the status is not `status`. */
async function get(app: FastifyInstance, url: string, status = 200, accept?: string) {
  const reply = await app.inject({
    method: 'GET',
    url,
    ...(accept ? { headers: { accept } } : {}),
  });
  expect(reply.statusCode, reply.body.slice(0, 500)).toBe(status);
  return reply;
}

describe('GET /api/trends', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    ({ app } = await scoredDemoApp({ accounts: 120, days: 800, seed: 3, endDate: END }, { clock }));
  });
  afterAll(() => app.close());

  it('answers JSON: raw, trend, seasonals, remainder and adjusted per cohort', async () => {
    const reply = await get(app, '/api/trends?series=active_users&by=segment');
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    const result = trendsResultSchema.parse(reply.json());
    expect(result).toMatchObject({ series: 'active_users', by: 'segment', to: END });
    expect(result.cohorts.map((c) => c.cohort)).toEqual(['Enterprise', 'Mid-Market', 'SMB']);
    for (const cohort of result.cohorts) {
      expect(cohort.model).toBe('multiplicative');
      expect(cohort.periods).toEqual([7, 365]);
      expect(cohort.dates).toHaveLength(800);
      expect(cohort.trend).toHaveLength(800);
      expect(cohort.seasonals.map((s) => s.values.length)).toEqual([800, 800]);
      expect(cohort.accounts).toBeGreaterThan(0);
    }
  });

  it('takes from, to, periods and adjust', async () => {
    const cut = trendsResultSchema.parse(
      (
        await get(app, '/api/trends?series=logins&by=plan&from=2025-01-01&to=2025-03-31&periods=7')
      ).json(),
    );
    expect(cut).toMatchObject({ from: '2025-01-01', to: '2025-03-31' });
    for (const cohort of cut.cohorts) {
      expect(cohort.dates[0]).toBe('2025-01-01');
      expect(cohort.dates.at(-1)).toBe('2025-03-31');
      expect(cohort.periods).toEqual([7]);
    }
    const raw = trendsResultSchema.parse(
      (await get(app, '/api/trends?series=logins&by=plan&adjust=false')).json(),
    );
    for (const cohort of raw.cohorts) {
      expect(cohort).toMatchObject({ trend: null, remainder: null, seasonals: [], periods: [] });
      expect(cohort.adjusted).toEqual(cohort.raw);
    }
  });

  it('answers Arrow IPC in long format with the same values as the JSON', async () => {
    const url = '/api/trends?series=feature_events&by=region&from=2024-11-01';
    const json = trendsResultSchema.parse((await get(app, url)).json());
    const reply = await get(app, url, 200, 'application/vnd.apache.arrow.stream');
    expect(reply.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    expect(reply.headers['x-from']).toBe('2024-11-01');
    expect(reply.headers['x-to']).toBe(END);
    const table = tableFromIPC(reply.rawPayload);
    expect(table.schema.fields.map((f) => f.name)).toEqual([
      'cohort',
      'date',
      'raw',
      'trend',
      'seasonal_7',
      'seasonal_365',
      'remainder',
      'adjusted',
      'model',
    ]);
    const rows = table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
    expect(rows).toHaveLength(json.cohorts.reduce((n, c) => n + c.dates.length, 0));
    let i = 0;
    for (const cohort of json.cohorts) {
      cohort.dates.forEach((date, k) => {
        expect(rows[i]).toEqual({
          cohort: cohort.cohort,
          date,
          raw: cohort.raw[k],
          trend: cohort.trend![k],
          seasonal_7: cohort.seasonals[0]!.values[k],
          seasonal_365: cohort.seasonals[1]!.values[k],
          remainder: cohort.remainder![k],
          adjusted: cohort.adjusted[k],
          model: cohort.model,
        });
        i++;
      });
    }
  });

  it.each([
    ['/api/trends?series=logins&by=name', /^invalid request: \/by .*segment.*start_quarter/],
    ['/api/trends?series=logins', /^invalid request: \/by /],
    [
      '/api/trends?series=revenue&by=plan',
      /^unknown series "revenue": expected one of active_users, logins, feature_events, features_used, score, or signal:<name>/,
    ],
    [
      "/api/trends?series=signal:x'%20OR%201=1&by=plan",
      /^unknown series "signal:x' OR 1=1": expected one of/,
    ],
    [
      '/api/trends?series=signal:nothing_here&by=plan',
      /^the signals table has no rows for the signal "nothing_here"$/,
    ],
    ['/api/trends?series=logins&by=plan&sql=1', /^invalid request: .*sql/],
    ['/api/trends?series=logins&by=plan&periods=1', /^invalid request: \/periods/],
    ['/api/trends?series=logins&by=plan&adjust=maybe', /^invalid request: \/adjust/],
    ['/api/trends?series=logins&by=plan&to=2025-02-30', /^invalid request: \/to/],
  ])('400 for %s, with a message and no internals', async (url, message) => {
    const reply = await get(app, url, 400);
    const body = reply.json() as { error: string; message: string };
    expect(body.message).toMatch(message);
    expect(reply.body).not.toMatch(/SELECT|FROM |stack|\.ts:\d|at .*\(/);
  });

  it('decomposes the production score history, weekly, averaged per cohort', async () => {
    const { asOf } = (await get(app, '/api/portfolio')).json() as { asOf: string };
    const result: TrendsResult = trendsResultSchema.parse(
      (await get(app, '/api/trends?series=score&by=segment')).json(),
    );
    expect(result.to).toBe(asOf);
    const expected = await app.duckdb.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT a.segment, strftime(s.as_of, '%Y-%m-%d') AS d, avg(s.score) AS mean
         FROM ${app.state.schema}.scores s, accounts a
         WHERE a.account_id = s.account_id AND s.score IS NOT NULL
         GROUP BY ALL ORDER BY a.segment, d`,
      );
      return reader.getRowObjectsJS() as { segment: string; d: string; mean: number }[];
    });
    expect(result.cohorts.map((c) => c.cohort)).toEqual(['Enterprise', 'Mid-Market', 'SMB']);
    for (const cohort of result.cohorts) {
      const rows = expected.filter((row) => row.segment === cohort.cohort);
      expect(cohort.dates).toEqual(rows.map((row) => row.d));
      cohort.raw.forEach((value, k) => expect(value).toBeCloseTo(rows[k]!.mean, 9));
      const steps = cohort.dates
        .slice(1)
        .map((d, k) => Date.parse(d) - Date.parse(cohort.dates[k]!));
      expect(new Set(steps)).toEqual(new Set([7 * 86_400_000]));
      expect(cohort.model).toBe('additive');
      // 800 days less the 90-day warm-up hold 102 weekly scores: too few for a yearly period.
      expect(cohort.dates).toHaveLength(102);
      expect(cohort.note).toBe(
        '102 weekly scores are too few for a yearly period: more than 104 weeks are needed',
      );
      expect(cohort.adjusted).toEqual(cohort.raw);
    }
    const withPeriod = trendsResultSchema.parse(
      (await get(app, '/api/trends?series=score&by=segment&periods=13')).json(),
    );
    for (const cohort of withPeriod.cohorts) {
      expect(cohort.periods).toEqual([13]);
      cohort.raw.forEach((raw, k) => {
        const sum = cohort.trend![k]! + cohort.seasonals[0]!.values[k]! + cohort.remainder![k]!;
        expect(Math.abs(sum - raw!)).toBeLessThan(1e-9);
      });
    }
  });
});

describe('GET /api/trends?series=score before any scores', () => {
  it('is a 503 that says why', async () => {
    const folder = await demoFolder({ accounts: 30, days: 200, seed: 4, endDate: END });
    const app = await buildTestApp(folder.dir, { SCORE_ON_START: 'false' }, { clock });
    try {
      const reply = await get(app, '/api/trends?series=score&by=plan', 503);
      expect(reply.json()).toMatchObject({
        error: 'no_scores_yet',
        message: 'no scores yet: the production model has not scored the data',
      });
      // Usage trends do not need scores.
      await get(app, '/api/trends?series=logins&by=plan');
    } finally {
      await app.close();
      await folder.cleanup();
    }
  });
});
