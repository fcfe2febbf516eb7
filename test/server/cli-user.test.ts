import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStateDatabase } from '../../lab/registry/index.ts';
import {
  authenticate,
  createSession,
  ensureAuth,
  findUser,
  listAuthAudit,
} from '../../server/auth/store.ts';
import { ROOT_DIR } from '../../server/config.ts';
import { tempDir } from '../helpers/app.ts';

const CLI = path.join(ROOT_DIR, 'server', 'cli', 'main.ts');
// The state folder is always given with --state; none may come from the environment.
const { STATE_DIR: _state, ...INHERITED } = process.env;
const ENV = { ...INHERITED, TZ: 'UTC' };
const PASSWORD = 'correct horse battery staple';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real command line in a child process with `input` on its standard input. */
function vitals(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT_DIR,
      env: ENV,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('user command line', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const state = () => path.join(dir, 'state');
  const s = () => ['--state', state()];

  /** Opens the state database between command runs (the CLI must not be running meanwhile). */
  async function withState<T>(
    work: (connection: Awaited<ReturnType<typeof openStateDatabase>>) => Promise<T>,
  ): Promise<T> {
    const opened = await openStateDatabase(state(), { mustExist: true });
    try {
      await ensureAuth(opened.connection, opened.schema);
      return await work(opened);
    } finally {
      opened.close();
    }
  }

  const signsIn = (username: string, password: string) =>
    withState(async ({ connection, schema }) =>
      Boolean(await authenticate(connection, schema, username, password)),
    );

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('vitals-cli-user-'));
  });
  afterAll(() => cleanup());

  it('has --help, --state and --json on every user verb', async () => {
    const verbs = [
      ['user'],
      ['user', 'list'],
      ['user', 'add'],
      ['user', 'set-role'],
      ['user', 'reset-password'],
      ['user', 'disable'],
    ];
    const helps = await Promise.all(verbs.map((verb) => vitals([...verb, '--help'])));
    verbs.forEach((verb, i) => {
      const help = helps[i]!;
      expect(help.code, verb.join(' ')).toBe(0);
      expect(help.stdout, verb.join(' ')).toContain(`Usage: vitals ${verb.join(' ')}`);
      expect(help.stdout, verb.join(' ')).toContain('--json');
    });
    for (const help of helps.slice(1)) expect(help.stdout).toContain('--state');
    expect(helps[2]!.stdout).toContain('--password-stdin');
    expect(helps[4]!.stdout).toContain('--password-stdin');
  });

  it('says clearly when there is no state database yet', async () => {
    const missing = await vitals(['user', 'list', '--state', path.join(dir, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      `vitals: there is no state database at ${path.join(dir, 'nowhere', 'vitals.duckdb')}\n`,
    );
  });

  it('adds a user with a generated password, printed once, creating the state folder', async () => {
    const added = await vitals(['user', 'add', 'Root', '--role', 'admin', ...s()]);
    expect(added.code, added.stderr).toBe(0);
    const lines = added.stdout.split('\n');
    expect(lines[0]).toBe('created user Root (admin)');
    const password = /^password: ([A-Za-z0-9_-]{24})$/.exec(lines[1]!)?.[1];
    expect(password).toBeDefined();
    expect(lines[2]).toBe('This password is shown only this once: pass it on securely now.');
    expect(await signsIn('root', password!)).toBe(true);

    const json = await vitals(['user', 'add', 'carol', '--json', ...s()]);
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout);
    expect(shown.user).toMatchObject({ username: 'carol', role: 'viewer', disabled: false });
    expect(await signsIn('carol', shown.password)).toBe(true);
  });

  it('adds a user with a password from standard input, without echoing it', async () => {
    const added = await vitals(
      ['user', 'add', 'alice', '--role', 'analyst', '--password-stdin', ...s()],
      `${PASSWORD}\n`,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('created user alice (analyst)\n');
    expect(await signsIn('alice', PASSWORD)).toBe(true);
    expect(await signsIn('alice', `${PASSWORD}\n`)).toBe(false);
  });

  it('lists users as a table and as JSON, never with a password hash', async () => {
    const text = await vitals(['user', ...s()]);
    expect(text.code, text.stderr).toBe(0);
    const rows = text.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^USERNAME\s+ROLE\s+STATUS\s+CREATED\s+LAST SIGN-IN$/);
    expect(rows.slice(1).map((row) => row.split(/\s+/).slice(0, 3))).toEqual([
      ['alice', 'analyst', 'active'],
      ['carol', 'viewer', 'active'],
      ['Root', 'admin', 'active'],
    ]);
    const json = await vitals(['user', 'list', '--json', ...s()]);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => u.username)).toEqual(['alice', 'carol', 'Root']);
    expect(Object.keys(users[0]!).sort()).toEqual([
      'createdAt',
      'disabled',
      'id',
      'lastLoginAt',
      'role',
      'updatedAt',
      'username',
    ]);
    expect(json.stdout).not.toContain('scrypt');
  });

  it('changes roles, resets passwords and disables users, audited as cli', async () => {
    const role = await vitals(['user', 'set-role', 'ALICE', 'admin', ...s()]);
    expect(role.code, role.stderr).toBe(0);
    expect(role.stdout).toBe('alice is now admin (was analyst)\n');
    const again = await vitals(['user', 'set-role', 'alice', 'admin', '--json', ...s()]);
    expect(JSON.parse(again.stdout)).toMatchObject({
      user: { username: 'alice', role: 'admin' },
      previousRole: 'admin',
    });

    const session = await withState(async ({ connection, schema }) => {
      const alice = await findUser(connection, schema, 'alice');
      return createSession(connection, schema, alice!.id);
    });
    const newPassword = 'a brand new passphrase';
    const reset = await vitals(
      ['user', 'reset-password', 'alice', '--password-stdin', ...s()],
      newPassword,
    );
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toBe('password of alice reset; 1 session(s) signed out\n');
    expect(await signsIn('alice', PASSWORD)).toBe(false);
    expect(await signsIn('alice', newPassword)).toBe(true);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const generated = await vitals(['user', 'reset-password', 'carol', '--json', ...s()]);
    const shown = JSON.parse(generated.stdout);
    expect(shown).toMatchObject({ user: { username: 'carol' }, sessionsRevoked: 0 });
    expect(await signsIn('carol', shown.password)).toBe(true);

    const disabled = await vitals(['user', 'disable', 'carol', ...s()]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toBe('carol disabled; 0 session(s) and 0 API token(s) revoked\n');
    expect(await signsIn('carol', shown.password)).toBe(false);
    const twice = await vitals(['user', 'disable', 'carol', ...s()]);
    expect(twice.stdout).toBe('carol was already disabled; nothing changed\n');

    const entries = await withState(({ connection, schema }) =>
      listAuthAudit(connection, schema, { actor: 'cli' }),
    );
    expect(entries.map((e) => [e.action, e.target]).reverse()).toEqual([
      ['user_created', 'Root'],
      ['user_created', 'carol'],
      ['user_created', 'alice'],
      ['role_changed', 'alice'],
      ['password_reset', 'alice'],
      ['password_reset', 'carol'],
      ['user_disabled', 'carol'],
    ]);
    expect(JSON.stringify(entries)).not.toContain(newPassword);
  });

  it('fails with exit 1 and a clear message on unknown users, bad roles and weak passwords', async () => {
    // Root is to be the only enabled admin.
    const setup = await vitals(['user', 'disable', 'alice', ...s()]);
    expect(setup.code, setup.stderr).toBe(0);
    const cases: [string[], string, string][] = [
      [['user', 'set-role', 'nobody', 'viewer'], '', 'vitals: unknown user "nobody"\n'],
      [['user', 'disable', 'nobody'], '', 'vitals: unknown user "nobody"\n'],
      [
        ['user', 'reset-password', 'nobody', '--password-stdin'],
        PASSWORD,
        'vitals: unknown user "nobody"\n',
      ],
      [
        ['user', 'add', 'dave', '--password-stdin'],
        'short\n',
        'vitals: the password must be at least 12 characters long (it has 5)\n',
      ],
      [
        ['user', 'add', 'ALICE', '--password-stdin'],
        PASSWORD,
        'vitals: a user named "alice" already exists\n',
      ],
      [
        ['user', 'add', 'dave', '--password-stdin'],
        '',
        'vitals: --password-stdin: standard input was empty\n',
      ],
      [
        ['user', 'set-role', 'root', 'viewer'],
        '',
        'vitals: cannot demote Root: it is the only enabled admin (make another user admin first)\n',
      ],
    ];
    // One at a time: each run holds the state database while it works.
    for (const [args, input, message] of cases) {
      const run = await vitals([...args, ...s()], input);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr, args.join(' ')).toBe(message);
    }
    // Arguments are checked before the state database is opened, so these can run together.
    const badRoles = await Promise.all([
      vitals(['user', 'add', 'dave', '--role', 'root', ...s()]),
      vitals(['user', 'set-role', 'alice', 'superuser', ...s()]),
    ]);
    for (const run of badRoles) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('expected one of viewer, analyst, admin, got "');
    }
    const dave = await withState(({ connection, schema }) => findUser(connection, schema, 'dave'));
    expect(dave).toBeNull();
  });
});
