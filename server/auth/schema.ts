import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * The sign-in tables in the state database, created when missing (idempotent). No foreign keys
 * and no CHECK on roles: DuckDB cannot alter either later, so the code validates instead.
 *
 * - `users`: `username` as entered, `username_key` its lower case, which is what is unique
 *   (usernames are ASCII, so lower-casing is unambiguous). `password_hash` is a self-describing
 *   scrypt string (see passwords.ts).
 * - `sessions`: `id` is the SHA-256 of the session token; the token itself is never stored.
 *   A session ends at `expires_at`, after `idle_minutes` without use, or when revoked.
 * - `api_tokens`: `token_hash` is the SHA-256 of the token; `prefix` is its first 8 characters,
 *   to tell tokens apart in a list.
 * - `auth_audit`: every sign-in, failed sign-in, sign-out and change to users and tokens.
 *   `seq` comes from a sequence, so concurrent writers never collide on it; `detail` is JSON.
 */
export async function ensureAuth(connection: DuckDBConnection, schema: string): Promise<void> {
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.users (
    id VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL,
    username_key VARCHAR NOT NULL UNIQUE,
    role VARCHAR NOT NULL,
    password_hash VARCHAR NOT NULL,
    disabled BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.sessions (
    id VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    idle_minutes INTEGER NOT NULL,
    revoked_at TIMESTAMP
  )`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.api_tokens (
    id VARCHAR PRIMARY KEY,
    user_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    token_hash VARCHAR NOT NULL UNIQUE,
    prefix VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
  )`);
  await connection.run(`CREATE SEQUENCE IF NOT EXISTS ${schema}.auth_audit_seq`);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${schema}.auth_audit (
    seq BIGINT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    target VARCHAR,
    ip VARCHAR,
    detail VARCHAR
  )`);
}
