/**
 * The error of every failed secret operation: a bad key spec or key file, a
 * stored value that does not decrypt, an unknown key id. Messages name the
 * account, field, key id or file involved, and never contain a plaintext or
 * a key, so callers may log them.
 *
 * It is not an `AppError` on purpose: a value that fails to decrypt is a
 * server fault, and the HTTP layer responds to any other error with a 500
 * that leaks nothing.
 */
export class SecretError extends Error {
  /** The account, field and key id involved, when the error concerns a stored value. */
  readonly accountId: string | undefined;
  readonly field: string | undefined;
  readonly keyId: string | undefined;

  constructor(
    message: string,
    context: { accountId?: string | number; field?: string; keyId?: string } = {},
  ) {
    super(message);
    this.name = 'SecretError';
    this.accountId = context.accountId === undefined ? undefined : String(context.accountId);
    this.field = context.field;
    this.keyId = context.keyId;
  }
}
