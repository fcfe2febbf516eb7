import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  assertPasswordAllowed,
  dummyVerify,
  generatePassword,
  hashPassword,
  needsRehash,
  passwordProblem,
  SCRYPT_PARAMS,
  verifyPassword,
} from '../../server/auth/passwords.ts';

// The real functions, wrapped so that the tests can see which ones the module calls and how.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return {
    ...actual,
    scrypt: vi.fn(actual.scrypt),
    timingSafeEqual: vi.fn(actual.timingSafeEqual),
  };
});

const PASSWORD = 'correct horse battery staple';
const CHEAP = { N: 2 ** 14, r: 8, p: 1 };

/** Replaces one part of an encoded hash. */
function withPart(encoded: string, index: number, value: string): string {
  const parts = encoded.split('$');
  parts[index] = value;
  return parts.join('$');
}

describe('password hashing', () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
  });

  it('encodes the algorithm, its parameters, a 16-byte salt and a 64-byte key', async () => {
    const encoded = await hashPassword(PASSWORD);
    const parts = encoded.split('$');
    expect(parts.slice(0, 4)).toEqual(['scrypt', '32768', '8', '3']);
    expect(SCRYPT_PARAMS.N).toBeGreaterThanOrEqual(2 ** 15);
    expect(Buffer.from(parts[4]!, 'base64')).toHaveLength(16);
    expect(Buffer.from(parts[5]!, 'base64')).toHaveLength(64);
    expect(encoded).not.toContain(PASSWORD);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, encoded)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts every hash, so the same password never hashes the same twice', async () => {
    const [a, b] = await Promise.all([hashPassword(PASSWORD), hashPassword(PASSWORD)]);
    expect(a).not.toBe(b);
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('compares keys with timingSafeEqual, and a tampered hash or salt fails', async () => {
    const encoded = await hashPassword(PASSWORD);
    expect(await verifyPassword(PASSWORD, encoded)).toBe(true);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);

    const key = Buffer.from(encoded.split('$')[5]!, 'base64');
    key[63] = key[63]! ^ 1;
    expect(await verifyPassword(PASSWORD, withPart(encoded, 5, key.toString('base64')))).toBe(
      false,
    );
    const salt = Buffer.from(encoded.split('$')[4]!, 'base64');
    salt[0] = salt[0]! ^ 1;
    expect(await verifyPassword(PASSWORD, withPart(encoded, 4, salt.toString('base64')))).toBe(
      false,
    );
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(3);
  });

  it('never matches a malformed hash, and refuses parameters beyond its limits without running them', async () => {
    const encoded = await hashPassword(PASSWORD);
    vi.mocked(crypto.scrypt).mockClear();
    for (const bad of [
      '',
      'scrypt',
      encoded.replace('scrypt$', 'bcrypt$'),
      withPart(encoded, 1, String(2 ** 30)),
      withPart(encoded, 1, '1000'),
      withPart(encoded, 2, '0'),
      withPart(encoded, 3, '99'),
      withPart(encoded, 4, ''),
      withPart(encoded, 5, 'AAAA'),
      `${encoded}$extra`,
    ]) {
      expect(await verifyPassword(PASSWORD, bad), bad).toBe(false);
      expect(needsRehash(bad), bad).toBe(true);
    }
    expect(crypto.scrypt).not.toHaveBeenCalled();
  });

  it('says when a hash was made with other parameters, which still verify', async () => {
    const current = await hashPassword(PASSWORD);
    const older = await hashPassword(PASSWORD, CHEAP);
    expect(older.startsWith('scrypt$16384$8$1$')).toBe(true);
    expect(needsRehash(current)).toBe(false);
    expect(needsRehash(older)).toBe(true);
    expect(await verifyPassword(PASSWORD, older)).toBe(true);
    expect(await verifyPassword('another password', older)).toBe(false);
  });

  it('compares passwords in Unicode NFC, so composed and decomposed accents match', async () => {
    const composed = 'caf\u00e9 au lait, s\u2019il vous pla\u00eet';
    const encoded = await hashPassword(composed);
    expect(await verifyPassword(composed.normalize('NFD'), encoded)).toBe(true);
  });

  it('makes dummyVerify do the same work as a real verify: one scrypt with the current parameters', async () => {
    const encoded = await hashPassword(PASSWORD);
    vi.mocked(crypto.scrypt).mockClear();
    await verifyPassword(PASSWORD, encoded);
    expect(await dummyVerify(PASSWORD)).toBe(false);
    const calls = vi.mocked(crypto.scrypt).mock.calls;
    expect(calls).toHaveLength(2);
    const [real, dummy] = calls.map(([, salt, keylen, options]) => ({
      salt: (salt as Buffer).length,
      keylen,
      options,
    }));
    expect(dummy).toEqual(real);
    expect(dummy!.options).toMatchObject(SCRYPT_PARAMS);
    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(2);
  });
});

describe('password rules', () => {
  it('wants 12 to 1024 characters, counted as a person counts them', () => {
    expect(passwordProblem('a'.repeat(11))).toBe(
      'the password must be at least 12 characters long (it has 11)',
    );
    expect(passwordProblem('a'.repeat(12))).toBeNull();
    expect(passwordProblem('a'.repeat(1024))).toBeNull();
    expect(passwordProblem('a'.repeat(1025))).toBe(
      'the password must be at most 1024 characters long',
    );
    // Six emoji are twelve UTF-16 code units but six characters.
    expect(passwordProblem('\u{1F512}'.repeat(6))).toBe(
      'the password must be at least 12 characters long (it has 6)',
    );
    expect(passwordProblem('\u{1F512}'.repeat(12))).toBeNull();
  });

  it('refuses a weak password with a 400 weak_password error', () => {
    expect(() => assertPasswordAllowed('short')).toThrow(
      expect.objectContaining({
        status: 400,
        code: 'weak_password',
        message: 'the password must be at least 12 characters long (it has 5)',
      }),
    );
    expect(() => assertPasswordAllowed(PASSWORD)).not.toThrow();
  });

  it('generates distinct passwords that pass the rules', () => {
    const generated = Array.from({ length: 20 }, generatePassword);
    expect(new Set(generated).size).toBe(20);
    for (const password of generated) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(passwordProblem(password)).toBeNull();
    }
  });
});
