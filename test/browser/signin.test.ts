// Signing in through the page in real Chromium: nothing shows without a session, a wrong password
// says so, the right one opens the page asked for, a viewer does not see or reach admin pages,
// and signing out ends the session.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BROWSER_ADMIN,
  ensureWebBuild,
  generateDemoData,
  launchBrowser,
  openPage,
  screenshot,
  startServer,
  tempDir,
  type TestServer,
} from './helpers.ts';

const VIEWER = { username: 'vera', password: 'a viewer password 1' };

let browser: Browser;
let demo: Awaited<ReturnType<typeof tempDir>>;
let server: TestServer;

beforeAll(async () => {
  demo = await tempDir('signin');
  await Promise.all([ensureWebBuild(), generateDemoData(demo.dir)]);
  [server, browser] = await Promise.all([startServer(demo.dir), launchBrowser()]);
  await server.app.scoring.idle();
  const created = await fetch(`${server.url}/api/admin/users`, {
    method: 'POST',
    headers: { ...server.authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ ...VIEWER, role: 'viewer' }),
  });
  expect(created.status).toBeLessThan(300);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await demo?.remove();
});

/**
 * Console errors other than the browser's own line for a refusal the test causes on purpose (the
 * 401 of a wrong password, the 403 of a viewer asking for an admin route).
 */
const unexpected = (errors: string[], status: 401 | 403) =>
  errors.filter((error) => !new RegExp(`Failed to load resource.*${status}`).test(error));

async function signInWithForm(
  page: import('playwright-core').Page,
  who: { username: string; password: string },
) {
  const form = page.getByTestId('signin-form');
  await form.waitFor();
  await page.locator('#signin-username').fill(who.username);
  await page.locator('#signin-password').fill(who.password);
  await form.locator('button[type="submit"]').click();
}

describe('signing in', () => {
  test('a signed-out visitor sees the sign-in form, a wrong password is refused, the right one opens the page', async () => {
    const session = await openPage(browser, server.url, { signedIn: false });
    try {
      const { page } = session;
      await page.goto('/accounts');
      await page.getByTestId('signin-form').waitFor();
      expect(await page.getByTestId('account-row').count()).toBe(0);
      await screenshot(page, 'signin');

      await signInWithForm(page, {
        username: BROWSER_ADMIN.username,
        password: 'not the password',
      });
      const error = page.getByTestId('signin-error');
      await error.waitFor();
      expect(await error.innerText()).toMatch(/user name or password|username or password/i);

      await signInWithForm(page, BROWSER_ADMIN);
      await page.getByTestId('account-row').first().waitFor();
      expect(new URL(page.url()).pathname).toBe('/accounts');
      expect(await page.getByTestId('signed-in-user').innerText()).toContain(
        BROWSER_ADMIN.username,
      );
      expect(unexpected(session.errors, 401)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  test('a viewer does not see admin pages in the menu and is told the role when visiting one', async () => {
    const session = await openPage(browser, server.url, { signedIn: false });
    try {
      const { page } = session;
      await page.goto('/');
      await signInWithForm(page, VIEWER);
      await page.getByTestId('signed-in-user').waitFor();
      const nav = page.getByRole('navigation', { name: 'Main' });
      const links = await nav.getByRole('link').allInnerTexts();
      expect(links).toContain('Overview');
      expect(links).not.toContain('Admin');
      expect(links).not.toContain('Lab');

      await page.goto('/admin');
      await page.getByTestId('role-required').waitFor();
      expect(await page.getByTestId('role-required').innerText()).toMatch(/admin/i);
      const status = await page.evaluate(async () => (await fetch('/api/admin/users')).status);
      expect(status).toBe(403);
      expect(unexpected(session.errors, 403)).toEqual([]);
    } finally {
      await session.close();
    }
  });

  test('signing out ends the session', async () => {
    const session = await openPage(browser, server.url, { signedIn: false });
    try {
      const { page } = session;
      await page.goto('/');
      await signInWithForm(page, VIEWER);
      await page.getByTestId('sign-out').click();
      await page.getByTestId('signin-form').waitFor();
      const me = await page.evaluate(async () => (await fetch('/api/auth/me')).json());
      expect(me.user).toBeNull();
      const status = await page.evaluate(async () => (await fetch('/api/overview')).status);
      expect(status).toBe(401);
    } finally {
      await session.close();
    }
  });
});
