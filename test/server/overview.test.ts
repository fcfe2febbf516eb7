import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adjustWeekly,
  overviewReplySchema,
  weeklyPicks,
  type OverviewReply,
  shiftDate,
} from '../../lab/history/index.ts';
import { buildTestApp, getJson } from '../helpers/app.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';
const clock = () => new Date('2025-07-01T12:00:00Z');

interface AccountRow {
  account_id: string;
  name: string;
  segment: string;
  owner: string;
  arr: number;
  renewal_date: string;
  score: number | null;
  band: string | null;
  score_change_30d: number | null;
}

interface PortfolioPoint {
  asOf: string;
  accounts: number;
  averageScore: number | null;
  bands: Record<'red' | 'yellow' | 'green', { accounts: number; arr: number }>;
}

async function sqlRows<T>(app: FastifyInstance, sql: string): Promise<T[]> {
  return app.duckdb.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  });
}

describe('GET /api/overview', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;
  let app: FastifyInstance;
  let body: OverviewReply;
  let accounts: AccountRow[];
  let series: PortfolioPoint[];

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 300, days: 600, seed: 11, endDate: END });
    app = await buildTestApp(folder.dir, {}, { clock });
    await app.ready();
    await app.scoring.idle();
    body = overviewReplySchema.parse(await getJson(app, '/api/overview'));
    accounts = (await getJson(app, '/api/accounts?pageSize=100000')).rows;
    series = (await getJson(app, '/api/portfolio')).series;
  });
  afterAll(async () => {
    await app.close();
    await folder.cleanup();
  });

  it('is as of the newest scored date, compared with the newest at least 30 days earlier', () => {
    const dates = series.map((point) => point.asOf);
    expect(body.asOf).toBe(dates.at(-1));
    const expected = dates.filter((date) => date <= shiftDate(body.asOf, -30)).at(-1);
    expect(expected).toBeDefined();
    expect(body.previousAsOf).toBe(expected);
  });

  it('totals accounts and ARR by band now and at the previous date', async () => {
    const now = { red: [0, 0], yellow: [0, 0], green: [0, 0], unscored: [0, 0] };
    for (const row of accounts) {
      const key = row.score === null ? 'unscored' : (row.band as 'red' | 'yellow' | 'green');
      now[key][0]! += 1;
      now[key][1]! += row.arr;
    }
    for (const [band, [count, arr]] of Object.entries(now)) {
      const got = body.bands.now[band as keyof typeof now];
      expect(got.accounts, band).toBe(count);
      expect(got.arr, band).toBeCloseTo(arr!, 6);
    }
    expect(now.red[0]).toBeGreaterThan(0);

    const previous = await sqlRows<{ band: string; n: number; arr: number }>(
      app,
      `SELECT coalesce(s.band, 'unscored') AS band, count(*)::INTEGER AS n, sum(p.arr) AS arr
       FROM state.scores s JOIN state.account_profiles p ON p.account_id = s.account_id
       WHERE s.as_of = DATE '${body.previousAsOf}' GROUP BY 1`,
    );
    expect(previous.length).toBeGreaterThan(0);
    for (const band of ['red', 'yellow', 'green', 'unscored'] as const) {
      const row = previous.find((r) => r.band === band);
      expect(body.bands.previous?.[band].accounts, band).toBe(row?.n ?? 0);
      expect(body.bands.previous?.[band].arr, band).toBeCloseTo(row?.arr ?? 0, 6);
    }
  });

  it('bins scores by 5 points and band; the bins hold every scored account', () => {
    expect(body.distribution).toHaveLength(20);
    expect(body.distribution.map((bin) => [bin.from, bin.to])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i * 5, i * 5 + 5]),
    );
    const scored = accounts.filter((row) => row.score !== null);
    for (const [i, bin] of body.distribution.entries()) {
      const inBin = scored.filter((row) => Math.min(Math.floor(row.score! / 5), 19) === i);
      expect(bin.accounts, `bin ${i}`).toBe(inBin.length);
      for (const band of ['red', 'yellow', 'green'] as const) {
        expect(bin[band], `bin ${i} ${band}`).toBe(inBin.filter((r) => r.band === band).length);
      }
      expect(bin.red + bin.yellow + bin.green).toBe(bin.accounts);
    }
    expect(body.distribution.reduce((sum, bin) => sum + bin.accounts, 0)).toBe(scored.length);
  });

  it('lists exactly the red accounts renewing within 90 days, by ARR', () => {
    const until = shiftDate(body.asOf, 90);
    const expected = accounts
      .filter(
        (row) => row.band === 'red' && row.renewal_date >= body.asOf && row.renewal_date <= until,
      )
      .sort((a, b) => b.arr - a.arr || a.account_id.localeCompare(b.account_id));
    expect(expected.length).toBeGreaterThan(0);
    expect(body.atRisk.accounts).toBe(expected.length);
    expect(body.atRisk.arr).toBeCloseTo(
      expected.reduce((sum, row) => sum + row.arr, 0),
      6,
    );
    expect(body.atRisk.rows).toEqual(
      expected.slice(0, 50).map((row) => ({
        account_id: row.account_id,
        name: row.name,
        segment: row.segment,
        arr: row.arr,
        renewal_date: row.renewal_date,
        score: row.score,
        owner: row.owner,
      })),
    );
  });

  it('names the ten largest drops and gains since the previous date', () => {
    const changed = accounts.filter((row) => row.score_change_30d !== null);
    const drops = changed
      .filter((row) => row.score_change_30d! < 0)
      .sort((a, b) => a.score_change_30d! - b.score_change_30d!)
      .slice(0, 10);
    const gains = changed
      .filter((row) => row.score_change_30d! > 0)
      .sort((a, b) => b.score_change_30d! - a.score_change_30d!)
      .slice(0, 10);
    expect(drops).toHaveLength(10);
    expect(gains).toHaveLength(10);
    for (const [got, want] of [
      [body.movers.drops, drops],
      [body.movers.gains, gains],
    ] as const) {
      expect(got.map((row) => row.account_id)).toEqual(want.map((row) => row.account_id));
      for (const [i, row] of got.entries()) {
        expect(row.change).toBeCloseTo(want[i]!.score_change_30d!, 9);
        expect(row.score).toBe(want[i]!.score);
        expect(row.previous).toBeCloseTo(want[i]!.score! - want[i]!.score_change_30d!, 9);
      }
    }
  });

  it('trends the portfolio average weekly; too short a history gets no adjustment', () => {
    expect(body.trend.raw.map((point) => point.asOf)).toEqual(series.map((point) => point.asOf));
    for (const [i, point] of body.trend.raw.entries()) {
      const portfolio = series[i]!;
      expect(point.accounts).toBe(portfolio.accounts);
      expect(point.averageScore).toBeCloseTo(portfolio.averageScore!, 9);
      const { red, yellow, green } = portfolio.bands;
      expect(point.shareRed).toBeCloseTo(
        red.accounts / (red.accounts + yellow.accounts + green.accounts),
        12,
      );
    }
    expect(body.trend.raw.length).toBeLessThanOrEqual(104);
    expect(body.trend.adjusted).toBeNull();
    expect(body.trend.adjustment).toMatch(/^under two years of weekly history/);
  });

  it('answers as of an earlier date: the newest scored date on or before it', async () => {
    const target = series[20]!;
    const earlier = overviewReplySchema.parse(
      await getJson(app, `/api/overview?asOf=${shiftDate(target.asOf, 3)}`),
    );
    expect(earlier.asOf).toBe(target.asOf);
    for (const band of ['red', 'yellow', 'green'] as const) {
      expect(earlier.bands.now[band].accounts).toBe(target.bands[band].accounts);
      expect(earlier.bands.now[band].arr).toBeCloseTo(target.bands[band].arr, 6);
    }
    expect(earlier.trend.raw.at(-1)?.asOf).toBe(target.asOf);
    expect(earlier.trend.raw).toHaveLength(21);
    expect(earlier.previousAsOf).toBe(
      series.filter((point) => point.asOf <= shiftDate(target.asOf, -30)).at(-1)?.asOf,
    );
  });

  it('refuses bad input with a clear message', async () => {
    for (const [url, message] of [
      ['/api/overview?asOf=2025-02-30', /asOf not a calendar date/],
      ['/api/overview?asOf=yesterday', /asOf expected a date as YYYY-MM-DD/],
      ['/api/overview?as_of=2025-01-01', /Unrecognized key/],
      ['/api/overview?asOf=2000-01-01', /no scores on or before 2000-01-01/],
    ] as const) {
      const reply = await getJson(app, url, 400);
      expect(reply.message, url).toMatch(message);
      expect(reply.message, url).not.toMatch(/SELECT|DuckDB|\.ts:\d+/);
    }
  });

  it('answers 503 while nothing is scored', async () => {
    const idle = await buildTestApp(folder.dir, { SCORE_ON_START: 'false' }, { clock });
    try {
      await idle.ready();
      for (const url of ['/api/overview', '/api/cohorts', '/api/accounts/ACC-000001']) {
        const reply = await idle.inject({ method: 'GET', url });
        expect(reply.statusCode, url).toBe(503);
        expect(reply.json().error).toBe('no_scores_yet');
      }
    } finally {
      await idle.close();
    }
  });

  // Last: it adds a scored date to the history.
  it('keeps one point a week when a scheduled run adds a date within the week', async () => {
    const weekly = series.map((point) => point.asOf);
    const extra = shiftDate(body.asOf, -2);
    await app.scoring.scoreDates([extra], 'test');
    const latest = overviewReplySchema.parse(await getJson(app, '/api/overview'));
    expect(latest.trend.raw.map((point) => point.asOf)).toEqual(weekly);
    const atExtra = overviewReplySchema.parse(await getJson(app, `/api/overview?asOf=${extra}`));
    expect(atExtra.asOf).toBe(extra);
    // Within the week ending at the extra date, it is newer than the weekly date it shares it with.
    expect(atExtra.trend.raw.map((point) => point.asOf)).toEqual([...weekly.slice(0, -2), extra]);
  });
});

describe('adjustWeekly', () => {
  const start = '2022-01-03';
  const weekly = (n: number, value: (t: number) => number | null) =>
    Array.from({ length: n }, (_, t) => ({
      asOf: shiftDate(start, 7 * t),
      week: t,
      averageScore: value(t),
    }));
  const trend = (t: number) => 60 + 0.03 * t;
  const yearly = (t: number) =>
    6 * Math.sin((2 * Math.PI * t) / 52) + 2 * Math.cos((4 * Math.PI * t) / 52);

  it('removes a known yearly pattern from 160 weekly points', () => {
    const points = weekly(160, (t) => trend(t) + yearly(t));
    const { adjusted, adjustment } = adjustWeekly(points);
    expect(adjustment).toMatch(/additive MSTL, period 52 weeks, over 160 weekly points/);
    expect(adjusted).toHaveLength(160);
    const residual = adjusted!.map((point, t) => point.averageScore - trend(t));
    // The pattern swings by about +-7 points; what is left of it is under 0.2.
    expect(Math.max(...residual.map(Math.abs))).toBeLessThan(0.2);
    const fitSin = residual.reduce((s, r, t) => s + r * Math.sin((2 * Math.PI * t) / 52), 0) / 80;
    expect(Math.abs(fitSin)).toBeLessThan(0.1);
    expect(adjusted!.map((point) => point.asOf)).toEqual(points.map((point) => point.asOf));
  });

  it('fills a missing week for the fit and reports no value for it', () => {
    const points = weekly(160, (t) => trend(t) + yearly(t)).filter((_, t) => t !== 70);
    const { adjusted, adjustment } = adjustWeekly(points);
    expect(adjustment).toMatch(/1 weeks without scores interpolated/);
    expect(adjusted).toHaveLength(159);
    for (const [i, point] of adjusted!.entries()) {
      const t = i < 70 ? i : i + 1;
      expect(Math.abs(point.averageScore - trend(t))).toBeLessThan(0.3);
    }
  });

  it('picks the newest scored date of each week ending at asOf', () => {
    const mondays = Array.from({ length: 4 }, (_, t) => shiftDate('2025-01-06', 7 * t));
    const dates = [...mondays, '2025-01-28', '2025-01-29', '2025-01-30'];
    expect([...weeklyPicks(dates, '2025-01-30')]).toEqual([
      ['2025-01-06', 0],
      ['2025-01-13', 1],
      ['2025-01-20', 2],
      ['2025-01-30', 3],
    ]);
    // A week without a scored date leaves a gap on the grid.
    expect([...weeklyPicks(['2025-01-06', '2025-01-20'], '2025-01-20')]).toEqual([
      ['2025-01-06', 0],
      ['2025-01-20', 2],
    ]);
    expect(weeklyPicks(dates, '2025-01-01').size).toBe(0);
  });

  it('needs more than 104 weekly points', () => {
    const result = adjustWeekly(weekly(104, (t) => trend(t) + yearly(t)));
    expect(result.adjusted).toBeNull();
    expect(result.adjustment).toBe(
      'under two years of weekly history: 104 weekly points, more than 104 are needed for a yearly seasonal',
    );
    expect(adjustWeekly([]).adjusted).toBeNull();
  });
});
