import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { queryRows } from '../../data/duckdb.ts';
import { AppError } from '../errors.ts';
import { audit } from './audit.ts';
import { assertPasswordAllowed, hashPassword } from './passwords.ts';
import { at, inAuthTransaction, isoTimestamp } from './sql.ts';

/** Roles, least to most privileged: each can do what the ones before it can. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** Whether `role` may do what `needed` may. */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** A user as the rest of Vitals sees one: never with the password hash. */
export interface User {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

/** Who makes a change, from where and when; recorded in the audit log. */
export interface ActionMeta {
  actor: string;
  ip?: string | null;
  now?: Date;
}

/** ASCII only, so that "case-insensitive" means one thing everywhere; e-mail addresses fit. */
const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** What is wrong with a username, or null when it is acceptable. */
export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username)
    ? null
    : `invalid username "${username}": use 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`;
}

/** The form in which usernames are compared and unique. */
export const usernameKey = (username: string) => username.toLowerCase();

export function parseRole(value: string): Role {
  const parsed = roleSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError(
      400,
      'invalid_role',
      `unknown role "${value}": expected one of ${ROLES.join(', ')}`,
    );
  }
  return parsed.data;
}

export interface UserRow {
  id: string;
  username: string;
  role: Role;
  disabled: boolean;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

/** Users' public columns (timestamps as ISO strings) from `u`; no hash leaves this query. */
export const USER_COLUMNS = `u.id, u.username, u.role, u.disabled,
  ${isoTimestamp('u.created_at')} AS created_at, ${isoTimestamp('u.updated_at')} AS updated_at,
  ${isoTimestamp('u.last_login_at')} AS last_login_at`;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

async function selectUser(
  connection: DuckDBConnection,
  schema: string,
  where: string,
  params: Record<string, unknown>,
): Promise<User | null> {
  const [row] = await queryRows<UserRow>(
    connection,
    `SELECT ${USER_COLUMNS} FROM ${schema}.users u WHERE ${where}`,
    params,
  );
  return row ? toUser(row) : null;
}

/** The user with this name, in any case, or null. */
export function findUser(connection: DuckDBConnection, schema: string, username: string) {
  return selectUser(connection, schema, 'u.username_key = $key', { key: usernameKey(username) });
}

export function findUserById(connection: DuckDBConnection, schema: string, id: string) {
  return selectUser(connection, schema, 'u.id = $id', { id });
}

/** Like `findUser`, but an unknown user is a 404 `unknown_user` error naming it. */
export async function requireUser(
  connection: DuckDBConnection,
  schema: string,
  username: string,
): Promise<User> {
  const user = await findUser(connection, schema, username);
  if (!user) throw new AppError(404, 'unknown_user', `unknown user "${username}"`);
  return user;
}

/** Every user, by name. */
export async function listUsers(connection: DuckDBConnection, schema: string): Promise<User[]> {
  const rows = await queryRows<UserRow>(
    connection,
    `SELECT ${USER_COLUMNS} FROM ${schema}.users u ORDER BY u.username_key`,
  );
  return rows.map(toUser);
}

export async function countUsers(connection: DuckDBConnection, schema: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    connection,
    `SELECT count(*)::INTEGER AS n FROM ${schema}.users`,
  );
  return row!.n;
}

/** Checks a new username and password together; throws a 400 error naming the problem. */
export function assertCredentialsAllowed(username: string, password: string): void {
  const problem = usernameProblem(username);
  if (problem !== null) throw new AppError(400, 'invalid_username', problem);
  assertPasswordAllowed(password);
  if (usernameKey(password) === usernameKey(username)) {
    throw new AppError(400, 'weak_password', 'the password must not be the username');
  }
}

export interface NewUser {
  username: string;
  role: Role;
  password: string;
}

/**
 * Inserts a user and its `user_created` audit row, inside the caller's transaction; the password
 * is already checked and hashed. A taken name (in any case) is a 409 `user_exists` error.
 */
export async function insertUser(
  connection: DuckDBConnection,
  schema: string,
  user: { username: string; role: Role; passwordHash: string },
  meta: ActionMeta & { now: Date; detail?: Record<string, unknown> },
): Promise<string> {
  const taken = await findUser(connection, schema, user.username);
  if (taken) {
    throw new AppError(409, 'user_exists', `a user named "${taken.username}" already exists`);
  }
  const id = randomUUID();
  await connection.run(
    `INSERT INTO ${schema}.users
     VALUES ($id, $username, $key, $role, $hash, false, $at::TIMESTAMP, $at::TIMESTAMP, NULL)`,
    {
      id,
      username: user.username,
      key: usernameKey(user.username),
      role: user.role,
      hash: user.passwordHash,
      at: at(meta.now),
    },
  );
  await audit(
    connection,
    schema,
    {
      actor: meta.actor,
      action: 'user_created',
      target: user.username,
      ip: meta.ip,
      detail: { role: user.role, ...meta.detail },
    },
    meta.now,
  );
  return id;
}

/** Creates a user; the username must be free in any case and the password acceptable. */
export async function createUser(
  connection: DuckDBConnection,
  schema: string,
  user: NewUser,
  meta: ActionMeta,
): Promise<User> {
  const role = parseRole(user.role);
  assertCredentialsAllowed(user.username, user.password);
  const passwordHash = await hashPassword(user.password);
  const now = meta.now ?? new Date();
  const id = await inAuthTransaction(connection, () =>
    insertUser(
      connection,
      schema,
      { username: user.username, role, passwordHash },
      { ...meta, now },
    ),
  );
  return (await findUserById(connection, schema, id))!;
}
