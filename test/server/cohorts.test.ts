import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cohortReplySchema, type CohortReply, shiftDate } from '../../lab/history/index.ts';
import { COHORT_FIELDS, type CohortField } from '../../lab/seasonality/index.ts';
import { buildTestApp, getJson } from '../helpers/app.ts';
import { demoFolder } from '../lab/validate/demo-data.ts';

const END = '2025-06-30';
const clock = () => new Date('2025-07-01T12:00:00Z');

interface Profile {
  account_id: string;
  segment: string;
  plan: string;
  region: string;
  industry: string;
  owner: string;
  arr: number;
  start_date: string;
}
interface ScoreRow {
  account_id: string;
  as_of: string;
  score: number | null;
  band: string | null;
}

async function sqlRows<T>(app: FastifyInstance, sql: string): Promise<T[]> {
  return app.duckdb.withConnection(async (connection) => {
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as T[];
  });
}

function cohortOf(profile: Profile, by: CohortField): string {
  if (by !== 'start_quarter') return profile[by];
  const month = Number(profile.start_date.slice(5, 7));
  return `${profile.start_date.slice(0, 4)}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** `actual` is null exactly when `expected` is, and otherwise close to it. */
function expectClose(
  actual: number | null,
  expected: number | null,
  digits: number,
  label: string,
) {
  if (expected === null) expect(actual, label).toBeNull();
  else expect(actual, label).toBeCloseTo(expected, digits);
}

const mean = (values: number[]) =>
  values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;

describe('GET /api/cohorts', () => {
  let folder: Awaited<ReturnType<typeof demoFolder>>;
  let app: FastifyInstance;
  let profiles: Profile[];
  let churns: { account_id: string; event_date: string }[];
  let scores: ScoreRow[];
  let asOf: string;

  beforeAll(async () => {
    folder = await demoFolder({ accounts: 300, days: 600, seed: 5, endDate: END });
    app = await buildTestApp(folder.dir, {}, { clock });
    await app.ready();
    await app.scoring.idle();
    profiles = await sqlRows(
      app,
      `SELECT account_id, segment, plan, region, industry, owner, arr,
         strftime(start_date, '%Y-%m-%d') AS start_date FROM state.account_profiles`,
    );
    churns = await sqlRows(
      app,
      `SELECT account_id, strftime(event_date, '%Y-%m-%d') AS event_date FROM outcomes
       WHERE event = 'churned'`,
    );
    scores = await sqlRows(
      app,
      `SELECT account_id, strftime(as_of, '%Y-%m-%d') AS as_of, score, band FROM state.scores`,
    );
    asOf = scores
      .map((row) => row.as_of)
      .sort()
      .at(-1)!;
  });
  afterAll(async () => {
    await app.close();
    await folder.cleanup();
  });

  /** Started on or before `date` and no churn event on or before it. */
  const activeAt = (profile: Profile, date: string) =>
    profile.start_date <= date &&
    !churns.some((c) => c.account_id === profile.account_id && c.event_date <= date);
  /** Accounts with a churn event in [from, to]. */
  const churnedIn = (from: string, to: string) =>
    new Set(
      churns.filter((c) => c.event_date >= from && c.event_date <= to).map((c) => c.account_id),
    );

  it('gives accounts, ARR, average score, share red and 12-month churn per cohort', async () => {
    const yearAgo = shiftDate(asOf, -365);
    const now = new Map(
      scores.filter((row) => row.as_of === asOf).map((row) => [row.account_id, row]),
    );
    const churnedYear = churnedIn(shiftDate(yearAgo, 1), asOf);
    expect(churnedYear.size).toBeGreaterThan(0);
    for (const by of COHORT_FIELDS) {
      const body: CohortReply = cohortReplySchema.parse(
        await getJson(app, `/api/cohorts?by=${by}`),
      );
      expect(body).toMatchObject({ asOf, by, unavailable: [] });
      const groups = new Map<string, Profile[]>();
      for (const profile of profiles) {
        const key = cohortOf(profile, by);
        groups.set(key, [...(groups.get(key) ?? []), profile]);
      }
      const expected = [...groups.entries()]
        .map(([cohort, members]) => {
          const active = members.filter((p) => now.has(p.account_id));
          const scored = active.map((p) => now.get(p.account_id)!).filter((s) => s.score !== null);
          const base = members.filter((p) => activeAt(p, yearAgo)).length;
          const churned = members.filter((p) => churnedYear.has(p.account_id)).length;
          return {
            cohort,
            accounts: active.length,
            arr: active.reduce((sum, p) => sum + p.arr, 0),
            averageScore: mean(scored.map((s) => s.score!)),
            shareRed:
              scored.length === 0
                ? null
                : scored.filter((s) => s.band === 'red').length / scored.length,
            activeYearAgo: base,
            churned12m: churned,
            churnRate12m: base === 0 ? null : churned / base,
          };
        })
        .filter((c) => c.accounts > 0 || c.activeYearAgo > 0 || c.churned12m > 0)
        .sort((a, b) => (a.cohort < b.cohort ? -1 : 1));
      expect(
        body.cohorts.map((c) => c.cohort),
        by,
      ).toEqual(expected.map((c) => c.cohort));
      for (const [i, got] of body.cohorts.entries()) {
        const want = expected[i]!;
        const label = `${by} ${want.cohort}`;
        expect(got.accounts, label).toBe(want.accounts);
        expect(got.arr, label).toBeCloseTo(want.arr, 6);
        expectClose(got.averageScore, want.averageScore, 9, label);
        expectClose(got.shareRed, want.shareRed, 12, label);
        expect(got.activeYearAgo, label).toBe(want.activeYearAgo);
        expect(got.churned12m, label).toBe(want.churned12m);
        expectClose(got.churnRate12m, want.churnRate12m, 12, label);
      }
      expect(body.cohorts.reduce((sum, c) => sum + c.accounts, 0)).toBe(now.size);
    }
  });

  it('gives each cohort month by month: average at the last scored date, churn and its rate', async () => {
    const dates = [...new Set(scores.map((row) => row.as_of))].sort();
    for (const by of ['segment', 'start_quarter'] as const) {
      const body = cohortReplySchema.parse(await getJson(app, `/api/cohorts?by=${by}&months=6`));
      const months = Array.from({ length: 6 }, (_, i) => {
        const d = new Date(Date.UTC(Number(asOf.slice(0, 4)), Number(asOf.slice(5, 7)) - 6 + i, 1));
        return d.toISOString().slice(0, 10);
      });
      expect(body.months).toHaveLength(body.cohorts.length * 6);
      let churnedTotal = 0;
      for (const { cohort } of body.cohorts) {
        const members = profiles.filter((p) => cohortOf(p, by) === cohort);
        const ids = new Set(members.map((p) => p.account_id));
        const rows = body.months.filter((row) => row.cohort === cohort);
        expect(rows.map((row) => `${row.month}-01`)).toEqual(months);
        for (const [i, row] of rows.entries()) {
          const first = months[i]!;
          const next = months[i + 1] ?? '9999-12-31';
          const last = shiftDate(next, -1) < asOf ? shiftDate(next, -1) : asOf;
          const scoredOn = dates.filter((d) => d >= first && d <= last).at(-1) ?? null;
          const at = scores.filter((s) => s.as_of === scoredOn && ids.has(s.account_id));
          const label = `${by} ${cohort} ${row.month}`;
          expect(row.scoredOn, label).toBe(scoredOn);
          expect(row.accounts, label).toBe(at.length);
          const average = mean(at.filter((s) => s.score !== null).map((s) => s.score!));
          expectClose(row.averageScore, average, 9, label);
          const base = members.filter((p) => activeAt(p, shiftDate(first, -1))).length;
          const churned = [...churnedIn(first, last)].filter((id) => ids.has(id)).length;
          churnedTotal += churned;
          expect(row.activeAtStart, label).toBe(base);
          expect(row.churned, label).toBe(churned);
          expect(row.churnRate, label).toBe(base === 0 ? null : churned / base);
        }
      }
      expect(churnedTotal).toBeGreaterThan(0);
    }
  });

  it('takes 1 to 36 months, 12 by default', async () => {
    const byDefault = cohortReplySchema.parse(await getJson(app, '/api/cohorts'));
    expect(byDefault.by).toBe('segment');
    expect(byDefault.months).toHaveLength(byDefault.cohorts.length * 12);
    const longest = cohortReplySchema.parse(await getJson(app, '/api/cohorts?by=plan&months=36'));
    expect(longest.months).toHaveLength(longest.cohorts.length * 36);
    // Months before the first scored date have churn figures but no scores.
    expect(longest.months[0]).toMatchObject({ scoredOn: null, averageScore: null, accounts: 0 });
  });

  it('refuses bad input with a clear message', async () => {
    for (const [url, message] of [
      ['/api/cohorts?by=name', /\/by Invalid option: expected one of "segment"\|"plan"/],
      ['/api/cohorts?by=segment;DROP TABLE x', /\/by Invalid option/],
      ['/api/cohorts?months=37', /\/months Too big/],
      ['/api/cohorts?months=0', /\/months Too small/],
      ['/api/cohorts?months=two', /\/months/],
      ['/api/cohorts?by=segment&sort=arr', /Unrecognized key: "sort"/],
    ] as const) {
      const reply = await getJson(app, url, 400);
      expect(reply.message, url).toMatch(message);
      expect(reply.message, url).not.toMatch(/SELECT|DuckDB|\.ts:\d+/);
    }
  });

  // Last: it breaks the data folder.
  it('keeps the health figures and says churn is unavailable when outcomes cannot be read', async () => {
    const before = cohortReplySchema.parse(await getJson(app, '/api/cohorts?months=2'));
    await writeFile(path.join(folder.dir, 'outcomes.parquet'), 'truncated garbage');
    await app.data.refresh();
    const after = cohortReplySchema.parse(await getJson(app, '/api/cohorts?months=2'));
    expect(after.unavailable).toEqual(['outcomes']);
    expect(
      after.cohorts.map(({ cohort, accounts, arr, averageScore }) => ({
        cohort,
        accounts,
        arr,
        averageScore,
      })),
    ).toEqual(
      before.cohorts.map(({ cohort, accounts, arr, averageScore }) => ({
        cohort,
        accounts,
        arr,
        averageScore,
      })),
    );
    for (const cohort of after.cohorts) {
      expect(cohort).toMatchObject({ activeYearAgo: null, churned12m: null, churnRate12m: null });
    }
    for (const month of after.months) {
      expect(month).toMatchObject({ activeAtStart: null, churned: null, churnRate: null });
    }
  });
});
