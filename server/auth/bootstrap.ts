import type { DuckDBConnection } from '@duckdb/node-api';
import { ConfigError } from '../config.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';
import { inAuthTransaction } from './sql.ts';
import {
  countUsers,
  findUserById,
  insertUser,
  usernameKey,
  usernameProblem,
  type User,
} from './users.ts';

/** The environment variables that name the first admin. */
export interface BootstrapEnv {
  VITALS_ADMIN_USER?: string;
  VITALS_ADMIN_PASSWORD?: string;
}

export type BootstrapResult =
  | { created: false }
  | {
      created: true;
      user: User;
      /** The generated password when none was configured: print it once, it is not kept. */
      generatedPassword: string | null;
    };

export const DEFAULT_ADMIN_USER = 'admin';

/** The admin's name and password from the environment; every problem at once, as ConfigError. */
function adminFromEnv(env: BootstrapEnv): { username: string; password: string | null } {
  const username = env.VITALS_ADMIN_USER || DEFAULT_ADMIN_USER;
  const password = env.VITALS_ADMIN_PASSWORD || null;
  const problems: string[] = [];
  const nameProblem = usernameProblem(username);
  if (nameProblem !== null) problems.push(`VITALS_ADMIN_USER: ${nameProblem}`);
  if (password !== null) {
    const problem =
      passwordProblem(password) ??
      (usernameKey(password) === usernameKey(username)
        ? 'the password must not be the username'
        : null);
    if (problem !== null) problems.push(`VITALS_ADMIN_PASSWORD: ${problem}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { username, password };
}

/**
 * Creates the first admin when there are no users at all, from VITALS_ADMIN_USER (default
 * `admin`) and VITALS_ADMIN_PASSWORD, or with a generated password that is returned so that the
 * caller can print it once. Once any user exists it does nothing, whatever the environment says,
 * and the variables are not read.
 */
export async function bootstrapAdmin(
  connection: DuckDBConnection,
  schema: string,
  env: BootstrapEnv,
  now: Date = new Date(),
): Promise<BootstrapResult> {
  if ((await countUsers(connection, schema)) > 0) return { created: false };
  const admin = adminFromEnv(env);
  const password = admin.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  // Counted again inside the transaction: another process may have created a user meanwhile.
  const id = await inAuthTransaction(connection, async () => {
    if ((await countUsers(connection, schema)) > 0) return null;
    return insertUser(
      connection,
      schema,
      { username: admin.username, role: 'admin', passwordHash },
      { actor: 'bootstrap', now, detail: { passwordGenerated: admin.password === null } },
    );
  });
  if (id === null) return { created: false };
  return {
    created: true,
    user: (await findUserById(connection, schema, id))!,
    generatedPassword: admin.password === null ? password : null,
  };
}
