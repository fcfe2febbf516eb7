// Property-based fuzzing of every registered route of the real app, built once on real Parquet
// data and scored: generated path parameters, query strings and bodies must never produce a 5xx,
// a stack trace, SQL text, the admin password or a token in the reply, and JSON error replies
// always carry `error` and `message`. The seed is fixed (override with FUZZ_SEED) and printed so
// that a failure reproduces.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser, usernameKey } from '../../server/auth/store.ts';
import type { RouteRoleEntry } from '../../server/auth/route-roles.ts';
import { SESSION_COOKIE } from '../../server/plugins/auth.ts';
import { buildTestApp, TEST_ADMIN, tempDir } from '../helpers/app.ts';
import { goodDataset } from '../helpers/parquet.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20240230);
/** Runs per route signed in as admin, and anonymous. */
const ADMIN_RUNS = 150;
const ANONYMOUS_RUNS = 30;

/**
 * The admin that sends the fuzzed requests. Routes that change users (role, password, disable)
 * are fuzzed with generated usernames, which are filtered so that none can name this user: it
 * would otherwise lose its role or its token halfway through the run.
 */
const FUZZ_ADMIN = 'fuzz-admin-q7x3k9';
const FUZZ_ADMIN_PASSWORD = 'fuzz-admin-password-5b2e8d71';

/** Every query and body key some route knows, given wrong types as well as plausible ones. */
const KNOWN_KEYS = [
  'q',
  'band',
  'segment',
  'plan',
  'region',
  'owner',
  'industry',
  'scoreMin',
  'scoreMax',
  'renewalWithinDays',
  'sort',
  'order',
  'page',
  'pageSize',
  'by',
  'months',
  'series',
  'from',
  'to',
  'adjust',
  'periods',
  'asOf',
  'action',
  'actor',
  'since',
  'limit',
  'username',
  'password',
  'role',
  'name',
] as const;

const TRICKY = [
  '',
  ' ',
  '..',
  '../..',
  '%',
  '%%',
  '%zz',
  '%00',
  '\u0000',
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  "admin'--",
  '1; --',
  '\\',
  '*',
  '?',
  '#',
  '&',
  '=',
  '[]',
  '{}',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-Infinity',
  '0',
  '-0',
  '-1',
  '1e309',
  '-1e309',
  '1.5',
  '0x10',
  '99999999999999999999999',
  String(Number.MAX_SAFE_INTEGER + 2),
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '0000-01-01',
  '9999-12-31',
  '2024-01-01T25:00:00Z',
  'A001',
  'a001',
  'red',
  'yellow',
  'green',
  'segment',
  'score',
  'desc',
  'asc',
  'admin',
  'viewer',
  'analyst',
  'login',
  'Ünïcödé 名前 🚀',
  '\u202e\u200b',
  'ß',
  'İ',
];

/** A string such as a request could carry in a path parameter, a query value or a JSON field. */
const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 201, maxLength: 3000 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: -1, max: 10000 }), fc.integer({ min: 0, max: 14 }), fc.nat(33))
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...TRICKY), { maxLength: 4 }).map(String) },
);

/** Whether a (decoded) value could name the fuzzing admin. */
const namesFuzzAdmin = (value: string) => {
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    // Not percent-encoding: the value is taken as it is.
  }
  return [value, decoded].some((v) => usernameKey(v.trim()) === usernameKey(FUZZ_ADMIN));
};

/** A path segment: percent-encoded, or raw when it is one of the tricky spellings of a path. */
const segment: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 4, arbitrary: text.map((value) => encodeURIComponent(value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('..', '.', '%', '%zz', '%00', '%2e%2e', '%2F', 'a/b', '..%2F..'),
    },
  )
  .filter((value) => !namesFuzzAdmin(value));

/** A query string: arbitrary and known keys, repeated keys, wrong types, broken encoding. */
const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 6,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.string({ maxLength: 12 })),
          fc.oneof(text, fc.constant(null)),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map(
        (pairs) =>
          '?' +
          pairs
            .map(([key, value]) =>
              value === null
                ? encodeURIComponent(key)
                : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
            )
            .join('&'),
      ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '?',
      '?&&&',
      '?=',
      '?%',
      '?a=%zz',
      '?page=1&page=2',
      '?band[]=red',
      '?band[0]=red&band[1]=x',
      '?__proto__[x]=1',
      '?constructor=1',
      '?scoreMin=50&scoreMax=10',
      '?from=2024-02-30&to=2024-01-01',
    ),
  },
);

interface Body {
  payload?: string;
  contentType?: string;
}

const json = (value: unknown): Body => ({
  payload: JSON.stringify(value),
  contentType: 'application/json',
});

const wrongTyped: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  text,
);

/** A body for POST, PATCH, PUT and DELETE. */
const body: fc.Arbitrary<Body> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(json) },
  {
    weight: 3,
    arbitrary: fc
      .dictionary(fc.constantFrom(...KNOWN_KEYS), wrongTyped, { maxKeys: 4 })
      .map((object) => json(object)),
  },
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          username: text.filter((value) => !namesFuzzAdmin(value)),
          password: text,
          role: fc.constantFrom('viewer', 'analyst', 'admin', 'root', 'ADMIN', ''),
          name: text,
        },
        { requiredKeys: [] },
      )
      .map(json),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 40 }),
        fc.constantFrom('{', '{"username":', '[1,', "{'a':1}", 'undefined', '\u0000', '{"a":1}}'),
      )
      .filter((value) => {
        try {
          JSON.parse(value);
          return false;
        } catch {
          return true;
        }
      })
      .map((payload) => ({ payload, contentType: 'application/json' })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Body>(
      {},
      { payload: '', contentType: 'application/json' },
      { payload: 'username=a&password=b', contentType: 'application/x-www-form-urlencoded' },
      { payload: 'hello', contentType: 'text/plain' },
      { payload: '{"username":"a"}', contentType: 'application/json; charset=utf-16' },
      { payload: 'x'.repeat(10_000), contentType: 'application/json' },
    ),
  },
);

const BODY_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

interface Fuzzed {
  url: string;
  body: Body;
  remoteAddress: string;
}

function requestFor(route: RouteRoleEntry): fc.Arbitrary<Fuzzed> {
  const parts = route.url.split('/');
  const pathArb = fc
    .tuple(
      ...parts.map((part) => {
        if (part.startsWith(':')) return segment;
        // The web app's catch-all: any path at all.
        if (part === '*') return fc.array(segment, { maxLength: 3 }).map((s) => s.join('/'));
        return fc.constant(part);
      }),
    )
    .map((segments) => segments.join('/'));
  return fc.record({
    url: fc.tuple(pathArb, queryString).map(([p, q]) => p + q),
    body: BODY_METHODS.has(route.method) ? body : fc.constant<Body>({}),
    remoteAddress: fc.ipV4(),
  });
}

const STACK_TRACE = [
  /\bat\s[^\n]*\.ts:\d/,
  /\bat\s[^\n]*node:internal/,
  /Error:[^\n]*(\/[\w.@-]+)+\.(ts|js|mjs|cjs)\b/,
];
const SQL_TEXT = [
  /SELECT /,
  / FROM /,
  /Binder Error/,
  /Parser Error/,
  /Catalog Error/,
  /Conversion Error/,
  /duckdb/i,
];

describe('fuzzing every route', () => {
  let app: FastifyInstance;
  let cleanup: () => Promise<void>;
  let adminHeaders: { authorization: string };
  const secrets: string[] = [TEST_ADMIN.password, FUZZ_ADMIN_PASSWORD];
  let routes: RouteRoleEntry[];
  /** How often each status came back, to show the fuzzing got past validation too. */
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    const data = await tempDir();
    cleanup = data.cleanup;
    await goodDataset(data.dir);
    app = await buildTestApp(data.dir, {}, {}, { anonymous: true });
    await app.ready();
    await app.scoring.idle();
    const token = await app.duckdb.withConnection(async (connection) => {
      const user = await createUser(
        connection,
        app.state.schema,
        { username: FUZZ_ADMIN, role: 'admin', password: FUZZ_ADMIN_PASSWORD },
        { actor: 'test' },
      );
      return (
        await createApiToken(connection, app.state.schema, user.id, 'fuzz', { actor: 'test' })
      ).token;
    });
    adminHeaders = { authorization: `Bearer ${token}` };
    secrets.push(token);
    // A live session of the first admin: its token must never show up in a reply either.
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: TEST_ADMIN.username, password: TEST_ADMIN.password },
      remoteAddress: '10.255.255.254',
    });
    expect(login.statusCode).toBe(200);
    const session = login.cookies.find((cookie) => cookie.name === SESSION_COOKIE)?.value;
    expect(session).toBeTruthy();
    secrets.push(session!);
    routes = [...app.auth.routes];
    console.log(
      `fuzz: seed ${SEED} (set FUZZ_SEED to change), ${routes.length} routes, ${ADMIN_RUNS} runs as admin and ${ANONYMOUS_RUNS} anonymous per route`,
    );
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await cleanup?.();
  });

  /** What is wrong with a reply, if anything. */
  function problems(reply: LightMyRequestResponse, method: string): string[] {
    const found: string[] = [];
    const text = reply.body;
    if (reply.statusCode >= 500) found.push(`status ${reply.statusCode}`);
    for (const pattern of STACK_TRACE) {
      if (pattern.test(text)) found.push(`stack trace ${pattern}`);
    }
    for (const pattern of SQL_TEXT) {
      if (pattern.test(text)) found.push(`SQL text ${pattern}`);
    }
    for (const secret of secrets) {
      if (text.includes(secret)) found.push('a secret (admin password or token)');
    }
    const contentType = String(reply.headers['content-type'] ?? '');
    if (reply.statusCode >= 400 && method !== 'HEAD' && contentType.includes('application/json')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        found.push('error reply that is not JSON');
      }
      const error = parsed as { error?: unknown; message?: unknown } | undefined;
      if (typeof error?.error !== 'string' || typeof error.message !== 'string') {
        found.push('JSON error reply without string error and message');
      }
    }
    return found;
  }

  async function fuzz(route: RouteRoleEntry, signedIn: boolean, numRuns: number) {
    await fc.assert(
      fc.asyncProperty(requestFor(route), async (input) => {
        const options: InjectOptions = {
          method: route.method as InjectOptions['method'],
          url: input.url,
          // Sign-in allows 10 attempts a minute per address: each run comes from its own.
          remoteAddress: input.remoteAddress,
          headers: {
            ...(signedIn ? adminHeaders : {}),
            ...(input.body.contentType ? { 'content-type': input.body.contentType } : {}),
          },
          ...(input.body.payload === undefined ? {} : { payload: input.body.payload }),
        };
        const reply = await app.inject(options);
        statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
        const found = problems(reply, route.method);
        if (found.length > 0) {
          throw new Error(
            `${route.method} ${route.url} (${signedIn ? 'admin' : 'anonymous'}) ${JSON.stringify(input)} -> ${reply.statusCode}: ${found.join(', ')}\n${reply.body.slice(0, 500)}`,
          );
        }
      }),
      { numRuns, seed: SEED, endOnFailure: true },
    );
  }

  it('never answers 5xx or leaks internals, signed in as admin or anonymous', async () => {
    expect(routes.length).toBeGreaterThan(20);
    for (const route of routes) {
      await fuzz(route, true, ADMIN_RUNS);
      await fuzz(route, false, ANONYMOUS_RUNS);
    }
    console.log(`fuzz: statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(statuses.get(200)).toBeGreaterThan(0);
    // The fuzzing admin survived: the user routes never touched it.
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers: adminHeaders });
    expect(me.json().user).toEqual({ username: FUZZ_ADMIN, role: 'admin' });
  }, 300_000);
});
