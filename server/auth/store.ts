/**
 * Sign-in storage and logic, over the state database: users with roles and scrypt password
 * hashes, sessions, API tokens, the first admin, and the sign-in audit log. No HTTP here; every
 * function takes the connection and the schema the state database is attached as.
 * Tokens are stored only as SHA-256 hashes and passwords only as scrypt hashes, and no function
 * returns either hash.
 */
export { ensureAuth } from './schema.ts';
export {
  assertCredentialsAllowed,
  countUsers,
  createUser,
  findUser,
  findUserById,
  listUsers,
  parseRole,
  requireUser,
  roleAllows,
  ROLES,
  roleSchema,
  usernameKey,
  usernameProblem,
  type ActionMeta,
  type NewUser,
  type Role,
  type User,
} from './users.ts';
export {
  disableUser,
  resetPassword,
  revokeUserSessions,
  setRole,
  type DisableResult,
} from './user-changes.ts';
export { authenticate, type SignInMeta } from './sign-in.ts';
export {
  createSession,
  resolveSession,
  revokeSession,
  SESSION_DEFAULTS,
  type SessionOptions,
} from './sessions.ts';
export {
  createApiToken,
  listApiTokens,
  resolveApiToken,
  revokeApiToken,
  type ApiToken,
  type CreatedApiToken,
} from './api-tokens.ts';
export {
  bootstrapAdmin,
  DEFAULT_ADMIN_USER,
  type BootstrapEnv,
  type BootstrapResult,
} from './bootstrap.ts';
export {
  audit,
  AUTH_ACTIONS,
  listAuthAudit,
  type AuthAction,
  type AuthAuditEntry,
  type AuthAuditFilter,
  type NewAuthAuditEntry,
} from './audit.ts';
