import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../server/config.ts';
import { buildTestApp, tempDir } from '../helpers/app.ts';
import { GOOD_TODAY, goodDataset } from '../helpers/parquet.ts';

const exec = promisify(execFile);

describe('server lifecycle', () => {
  it('refuses to start on bad configuration, listing every problem', async () => {
    const failed = await exec(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'server', 'main.ts')],
      {
        env: { ...process.env, PORT: '99999', LOG_LEVEL: 'chatty', SCORE_CRON: 'every day' },
      },
    ).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('invalid configuration');
    expect(failed?.stderr).toContain('PORT: PORT must be between 0 and 65535');
    expect(failed?.stderr).toContain('LOG_LEVEL:');
    expect(failed?.stderr).toContain('SCORE_CRON: SCORE_CRON must be a cron pattern');
  });

  it('scores on the SCORE_CRON schedule', async () => {
    const data = await tempDir();
    await goodDataset(data.dir);
    // Every second (croner's six-field form), and nothing on start, so only the schedule scores.
    const app = await buildTestApp(
      data.dir,
      { SCORE_CRON: '* * * * * *', SCORE_ON_START: 'false' },
      { clock: () => new Date(`${GOOD_TODAY}T12:00:00Z`) },
    );
    try {
      await app.ready();
      const triggers = async () =>
        app.duckdb.withConnection(async (connection) => {
          const reader = await connection.runAndReadAll(
            "SELECT list(DISTINCT trigger ORDER BY trigger) AS t FROM state.score_runs WHERE status = 'ok'",
          );
          return (reader.getRowObjectsJS()[0]?.t as string[] | null) ?? [];
        });
      expect(await triggers()).toEqual([]);
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && (await triggers()).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await app.scoring.idle();
      expect(await triggers()).toEqual(['schedule']);
    } finally {
      await app.close();
      await data.cleanup();
    }
  });

  it('serves over HTTP and shuts down cleanly on SIGTERM', async () => {
    const data = await tempDir();
    const state = await tempDir('vitals-state-');
    await goodDataset(data.dir);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT_DIR, 'server', 'main.ts')],
      {
        env: {
          ...process.env,
          DATA_DIR: data.dir,
          STATE_DIR: state.dir,
          PORT: '0',
          SCORE_ON_START: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      let output = '';
      const address = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) =>
          reject(new Error(`server exited early with ${code}: ${output}`)),
        );
      });
      const health = await fetch(`${address}/healthz`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('ok');
      // Every log line is JSON.
      for (const line of output.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(output).toContain('"signal":"SIGTERM"');
    } finally {
      child.kill('SIGKILL');
      await data.cleanup();
      await state.cleanup();
    }
  });
});
