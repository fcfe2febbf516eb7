import { Command, InvalidArgumentError, Option } from 'commander';
import type { OpenState } from '../../../lab/registry/index.ts';
import { generatePassword } from '../../auth/passwords.ts';
import {
  createUser,
  disableUser,
  ensureAuth,
  listUsers,
  resetPassword,
  ROLES,
  setRole,
  type Role,
  type User,
} from '../../auth/store.ts';
import { formatTable, printJson, stateOption, withState } from './models.ts';

/** Changes made from the command line are audited with this actor. */
const ACTOR = 'cli';

function roleArgument(value: string): Role {
  if (!(ROLES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}, got "${value}"`);
  }
  return value as Role;
}

/** Opens the state folder with the sign-in tables ensured, runs `work`, closes it. */
function withAuth<T>(
  stateDir: string,
  work: (state: OpenState) => Promise<T>,
  options: { mustExist?: boolean } = { mustExist: true },
): Promise<T> {
  return withState(
    stateDir,
    async (state) => {
      await ensureAuth(state.connection, state.schema);
      return work(state);
    },
    options,
  );
}

/**
 * The password for `add` and `reset-password`: all of standard input with one trailing newline
 * removed when `--password-stdin` is given (never a prompt, never an argument, which other users
 * of the machine could read in the process list), else a generated one.
 */
async function newPassword(fromStdin: boolean): Promise<{ password: string; generated: boolean }> {
  if (!fromStdin) return { password: generatePassword(), generated: true };
  if (process.stdin.isTTY) {
    throw new Error(
      `--password-stdin reads a password piped to the command, for example: printf '%s' "$PASSWORD" | npm run vitals -- user add NAME --password-stdin`,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password.length === 0) throw new Error('--password-stdin: standard input was empty');
  return { password, generated: false };
}

function printGenerated(password: string): void {
  process.stdout.write(
    `password: ${password}\nThis password is shown only this once: pass it on securely now.\n`,
  );
}

const passwordStdinOption = () =>
  new Option(
    '--password-stdin',
    'read the password from standard input (default: generate one and print it once)',
  );

export function userCommand(): Command {
  const user = new Command('user').description(
    'users who sign in to Vitals, in STATE_DIR: list (default), add, set-role, reset-password, disable; each with --json',
  );
  user.addCommand(
    new Command('list')
      .description('list users with role, status, created and last sign-in (never passwords)')
      .addOption(stateOption())
      .option('--json', 'print the list as JSON')
      .action(async (options: { state: string; json?: boolean }) => {
        const users = await withAuth(options.state, ({ connection, schema }) =>
          listUsers(connection, schema),
        );
        if (options.json) return printJson(users);
        if (users.length === 0) return void process.stdout.write('no users\n');
        process.stdout.write(
          formatTable(
            ['USERNAME', 'ROLE', 'STATUS', 'CREATED', 'LAST SIGN-IN'],
            users.map((u: User) => [
              u.username,
              u.role,
              u.disabled ? 'disabled' : 'active',
              u.createdAt,
              u.lastLoginAt,
            ]),
          ),
        );
      }),
    { isDefault: true },
  );
  user.addCommand(
    new Command('add')
      .description('add a user; prints a generated password once unless --password-stdin')
      .argument('<name>', 'username (letters, digits, . _ @ -; unique regardless of case)')
      .addOption(
        new Option('--role <role>', ROLES.join(' | '))
          .argParser(roleArgument)
          .default('viewer' satisfies Role),
      )
      .addOption(passwordStdinOption())
      .addOption(stateOption())
      .option('--json', 'print the user (and a generated password) as JSON')
      .action(
        async (
          name: string,
          options: { role: Role; passwordStdin?: boolean; state: string; json?: boolean },
        ) => {
          const { password, generated } = await newPassword(options.passwordStdin === true);
          const created = await withAuth(
            options.state,
            ({ connection, schema }) =>
              createUser(
                connection,
                schema,
                { username: name, role: options.role, password },
                { actor: ACTOR },
              ),
            { mustExist: false },
          );
          if (options.json) {
            return printJson(generated ? { user: created, password } : { user: created });
          }
          process.stdout.write(`created user ${created.username} (${created.role})\n`);
          if (generated) printGenerated(password);
        },
      ),
  );
  user.addCommand(
    new Command('set-role')
      .description(`change a user's role (${ROLES.join(', ')})`)
      .argument('<name>', 'username (any case)')
      .argument('<role>', ROLES.join(' | '), roleArgument)
      .addOption(stateOption())
      .option('--json', 'print the user as JSON')
      .action(async (name: string, role: Role, options: { state: string; json?: boolean }) => {
        const { user: changed, previous } = await withAuth(
          options.state,
          ({ connection, schema }) => setRole(connection, schema, name, role, { actor: ACTOR }),
        );
        if (options.json) return printJson({ user: changed, previousRole: previous });
        process.stdout.write(
          previous === changed.role
            ? `${changed.username} is already ${changed.role}; nothing changed\n`
            : `${changed.username} is now ${changed.role} (was ${previous})\n`,
        );
      }),
  );
  user.addCommand(
    new Command('reset-password')
      .description(
        'set a new password and sign the user out everywhere; prints a generated password once unless --password-stdin',
      )
      .argument('<name>', 'username (any case)')
      .addOption(passwordStdinOption())
      .addOption(stateOption())
      .option('--json', 'print the user (and a generated password) as JSON')
      .action(
        async (
          name: string,
          options: { passwordStdin?: boolean; state: string; json?: boolean },
        ) => {
          const { password, generated } = await newPassword(options.passwordStdin === true);
          const reset = await withAuth(options.state, ({ connection, schema }) =>
            resetPassword(connection, schema, name, password, { actor: ACTOR }),
          );
          if (options.json) {
            const shown = { user: reset.user, sessionsRevoked: reset.sessionsRevoked };
            return printJson(generated ? { ...shown, password } : shown);
          }
          process.stdout.write(
            `password of ${reset.user.username} reset; ${reset.sessionsRevoked} session(s) signed out\n`,
          );
          if (generated) printGenerated(password);
        },
      ),
  );
  user.addCommand(
    new Command('disable')
      .description('disable a user and revoke their sessions and API tokens')
      .argument('<name>', 'username (any case)')
      .addOption(stateOption())
      .option('--json', 'print the result as JSON')
      .action(async (name: string, options: { state: string; json?: boolean }) => {
        const result = await withAuth(options.state, ({ connection, schema }) =>
          disableUser(connection, schema, name, { actor: ACTOR }),
        );
        if (options.json) return printJson(result);
        process.stdout.write(
          result.alreadyDisabled
            ? `${result.user.username} was already disabled; nothing changed\n`
            : `${result.user.username} disabled; ${result.sessionsRevoked} session(s) and ${result.tokensRevoked} API token(s) revoked\n`,
        );
      }),
  );
  return user;
}
