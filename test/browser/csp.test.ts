// The app under its Content-Security-Policy in real Chromium: every page, signed in, draws its
// charts (vega included) and shows a chart tooltip without a single CSP violation, whether
// reported on the console or as a `securitypolicyviolation` event.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ensureWebBuild,
  generateDemoData,
  launchBrowser,
  openPage,
  startServer,
  tempDir,
  type PageSession,
  type TestServer,
} from './helpers.ts';

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

let browser: Browser;
let demo: Awaited<ReturnType<typeof tempDir>>;
let server: TestServer;
let accountId: string;

beforeAll(async () => {
  demo = await tempDir('csp');
  await Promise.all([ensureWebBuild(), generateDemoData(demo.dir)]);
  [server, browser] = await Promise.all([startServer(demo.dir), launchBrowser()]);
  await server.app.scoring.idle();
  const response = await fetch(`${server.url}/api/accounts?pageSize=100000`, {
    headers: server.authHeaders,
  });
  const { rows } = (await response.json()) as {
    rows: Array<{ account_id: string; score: number | null }>;
  };
  accountId = rows.find((row) => row.score !== null)!.account_id;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await demo?.remove();
});

interface WatchedPage extends PageSession {
  /** Every CSP violation seen so far: console messages and securitypolicyviolation events. */
  violations(): Promise<string[]>;
}

/** A signed-in page that records CSP violations from the first script on. */
async function openWatchedPage(): Promise<WatchedPage> {
  const session = await openPage(browser, server.url);
  const consoleViolations: string[] = [];
  session.page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) {
      consoleViolations.push(`console: ${message.text()}`);
    }
  });
  await session.page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__cspViolations!.push(
        `event: ${event.violatedDirective} blocked ${event.blockedURI || '(inline)'} at ` +
          `${event.sourceFile}:${event.lineNumber} ${event.sample}`,
      );
    });
  });
  return {
    ...session,
    async violations() {
      const events = await session.page.evaluate(() => window.__cspViolations ?? []);
      return [...consoleViolations, ...events];
    },
  };
}

/** Waits until the page has charts and none is still drawing; returns how many are drawn. */
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

describe('Content-Security-Policy', () => {
  test('the server sends the policy with the app', async () => {
    const response = await fetch(`${server.url}/`, { headers: { accept: 'text/html' } });
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(policy).not.toContain('unsafe-');
  });

  test('every page runs and draws its charts without a violation', async () => {
    const routes = [
      { path: '/', charts: 3 },
      { path: '/cohorts', charts: 2 },
      { path: '/trends', charts: 1 },
      { path: '/accounts', charts: 0 },
      { path: `/accounts/${encodeURIComponent(accountId)}`, charts: 3 },
      { path: '/admin', charts: 0 },
      { path: '/data', charts: 0 },
    ];
    for (const route of routes) {
      const session = await openWatchedPage();
      try {
        const { page } = session;
        await page.goto(route.path);
        await page.locator('main h1').waitFor();
        if (route.charts > 0) {
          expect(await chartsDrawn(page), route.path).toBeGreaterThanOrEqual(route.charts);
          // Drawn means an SVG with marks, not an empty frame.
          expect(
            await page.locator('[data-chart="ready"] svg .role-mark').count(),
            route.path,
          ).toBeGreaterThan(0);
        } else {
          await page.waitForLoadState('networkidle');
        }
        expect(await session.violations(), route.path).toEqual([]);
        expect(session.errors, route.path).toEqual([]);
      } finally {
        await session.close();
      }
    }
  });

  test('a chart tooltip shows, styled, without a violation', async () => {
    const session = await openWatchedPage();
    try {
      const { page } = session;
      await page.goto('/cohorts');
      await chartsDrawn(page);
      const cell = page.locator('[data-chart="ready"] svg .mark-rect path').first();
      await cell.hover();
      const tooltip = page.locator('#vg-tooltip-element.visible');
      await tooltip.waitFor();
      // The tooltip's stylesheet is in place: it floats over the page rather than sitting
      // at the end of it.
      expect(await tooltip.evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
      expect(await session.violations()).toEqual([]);
      expect(session.errors).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
