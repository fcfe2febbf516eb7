// The dashboards in real Chromium against the real server on scored demo data: every route
// loads without console errors and draws its charts; movers open their account; an account's
// contributions add up to its score; the accounts table filters, sorts and exports exactly what
// it shows.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureWebBuild,
  generateDemoData,
  launchBrowser,
  openPage,
  screenshot,
  startServer,
  tempDir,
  type PageSession,
  type TestServer,
} from './helpers.ts';

interface AccountRow {
  account_id: string;
  name: string;
  segment: string;
  arr: number;
  score: number | null;
  band: string | null;
}

let browser: Browser;
let demo: Awaited<ReturnType<typeof tempDir>>;
let server: TestServer;
let accounts: AccountRow[];

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: server.authHeaders });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

beforeAll(async () => {
  demo = await tempDir('dashboards');
  await Promise.all([ensureWebBuild(), generateDemoData(demo.dir)]);
  [server, browser] = await Promise.all([startServer(demo.dir), launchBrowser()]);
  await server.app.scoring.idle();
  accounts = (await api<{ rows: AccountRow[] }>('/api/accounts?pageSize=100000')).rows;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await demo?.remove();
});

async function withPage(
  fn: (session: PageSession) => Promise<void>,
  options?: Parameters<typeof openPage>[2],
): Promise<void> {
  const session = await openPage(browser, server.url, options);
  try {
    await fn(session);
    expect(session.errors).toEqual([]);
  } finally {
    await session.close();
  }
}

/** Waits until no chart is still drawing, and returns how many are drawn. */
async function chartsDrawn(page: Page): Promise<number> {
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-chart="loading"]').length === 0 &&
      document.querySelectorAll('[data-chart]').length > 0,
    undefined,
    { timeout: 30_000 },
  );
  expect(await page.locator('[data-chart="error"]').count()).toBe(0);
  return page.locator('[data-chart="ready"]').count();
}

describe('dashboards', () => {
  test('every dashboard route loads without console errors and draws its charts', async () => {
    const scored = accounts.find((row) => row.score !== null)!;
    const routes = [
      { path: '/', title: 'Overview', shot: 'dashboard-overview', charts: 3 },
      { path: '/cohorts', title: 'Cohorts', shot: 'dashboard-cohorts', charts: 2 },
      { path: '/trends', title: 'Trends', shot: 'dashboard-trends', charts: 1 },
      {
        path: `/accounts/${encodeURIComponent(scored.account_id)}`,
        title: scored.name,
        shot: 'dashboard-account',
        charts: 3,
      },
    ];
    for (const route of routes) {
      await withPage(async ({ page }) => {
        await page.goto(route.path);
        await page.locator('main h1').waitFor();
        expect(await chartsDrawn(page), route.path).toBeGreaterThanOrEqual(route.charts);
        await expect
          .poll(() => page.locator('main h1').innerText(), { message: route.path })
          .toContain(route.title);
        await screenshot(page, route.shot);
      });
    }
    await withPage(async ({ page }) => {
      await page.goto('/accounts');
      await page.getByTestId('account-row').first().waitFor();
      await screenshot(page, 'dashboard-accounts');
    });
  });

  test('clicking a mover opens its account', async () => {
    await withPage(async ({ page }) => {
      await page.goto('/');
      const link = page.getByTestId('mover-link').first();
      await link.waitFor();
      const href = (await link.getAttribute('href'))!;
      const id = decodeURIComponent(href.replace('/accounts/', ''));
      const name = accounts.find((row) => row.account_id === id)!.name;
      await link.click();
      await page.waitForURL(`**${href}`);
      await page.getByTestId('account-score').waitFor();
      await expect.poll(() => page.locator('main h1').innerText()).toContain(name);
    });
  });

  test("an account's contributions add up to the score it shows", async () => {
    // The lowest-scored account: every part of its score is visible and non-trivial.
    const account = [...accounts]
      .filter((row) => row.score !== null)
      .sort((a, b) => a.score! - b.score!)[0]!;
    await withPage(async ({ page }) => {
      await page.goto(`/accounts/${encodeURIComponent(account.account_id)}`);
      const score = page.getByTestId('account-score');
      await score.waitFor();
      const shown = Number((await score.innerText()).replace(/[^0-9.]/g, ''));
      expect(shown).toBeCloseTo(account.score!, 1);
      const cells = page.getByTestId('contribution');
      expect(await cells.count()).toBeGreaterThan(3);
      const exact = (await cells.evaluateAll((els) =>
        els.map((el) => Number(el.getAttribute('data-value'))),
      )) as number[];
      const displayed = (await cells.allInnerTexts()).map((text) => Number(text));
      expect(exact.reduce((a, b) => a + b, 0)).toBeCloseTo(account.score!, 9);
      expect(displayed.reduce((a, b) => a + b, 0)).toBeCloseTo(shown, 9);
    });
  });

  test('filters narrow the table and the URL, a header sorts it, the CSV holds exactly the filtered rows', async () => {
    // The segment and band with the most accounts among red, else yellow: a filter that narrows.
    const counts = new Map<string, number>();
    for (const row of accounts) {
      if (row.band)
        counts.set(
          `${row.band}|${row.segment}`,
          (counts.get(`${row.band}|${row.segment}`) ?? 0) + 1,
        );
    }
    const [band, segment] = [...counts.entries()]
      .sort(
        (a, b) =>
          (a[0].startsWith('red') ? 0 : 1) - (b[0].startsWith('red') ? 0 : 1) || b[1] - a[1],
      )
      .find(([, n]) => n >= 3)![0]
      .split('|') as [string, string];
    const expected = accounts.filter((row) => row.band === band && row.segment === segment);
    expect(expected.length).toBeLessThan(accounts.length);
    await withPage(async ({ page }) => {
      await page.goto('/accounts');
      await page.getByTestId('account-row').first().waitFor();
      const count = page.getByTestId('accounts-count');
      await page.waitForFunction(
        (n) =>
          (document.querySelector('[data-testid="accounts-count"]')?.textContent ?? '')
            .replaceAll(',', '')
            .includes(String(n)),
        accounts.length,
      );

      await page.selectOption('#accounts-segment', segment);
      await page.locator(`input[name="band"][value="${band}"]`).check();
      await page.waitForURL(
        (url) =>
          url.searchParams.get('segment') === segment &&
          url.searchParams.getAll('band').includes(band),
      );
      await page.waitForFunction(
        (n) =>
          /Showing\s+[\d,]+/.test(
            document.querySelector('[data-testid="accounts-count"]')?.textContent ?? '',
          ) &&
          (
            document.querySelector('[data-testid="accounts-count"] strong')?.textContent ?? ''
          ).replaceAll(',', '') === String(n),
        expected.length,
      );
      expect(await count.innerText()).toContain(`of ${accounts.length.toLocaleString('en-US')}`);
      const shownIds = await page
        .getByTestId('account-row')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-account-id')));
      const wanted = new Set(expected.map((row) => row.account_id));
      expect(shownIds.length).toBeGreaterThan(0);
      expect(shownIds.every((id) => wanted.has(id!))).toBe(true);

      await page.locator('button[data-sort="arr"]').click();
      await page.waitForURL((url) => url.searchParams.get('sort') === 'arr');
      expect(await page.locator('th:has(button[data-sort="arr"])').getAttribute('aria-sort')).toBe(
        'ascending',
      );
      const smallest = Math.min(...expected.map((row) => row.arr));
      const firstId = await page.getByTestId('account-row').first().getAttribute('data-account-id');
      expect(expected.find((row) => row.account_id === firstId)!.arr).toBe(smallest);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('csv-download').click(),
      ]);
      const text = (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, '');
      const lines = text.split('\r\n').filter((line) => line !== '');
      const header = lines[0]!.split(',');
      expect(header.slice(0, 2)).toEqual(['account_id', 'name']);
      const rows = lines.slice(1).map((line) => line.split(','));
      expect(rows.length).toBe(expected.length);
      expect(new Set(rows.map((row) => row[0]))).toEqual(wanted);
      const arr = rows.map((row) => Number(row[header.indexOf('arr')]));
      expect(arr.every((value, i) => i === 0 || value >= arr[i - 1]!)).toBe(true);
      await screenshot(page, 'dashboard-accounts-filtered');
    });
  });

  test('at tablet width every dashboard fits without sideways scrolling', async () => {
    const scored = accounts.find((row) => row.score !== null)!;
    for (const path of [
      '/',
      '/cohorts',
      '/trends',
      '/accounts',
      `/accounts/${encodeURIComponent(scored.account_id)}`,
    ]) {
      await withPage(
        async ({ page }) => {
          await page.goto(path);
          await page.locator('main h1').waitFor();
          if (path !== '/accounts') await chartsDrawn(page);
          else await page.getByTestId('account-row').first().waitFor();
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, path).toBeLessThanOrEqual(0);
        },
        { viewport: { width: 768, height: 1024 } },
      );
    }
  });

  test("a heatmap cell opens its cohort's accounts without reloading the page", async () => {
    await withPage(async ({ page }) => {
      await page.goto('/cohorts?by=segment');
      await chartsDrawn(page);
      await page.evaluate(() => Object.assign(window, { vitalsMarker: 'still here' }));
      // A cell of the first heatmap: its value label lies on top and is a mark of the same datum.
      const cells = page.locator('[data-chart="ready"]').first().locator('g.mark-text text');
      expect(await cells.count()).toBeGreaterThan(0);
      await cells.first().click();
      await page.waitForURL(
        (url) => url.pathname === '/accounts' && url.searchParams.has('segment'),
      );
      const segment = new URL(page.url()).searchParams.get('segment')!;
      await page.getByTestId('account-row').first().waitFor();
      const expected = accounts.filter((row) => row.segment === segment).length;
      await expect
        .poll(() => page.getByTestId('accounts-count').locator('strong').innerText())
        .toBe(expected.toLocaleString('en-US'));
      expect(await page.evaluate(() => (window as { vitalsMarker?: string }).vitalsMarker)).toBe(
        'still here',
      );
    });
  });
});
