import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, ROOT_DIR } from '../../server/config.ts';

describe('parseConfig', () => {
  it('takes the documented defaults when nothing is set', () => {
    const config = parseConfig({});
    expect(config).toEqual({
      dataDir: path.resolve('data/demo'),
      stateDir: path.resolve('state'),
      host: '127.0.0.1',
      port: 8080,
      logLevel: 'info',
      webDir: path.join(ROOT_DIR, 'dist', 'web'),
      scoreCron: '0 2 * * *',
      scoreOnStart: true,
      scoreBatchRows: 400_000,
      demo: { accounts: 5000, days: 1095, seed: 42 },
      trustProxy: false,
      auth: {
        cookieSecure: false,
        trustedProxyAuthHeader: null,
        sessionTtlHours: 12,
        sessionIdleMinutes: 60,
      },
    });
  });

  it('reads which proxies to trust for client addresses', () => {
    expect(parseConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['yes', '10.0.0.0/33', '10.0.0', 'proxy.local', '::1/129', '10.0.0.1/8/1']) {
      expect(() => parseConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY must be/);
    }
  });

  it('reads the sign-in settings', () => {
    const config = parseConfig({
      VITALS_ADMIN_USER: 'root',
      VITALS_ADMIN_PASSWORD: 'correct horse battery',
      COOKIE_SECURE: 'true',
      TRUSTED_PROXY_AUTH_HEADER: 'X-Remote-User',
      SESSION_TTL_HOURS: '8',
      SESSION_IDLE_MINUTES: '15',
    });
    expect(config.auth).toEqual({
      adminUser: 'root',
      adminPassword: 'correct horse battery',
      cookieSecure: true,
      trustedProxyAuthHeader: 'x-remote-user',
      sessionTtlHours: 8,
      sessionIdleMinutes: 15,
    });
    expect(() =>
      parseConfig({
        COOKIE_SECURE: 'yes',
        TRUSTED_PROXY_AUTH_HEADER: 'X Remote',
        SESSION_TTL_HOURS: '0',
      }),
    ).toThrow(
      /COOKIE_SECURE must be true or false[\s\S]*TRUSTED_PROXY_AUTH_HEADER must be an HTTP header name[\s\S]*SESSION_TTL_HOURS must be positive/,
    );
  });

  it('treats empty variables as unset and resolves relative paths from the working directory', () => {
    const config = parseConfig({ DATA_DIR: 'exports', PORT: '', STATE_DIR: '/var/vitals' });
    expect(config.dataDir).toBe(path.resolve('exports'));
    expect(config.stateDir).toBe('/var/vitals');
    expect(config.port).toBe(8080);
  });

  it('fails fast listing every problem, each naming its variable', () => {
    let thrown: unknown;
    try {
      parseConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DEMO_ACCOUNTS: '-3' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith('PORT:'))).toMatch(/number/);
    expect(problems.find((p) => p.startsWith('LOG_LEVEL:'))).toMatch(/info/);
    expect(problems.find((p) => p.startsWith('DEMO_ACCOUNTS:'))).toMatch(/positive/);
    expect((thrown as Error).message).toContain('invalid configuration');
  });

  it('rejects a port out of range', () => {
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT: PORT must be between 0 and 65535/);
  });
});
