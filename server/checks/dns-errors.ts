/** DNS error codes that mean the name or the type does not exist: a void lookup (RFC 7208 4.6.4). */
const VOID_CODES = new Set(['ENOTFOUND', 'ENODATA']);

export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** True when the lookup failed because the name or type does not exist, not because of a server. */
export function isVoidError(error: unknown): boolean {
  return VOID_CODES.has(errorCode(error));
}

/** Joins each TXT record's character-strings with no separator (RFC 7208 3.3, RFC 6376 3.6.2.2). */
export function joinTxt(answer: unknown): string[] {
  if (!Array.isArray(answer)) {
    return [];
  }
  return answer.map((chunks) => (Array.isArray(chunks) ? chunks.join('') : String(chunks)));
}
