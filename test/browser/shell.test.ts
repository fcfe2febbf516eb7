// The web shell in real Chromium against the real server: navigation, titles, the Data page on
// a good and a broken dataset, its loading/error/empty states, and the not-found page.
import { cp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DataReport } from '../../data/report.ts';
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

/** Every page in the main navigation, in order: the app must keep exactly these. */
const PAGES = [
  { path: '/', title: 'Overview', shot: 'overview' },
  { path: '/cohorts', title: 'Cohorts', shot: 'cohorts' },
  { path: '/trends', title: 'Trends', shot: 'trends' },
  { path: '/accounts', title: 'Accounts', shot: 'accounts' },
  { path: '/lab', title: 'Lab', shot: 'lab' },
  { path: '/alerts', title: 'Alerts', shot: 'alerts' },
  { path: '/admin', title: 'Admin', shot: 'admin' },
  { path: '/data', title: 'Data', shot: 'data' },
];

/** Pages still to come; the dashboards (Overview, Cohorts, Trends, Accounts) are tested in dashboards.test.ts. */
const UPCOMING = ['/lab', '/alerts'];

const count = (n: number) => n.toLocaleString('en-US');

let browser: Browser;
let demo: Awaited<ReturnType<typeof tempDir>>;
let server: TestServer;
let report: DataReport;

async function fetchReport(target: TestServer): Promise<DataReport> {
  const response = await fetch(`${target.url}/api/data/status`, { headers: target.authHeaders });
  expect(response.status).toBe(200);
  return (await response.json()) as DataReport;
}

beforeAll(async () => {
  demo = await tempDir('demo');
  // The build and the demo data do not depend on each other.
  await Promise.all([ensureWebBuild(), generateDemoData(demo.dir)]);
  [server, browser] = await Promise.all([startServer(demo.dir), launchBrowser()]);
  // The dashboards answer 503 until the start-up scoring is done; wait so pages load cleanly.
  await server.app.scoring.idle();
  report = await fetchReport(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await demo?.remove();
});

/** Opens a page, runs `fn`, and always closes it. */
async function withPage(
  base: string,
  fn: (session: PageSession) => Promise<void>,
  options?: Parameters<typeof openPage>[2],
): Promise<void> {
  const session = await openPage(browser, base, options);
  try {
    await fn(session);
  } finally {
    await session.close();
  }
}

const heading = (page: Page) => page.locator('main h1');
const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/** Waits for the Data page to show a report (not the loading state). */
async function waitForDataStatus(page: Page): Promise<string> {
  const status = page.getByTestId('data-status');
  await status.waitFor();
  return (await status.innerText()).trim();
}

describe('navigation', () => {
  for (const { path: route, title, shot } of PAGES) {
    test(`${route} loads as "${title} · Vitals" with its nav link current`, async () => {
      await withPage(server.url, async ({ page, errors }) => {
        await page.goto(route);
        await expect.poll(() => heading(page).innerText()).toBe(title);
        expect(await page.title()).toBe(`${title} · Vitals`);

        const links = nav(page).getByRole('link');
        expect(await links.allInnerTexts()).toEqual(PAGES.map((p) => p.title));
        const current = nav(page).locator('a[aria-current="page"]');
        expect(await current.count()).toBe(1);
        expect(await current.innerText()).toBe(title);
        expect(await current.getAttribute('href')).toBe(route);

        if (route === '/data') await waitForDataStatus(page);
        else if (UPCOMING.includes(route)) {
          await expect.poll(() => page.locator('main').innerText()).toMatch(/not built yet/);
        } else {
          // A dashboard: wait until it has loaded (no loading notice left).
          await expect.poll(() => page.locator('main [role="status"].loading').count()).toBe(0);
        }
        await screenshot(page, `page-${shot}`);
        expect(errors).toEqual([]);
      });
    });
  }

  test('links navigate without reloading, and back/forward work', async () => {
    await withPage(server.url, async ({ page, errors }) => {
      await page.goto('/');
      await heading(page).waitFor();
      // A reload would lose this marker.
      await page.evaluate(() => Object.assign(window, { vitalsMarker: 'still here' }));

      await nav(page).getByRole('link', { name: 'Lab' }).click();
      await expect.poll(() => heading(page).innerText()).toBe('Lab');
      expect(new URL(page.url()).pathname).toBe('/lab');
      expect(await page.title()).toBe('Lab · Vitals');
      // Focus moves to the new page's heading so screen readers announce it.
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Lab');

      // A link inside the page content is handled the same way as the navigation.
      await page.locator('main').getByRole('link', { name: 'Data', exact: true }).click();
      await expect.poll(() => heading(page).innerText()).toBe('Data');
      await waitForDataStatus(page);

      await page.goBack();
      await expect.poll(() => heading(page).innerText()).toBe('Lab');
      expect(await nav(page).locator('a[aria-current="page"]').innerText()).toBe('Lab');
      await page.goForward();
      await expect.poll(() => heading(page).innerText()).toBe('Data');
      expect(await page.title()).toBe('Data · Vitals');

      expect(await page.evaluate(() => (window as { vitalsMarker?: string }).vitalsMarker)).toBe(
        'still here',
      );
      expect(errors).toEqual([]);
    });
  });

  test('the keyboard reaches the skip link first, then the navigation', async () => {
    await withPage(server.url, async ({ page, errors }) => {
      await page.goto('/trends');
      await heading(page).waitFor();
      await page.keyboard.press('Tab');
      const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
      expect(await focused()).toBe('Skip to content');
      await page.keyboard.press('Enter');
      expect(new URL(page.url()).hash).toBe('#main');

      await page.goto('/alerts');
      await heading(page).waitFor();
      await page.keyboard.press('Tab'); // skip link
      await page.keyboard.press('Tab'); // brand
      await page.keyboard.press('Tab'); // first nav link
      expect(await focused()).toBe('Overview');
      await page.keyboard.press('Enter');
      await expect.poll(() => heading(page).innerText()).toBe('Overview');
      expect(errors).toEqual([]);
    });
  });

  test('an unknown route shows the not-found page', async () => {
    await withPage(server.url, async ({ page, errors }) => {
      await page.goto('/no/such/page?x=1');
      await expect.poll(() => heading(page).innerText()).toBe('Page not found');
      expect(await page.title()).toBe('Page not found · Vitals');
      expect(await page.locator('main code').innerText()).toBe('/no/such/page');
      expect(await nav(page).locator('a[aria-current]').count()).toBe(0);
      await screenshot(page, 'page-not-found');

      await page.getByRole('link', { name: 'go to the Overview' }).click();
      await expect.poll(() => heading(page).innerText()).toBe('Overview');
      expect(errors).toEqual([]);
    });
  });

  test('at tablet width the navigation sits on top and nothing scrolls sideways', async () => {
    await withPage(
      server.url,
      async ({ page, errors }) => {
        for (const route of ['/', '/data']) {
          await page.goto(route);
          if (route === '/data') await waitForDataStatus(page);
          else await heading(page).waitFor();
          const overflow = await page.evaluate(
            () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          expect(overflow, `horizontal overflow on ${route}`).toBeLessThanOrEqual(0);
          const navBox = await nav(page).boundingBox();
          const mainBox = await page.locator('main').boundingBox();
          expect(navBox!.y + navBox!.height).toBeLessThanOrEqual(mainBox!.y + 1);
          await screenshot(page, `tablet-${route === '/' ? 'overview' : 'data'}`);
        }
        expect(errors).toEqual([]);
      },
      { viewport: { width: 768, height: 1024 } },
    );
  });
});

describe('the Data page on the demo data', () => {
  test('lists every contract table with the row counts the API returns, and the status', async () => {
    expect(report.tables.length).toBeGreaterThan(0);
    await withPage(server.url, async ({ page, errors }) => {
      await page.goto('/data');
      const status = await waitForDataStatus(page);
      const expected =
        report.errors > 0
          ? `${report.errors} error`
          : report.warnings > 0
            ? `${report.warnings} warning`
            : 'OK';
      expect(status).toContain(expected);
      expect(await page.getByTestId('data-dir').innerText()).toBe(report.dataDir);

      const rows = page.locator('tbody tr[data-table]');
      expect(await rows.count()).toBe(report.tables.length);
      for (const table of report.tables) {
        const row = page.locator(`tr[data-table="${table.name}"]`);
        expect(await row.locator('th').innerText()).toBe(table.name);
        const cell = (col: string) => row.locator(`[data-col="${col}"]`).innerText();
        expect(await cell('required')).toBe(table.required ? 'Required' : 'Optional');
        expect(await cell('present')).toBe(table.present ? 'Yes' : 'No');
        if (table.rows !== null) expect(await cell('rows')).toBe(count(table.rows));
        if (table.minDate) expect(await cell('dates')).toContain(table.minDate.slice(0, 10));
      }
      // The demo data has every table, with rows.
      expect(report.tables.every((table) => table.present && (table.rows ?? 0) > 0)).toBe(true);

      const problemCount = await page.locator('article[data-problem]').count();
      expect(problemCount).toBe(report.problems.length);
      expect(await page.locator('#problems-heading').innerText()).toContain(
        `(${report.problems.length})`,
      );
      await screenshot(page, 'data-demo');
      expect(errors).toEqual([]);
    });
  });

  test('shows a loading state, then an error that says what failed and what to do', async () => {
    await withPage(server.url, async ({ page, errors }) => {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let reply: 'hold' | 'down' | 'pass' = 'hold';
      await page.route('**/api/data/status', async (route) => {
        if (reply === 'hold') {
          await held;
          await route.fulfill({
            status: 500,
            json: {
              error: 'internal_error',
              message: 'Vitals hit an internal error; the server log has the details.',
              details: null,
            },
          });
        } else if (reply === 'down') await route.abort('connectionrefused');
        else await route.continue();
      });

      await page.goto('/data');
      const loading = page.getByRole('status').filter({ hasText: 'Checking the data folder' });
      await loading.waitFor();
      await screenshot(page, 'data-loading');
      release();

      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      expect(text).toContain('Could not load the data status');
      expect(text).toContain('HTTP 500');
      expect(text).toContain('the server log has the details');
      await screenshot(page, 'data-error-500');

      reply = 'down';
      await alert.getByRole('button', { name: 'Try again' }).click();
      await expect.poll(() => alert.innerText()).toContain('Could not reach the Vitals server');
      expect(await alert.innerText()).toContain('Check that the Vitals server is running');
      await screenshot(page, 'data-error-network');

      reply = 'pass';
      await alert.getByRole('button', { name: 'Try again' }).click();
      await waitForDataStatus(page);
      expect(await page.getByRole('alert').count()).toBe(0);

      // The browser logs the failed requests themselves; nothing else may be logged.
      expect(errors).toHaveLength(2);
      expect(errors.every((error) => /Failed to load resource/.test(error))).toBe(true);
    });
  });

  test('says how to get data in when the data folder is empty', async () => {
    await withPage(server.url, async ({ page, errors }) => {
      const empty: DataReport = {
        ...report,
        ok: false,
        errors: 2,
        warnings: 0,
        tables: report.tables.map((table) => ({
          ...table,
          present: false,
          files: [],
          rows: null,
          minDate: null,
          maxDate: null,
          columns: [],
        })),
        problems: ['accounts', 'outcomes'].map((table) => ({
          severity: 'error' as const,
          code: 'missing_table',
          table,
          file: null,
          column: null,
          rows: null,
          message: `required table ${table} is missing`,
          sample: [],
        })),
      };
      await page.route('**/api/data/status', (route) => route.fulfill({ json: empty }));
      await page.goto('/data');
      expect(await waitForDataStatus(page)).toContain('2 errors');
      const notice = page.getByTestId('data-empty');
      expect(await notice.innerText()).toContain('No data yet');
      expect(await notice.innerText()).toContain(report.dataDir);
      expect(await page.locator('tr[data-table="accounts"] [data-col="status"]').innerText()).toBe(
        '1 error',
      );
      await screenshot(page, 'data-empty');
      expect(errors).toEqual([]);
    });
  });
});

describe('the Data page on a dataset with a broken file', () => {
  let broken: Awaited<ReturnType<typeof tempDir>>;
  let brokenServer: TestServer;
  let brokenReport: DataReport;

  beforeAll(async () => {
    broken = await tempDir('broken');
    await cp(demo.dir, broken.dir, { recursive: true });
    await writeFile(
      path.join(broken.dir, 'support_tickets.parquet'),
      'this is not a parquet file \u0000\u0001\u0002 garbage bytes',
    );
    brokenServer = await startServer(broken.dir);
    brokenReport = await fetchReport(brokenServer);
  });

  afterAll(async () => {
    await brokenServer?.close();
    await broken?.remove();
  });

  test('names the table and file of the problem, errors first', async () => {
    const ticketProblems = brokenReport.problems.filter((p) => p.table === 'support_tickets');
    expect(ticketProblems.length).toBeGreaterThan(0);
    expect(brokenReport.errors).toBeGreaterThan(0);

    await withPage(brokenServer.url, async ({ page, errors }) => {
      await page.goto('/data');
      expect(await waitForDataStatus(page)).toContain(
        `${brokenReport.errors} error${brokenReport.errors === 1 ? '' : 's'}`,
      );

      const tickets = page.locator('tr[data-table="support_tickets"]');
      expect(await tickets.locator('[data-col="status"]').innerText()).toMatch(/\d+ errors?/);

      const cards = page.locator('article[data-problem]');
      expect(await cards.count()).toBe(brokenReport.problems.length);
      const severities = await cards.evaluateAll((nodes) =>
        nodes.map((node) => (node.querySelector('.badge')?.textContent ?? '').trim()),
      );
      const firstWarning = severities.indexOf('Warning');
      if (firstWarning !== -1) expect(severities.slice(firstWarning)).not.toContain('Error');

      const card = cards.filter({
        has: page.locator('[data-field="table"]', { hasText: /^support_tickets$/ }),
      });
      expect(await card.count()).toBe(ticketProblems.length);
      const first = card.first();
      expect(await first.locator('.badge').innerText()).toBe('Error');
      expect(await first.locator('[data-field="file"]').innerText()).toContain(
        'support_tickets.parquet',
      );
      expect(await first.locator('h3').innerText()).toBe(
        ticketProblems.find((p) => p.severity === 'error')!.message,
      );

      // The status badge links to the table's first problem.
      await tickets.locator('[data-col="status"] a').click();
      expect(new URL(page.url()).hash).toMatch(/^#problem-\d+$/);
      await screenshot(page, 'data-broken');
      expect(errors).toEqual([]);
    });
  });
});
