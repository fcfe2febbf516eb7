import { createHash, randomBytes } from 'node:crypto';

/**
 * Session and API tokens: 32 random bytes, base64url. Only their SHA-256 is stored, so a copy of
 * the state folder does not hold a usable credential. (A fast hash is enough here, unlike for
 * passwords: a 256-bit random token cannot be guessed offline.)
 */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** API tokens start with this, so that they are recognisable in configs and secret scanners. */
export const API_TOKEN_PREFIX = 'vit_';

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

export function isSessionToken(raw: string): boolean {
  return TOKEN_PATTERN.test(raw);
}

export function isApiToken(raw: string): boolean {
  return raw.startsWith(API_TOKEN_PREFIX) && TOKEN_PATTERN.test(raw.slice(API_TOKEN_PREFIX.length));
}

export function sha256Hex(raw: string): string {
  return createHash('sha256').update(raw, 'utf8').digest('hex');
}
