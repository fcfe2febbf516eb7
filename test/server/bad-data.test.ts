// Bad data at runtime: an export replaced between runs by a truncated file, one with a column
// dropped, or one with a column's type changed. The scoring run fails with a clear report, the
// last good scores keep being served, and the data status names the problem.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, tempDir } from '../helpers/app.ts';
import { GOOD_SQL, GOOD_TODAY, goodDataset, writeTable } from '../helpers/parquet.ts';

const clock = () => new Date(`${GOOD_TODAY}T12:00:00Z`);

interface Problem {
  code: string;
  table: string;
  column?: string | null;
}

const DEFECTS = [
  {
    name: 'a truncated file',
    code: 'unreadable_file',
    column: null,
    apply: (dir: string) => writeFile(path.join(dir, 'usage_daily.parquet'), 'PAR1 cut short'),
  },
  {
    name: 'a column dropped',
    code: 'missing_column',
    column: 'logins',
    apply: (dir: string) =>
      writeTable(dir, 'usage_daily', `SELECT * EXCLUDE (logins) FROM (${GOOD_SQL.usage_daily})`),
  },
  {
    name: "a column's type changed",
    code: 'wrong_type',
    column: 'active_users',
    apply: (dir: string) =>
      writeTable(
        dir,
        'usage_daily',
        `SELECT * REPLACE ('many' AS active_users) FROM (${GOOD_SQL.usage_daily})`,
      ),
  },
] as const;

describe('an export that goes bad between scoring runs', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it.each(DEFECTS)(
    '$name: the run fails with a report, the last good scores stay',
    async (defect) => {
      const data = await tempDir();
      cleanups.push(data.cleanup);
      await goodDataset(data.dir);
      const app = await buildTestApp(data.dir, {}, { clock });
      cleanups.push(() => app.close());
      await app.ready();
      await app.scoring.idle();
      const list = async () => {
        const reply = await app.inject({ method: 'GET', url: '/api/accounts?pageSize=1000' });
        expect(reply.statusCode).toBe(200);
        return reply.json<{ asOf: string; rows: unknown[] }>();
      };
      const before = await list();
      expect(before.rows.length).toBeGreaterThan(0);

      await defect.apply(data.dir);
      await app.scoring.refreshAndScore('test');

      expect(app.scoring.status.lastError).toMatch(/data check found \d+ error/);
      expect(await list()).toEqual(before);
      const status = (await app.inject({ method: 'GET', url: '/api/data/status' })).json<{
        problems: Problem[];
      }>();
      const found = status.problems.find(
        (problem) => problem.code === defect.code && problem.table === 'usage_daily',
      );
      expect(found, JSON.stringify(status.problems)).toBeDefined();
      if (defect.column) expect(found!.column).toBe(defect.column);
    },
  );
});
