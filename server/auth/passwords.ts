import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { AppError } from '../errors.ts';

/**
 * Password hashing with scrypt, stored as a self-describing string
 * `scrypt$N$r$p$salt_b64$hash_b64` so that the parameters can be raised later: old hashes still
 * verify with the parameters they carry, and `needsRehash` says when to re-hash at sign-in.
 *
 * N = 2^15, r = 8 uses 32 MiB per hash; p = 3 brings the work to OWASP's scrypt minimum
 * (equivalent to N = 2^17, p = 1) without quadrupling the memory, which matters when several
 * people sign in at once on a small machine.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 2 ** 15, r: 8, p: 3 });
const SALT_BYTES = 16;
const KEY_BYTES = 64;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * Bounds on parameters read back from a stored hash: a corrupted or planted hash must not make
 * one verification take minutes or gigabytes.
 */
const LIMITS = { N: [2 ** 10, 2 ** 20], r: [1, 32], p: [1, 16] } as const;

interface Decoded extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

/** Memory scrypt needs (128 * N * r bytes), doubled for headroom; Node refuses beyond maxmem. */
const maxmem = ({ N, r }: ScryptParams) => 256 * N * r;

function derive(password: string, salt: Buffer, keyBytes: number, params: ScryptParams) {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmem(params) };
  return new Promise<Buffer>((resolve, reject) => {
    // Passwords are compared as NFC so that the same text typed on different systems matches.
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Length in characters (code points, after NFC), which is what a person counts. */
function passwordLength(password: string): number {
  return [...password.normalize('NFC')].length;
}

/** What is wrong with a new password, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  const length = passwordLength(password);
  if (length < MIN_PASSWORD_LENGTH) {
    return `the password must be at least ${MIN_PASSWORD_LENGTH} characters long (it has ${length})`;
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return `the password must be at most ${MAX_PASSWORD_LENGTH} characters long`;
  }
  return null;
}

/** Throws a 400 `weak_password` error naming the problem when a new password is not acceptable. */
export function assertPasswordAllowed(password: string): void {
  const problem = passwordProblem(password);
  if (problem !== null) throw new AppError(400, 'weak_password', problem);
}

/** A random password of 24 characters (144 bits), for generated credentials. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Hashes a password; `params` exist for tests and for future parameter changes. */
export async function hashPassword(
  password: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, params);
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

function inRange(value: number, [low, high]: readonly [number, number]): boolean {
  return Number.isInteger(value) && value >= low && value <= high;
}

/** Parses a stored hash; null when it is not one this module wrote or within its limits. */
function decode(encoded: string): Decoded | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,9}$/.test(part!) ? Number(part) : NaN));
  if (!inRange(N!, LIMITS.N) || (N! & (N! - 1)) !== 0) return null;
  if (!inRange(r!, LIMITS.r) || !inRange(p!, LIMITS.p)) return null;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length < SALT_BYTES || hash.length < 32 || hash.length > 128) return null;
  return { N: N!, r: r!, p: p!, salt, hash };
}

/**
 * Whether `password` matches the stored hash. The comparison is constant-time
 * (`timingSafeEqual`); a malformed hash never matches.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const decoded = decode(encoded);
  if (decoded === null) return false;
  const key = await derive(password, decoded.salt, decoded.hash.length, decoded);
  return timingSafeEqual(key, decoded.hash);
}

/**
 * The same work as verifying against a current hash, always false: run for unknown users so that
 * the time a failed sign-in takes does not tell whether the user exists.
 */
export async function dummyVerify(password: string): Promise<false> {
  const key = await derive(password, randomBytes(SALT_BYTES), KEY_BYTES, SCRYPT_PARAMS);
  timingSafeEqual(key, randomBytes(KEY_BYTES));
  return false;
}

/** Whether a stored hash should be replaced by one with the current parameters. */
export function needsRehash(encoded: string): boolean {
  const decoded = decode(encoded);
  return (
    decoded === null ||
    decoded.N !== SCRYPT_PARAMS.N ||
    decoded.r !== SCRYPT_PARAMS.r ||
    decoded.p !== SCRYPT_PARAMS.p ||
    decoded.salt.length !== SALT_BYTES ||
    decoded.hash.length !== KEY_BYTES
  );
}
