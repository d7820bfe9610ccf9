/**
 * The one error class that services throw for a request they cannot carry
 * out. The HTTP layer turns it into `{ error: { code, message, details } }`
 * with `status`; the CLI prints `message` and exits non-zero.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * The error of a JSON route that received no JSON body. The HTTP layer responds with 415 instead
 * when the request did carry a body, of another Content-Type.
 */
export class MissingBodyError extends AppError {
  constructor(message: string) {
    super(400, 'invalid_input', message);
  }
}

export function notFound(what: string, id: string | number): AppError {
  return new AppError(404, 'not_found', `${what} ${id} not found`, { [what]: id });
}

export function invalidInput(message: string, details?: Record<string, unknown>): AppError {
  return new AppError(400, 'invalid_input', message, details);
}
