import { z } from 'zod';
import type { ApiTokenRecord, Store, UserRecord } from '../../db/types.js';
import { requireAdmin, type Principal } from '../access/principal.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../validation.js';
import { hashPassword } from './passwords.js';
import { passwordSchema } from './service.js';
import { API_TOKEN_PREFIX, hashToken, newToken } from './tokens.js';

/** A user as shown outside the server: no password hash. */
export type PublicUser = Omit<UserRecord, 'passwordHash'>;

export function toPublicUser(user: UserRecord): PublicUser {
  const { passwordHash: _hidden, ...rest } = user;
  return rest;
}

const accountIds = z.array(z.number().int().positive()).max(1000);

const newUserSchema = z.strictObject({
  email: z.email('must be an email address'),
  name: z.string().trim().min(1, 'is required').max(200),
  role: z.enum(['admin', 'support', 'manager'], {
    error: 'must be "admin", "support" or "manager"',
  }),
  password: passwordSchema,
  accountIds: accountIds.default([]),
});

const userPatchSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(['admin', 'support', 'manager']).optional(),
  password: passwordSchema.optional(),
  accountIds: accountIds.optional(),
  disabled: z.boolean().optional(),
});

const tokenSchema = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(200),
  accountIds: accountIds.min(1, 'needs at least one account the token may use'),
});

function checkAccountsExist(store: Store, ids: number[]): void {
  const missing = ids.filter((id) => !store.accounts.get(id));
  if (missing.length > 0) {
    throw new AppError(400, 'invalid_input', `Unknown account ids: ${missing.join(', ')}`, {
      accountIds: missing,
    });
  }
}

async function insertUser(store: Store, input: z.output<typeof newUserSchema>, now: number) {
  if (store.users.findByEmail(input.email)) {
    throw new AppError(409, 'conflict', `A user with the email ${input.email} exists already`);
  }
  checkAccountsExist(store, input.accountIds);
  const { password, ...rest } = input;
  return store.users.create({
    ...rest,
    passwordHash: await hashPassword(password),
    createdAt: now,
  });
}

export async function createUser(store: Store, principal: Principal, input: unknown, now: number) {
  requireAdmin(principal);
  return insertUser(store, parseInput(newUserSchema, input, 'user'), now);
}

/**
 * Creates the first admin. Refused once any user exists, so this one-time
 * step cannot be used to add an admin later.
 */
export async function setupFirstAdmin(store: Store, input: unknown, now: number) {
  const parsed = parseInput(newUserSchema, { ...(input as object), role: 'admin' }, 'admin');
  if (store.users.count() > 0) {
    throw new AppError(
      409,
      'setup_done',
      'Set-up is done already: a user exists. Log in as an admin to add users.',
    );
  }
  return insertUser(store, parsed, now);
}

/** Changes a user; a new password, role or disabling ends the user's sessions. */
export async function updateUser(
  store: Store,
  principal: Principal,
  id: number,
  input: unknown,
  now: number,
) {
  requireAdmin(principal);
  const patch = parseInput(userPatchSchema, input, 'user update');
  const current = store.users.get(id);
  if (!current) throw notFound('user', id);
  const losesAdmin =
    current.role === 'admin' &&
    current.disabledAt === null &&
    ((patch.role !== undefined && patch.role !== 'admin') || patch.disabled === true);
  const otherAdmins = store.users
    .list()
    .filter((u) => u.id !== id && u.role === 'admin' && u.disabledAt === null);
  if (losesAdmin && otherAdmins.length === 0) {
    throw new AppError(
      409,
      'last_admin',
      `User ${id} is the only active admin: make another user admin first, or nobody could manage users`,
    );
  }
  if (patch.accountIds) checkAccountsExist(store, patch.accountIds);
  const { password, disabled, ...rest } = patch;
  const user = store.users.update(id, {
    ...rest,
    ...(password ? { passwordHash: await hashPassword(password) } : {}),
    ...(disabled === undefined ? {} : { disabledAt: disabled ? now : null }),
  }) as UserRecord;
  if (password || disabled || patch.role) store.sessions.revokeForUser(id, now);
  return user;
}

/** Creates an API token; the token itself is returned once and stored only as its hash. */
export function createApiToken(
  store: Store,
  principal: Principal,
  input: unknown,
  now: number,
): { token: string; record: ApiTokenRecord } {
  requireAdmin(principal);
  const request = parseInput(tokenSchema, input, 'API token');
  checkAccountsExist(store, request.accountIds);
  const token = newToken(API_TOKEN_PREFIX);
  const record = store.tokens.create({
    ...request,
    prefix: token.slice(0, API_TOKEN_PREFIX.length + 6),
    tokenHash: hashToken(token),
    createdBy: principal.kind === 'user' ? principal.userId : null,
    createdAt: now,
  });
  return { token, record };
}
