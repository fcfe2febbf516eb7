/**
 * Web figures: first-load JavaScript (gzip) before vega loads, API latency of the dashboard
 * endpoints under a light load, and in real Chromium with a large portfolio the time from
 * navigation to a filled accounts table and the time of a sort.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureWebBuild, launchBrowser, openPage, ROOT, startServer } from '../browser/helpers.ts';
import { median } from './machine.ts';

const WEB_DIR = path.join(ROOT, 'dist', 'web');

/** The scripts the entry HTML loads (module script and modulepreloads), and every other chunk. */
export async function firstLoadBytes() {
  const html = await readFile(path.join(WEB_DIR, 'index.html'), 'utf8');
  const referenced = new Set(
    [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((match) => match[1]!),
  );
  const all = (await readdir(path.join(WEB_DIR, 'assets'))).filter((file) => file.endsWith('.js'));
  let first = 0;
  let rest = 0;
  const chunks: { file: string; gzip: number; first: boolean }[] = [];
  for (const file of all) {
    const gzip = gzipSync(await readFile(path.join(WEB_DIR, 'assets', file))).length;
    const isFirst = referenced.has(`assets/${file}`);
    if (isFirst) first += gzip;
    else rest += gzip;
    chunks.push({ file, gzip, first: isFirst });
  }
  return { firstLoadGzipKiB: first / 1024, lazyGzipKiB: rest / 1024, chunks };
}

function percentile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

/** `total` requests to `url`, `concurrency` at a time; latencies in ms. */
async function load(url: string, total: number, concurrency: number, headers = {}) {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const started = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (!response.ok) failures++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    failures,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
  };
}

export async function webBench(dataDir: string) {
  await ensureWebBuild();
  const bytes = await firstLoadBytes();
  const started = performance.now();
  const server = await startServer(dataDir);
  try {
    await server.app.scoring.idle();
    // Account pages are served from cards once they are written after the scoring.
    await server.app.serving.cardsReady();
    const scoringSeconds = (performance.now() - started) / 1000;
    const { url, authHeaders } = server;
    const accounts = (await (
      await fetch(`${url}/api/accounts?pageSize=1`, { headers: authHeaders })
    ).json()) as {
      total: number;
      rows: { account_id: string }[];
    };
    const id = encodeURIComponent(accounts.rows[0]!.account_id);
    const api = {
      overview: await load(`${url}/api/overview`, 100, 4, authHeaders),
      accountsPage: await load(`${url}/api/accounts?pageSize=50&sort=score`, 100, 4, authHeaders),
      accountsArrow: await load(`${url}/api/accounts?pageSize=100000`, 20, 2, {
        ...authHeaders,
        accept: 'application/vnd.apache.arrow.stream',
      }),
      account: await load(`${url}/api/accounts/${id}`, 100, 4, authHeaders),
    };
    const browser = await launchBrowser();
    const fill: number[] = [];
    const sort: number[] = [];
    try {
      for (let run = 0; run < 3; run++) {
        const session = await openPage(browser, url);
        try {
          const { page } = session;
          const navigated = performance.now();
          await page.goto('/accounts');
          await page.getByTestId('account-row').first().waitFor();
          await page.waitForFunction(
            (total) =>
              (document.querySelector('[data-testid="accounts-count"]')?.textContent ?? '')
                .replaceAll(',', '')
                .includes(String(total)),
            accounts.total,
          );
          fill.push(performance.now() - navigated);
          // A sort: from the click until the first row shows another account.
          const header = page.locator('th button', { hasText: 'ARR' }).first();
          const firstRow = page.getByTestId('account-row').first();
          const before = await firstRow.innerText();
          const clicked = performance.now();
          await header.click();
          await page.waitForFunction(
            (text) =>
              document.querySelector('[data-testid="account-row"]')?.textContent?.trim() !==
              text.trim(),
            before,
          );
          sort.push(performance.now() - clicked);
          if (session.errors.length > 0) throw new Error(session.errors.join('\n'));
        } finally {
          await session.close();
        }
      }
    } finally {
      await browser.close();
    }
    return {
      ...bytes,
      accounts: accounts.total,
      scoringSeconds,
      api,
      browser: {
        tableFillMs: { runs: fill, median: median(fill) },
        sortMs: { runs: sort, median: median(sort) },
      },
    };
  } finally {
    await server.close();
  }
}
