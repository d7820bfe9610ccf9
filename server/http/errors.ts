import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError, MissingBodyError } from '../errors.js';
import type { Logger } from '../logger.js';

/** The one error shape of the API: `{ error: { code, message, details? } }`. */
export function errorBody(error: AppError) {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

export const notFoundRoute: RequestHandler = (req, res) => {
  res
    .status(404)
    .json(
      errorBody(
        new AppError(
          404,
          'not_found',
          `No API route ${req.method} ${req.originalUrl.split('?')[0]}`,
        ),
      ),
    );
};

interface HttpParserError extends Error {
  status?: number;
  type?: string;
  /** The body size limit in bytes, on body-parser's entity.too.large error. */
  limit?: number;
}

/** Returns true when the request carries a body: a length above 0, or chunks. */
function hasBody(req: Request): boolean {
  return Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
}

function megabytes(bytes: number | undefined): string {
  return bytes ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB` : '2 MB';
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof MissingBodyError && hasBody(req)) {
      // A body was sent but not as JSON, so the JSON parser left it unread.
      const type = req.get('content-type') ?? 'none';
      res
        .status(415)
        .json(
          errorBody(
            new AppError(
              415,
              'unsupported_media_type',
              `Send the body as JSON with Content-Type: application/json (got ${type})`,
            ),
          ),
        );
      return;
    }
    if (error instanceof AppError) {
      res.status(error.status).json(errorBody(error));
      return;
    }
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      // Another writer held the database past the busy timeout: a retry soon will succeed.
      res.setHeader('Retry-After', '1');
      res
        .status(503)
        .json(errorBody(new AppError(503, 'busy', 'The database is busy; retry in a second')));
      return;
    }
    const parserError = error as HttpParserError;
    if (parserError.type === 'entity.parse.failed') {
      res
        .status(400)
        .json(
          errorBody(
            new AppError(
              400,
              'invalid_json',
              `The request body must be a JSON object or array: ${parserError.message}`,
            ),
          ),
        );
      return;
    }
    if (parserError.type === 'entity.too.large') {
      res
        .status(413)
        .json(
          errorBody(
            new AppError(
              413,
              'body_too_large',
              `The request body is larger than the limit of ${megabytes(parserError.limit)} for this route`,
            ),
          ),
        );
      return;
    }
    if (parserError.status && parserError.status >= 400 && parserError.status < 500) {
      res
        .status(parserError.status)
        .json(errorBody(new AppError(parserError.status, 'bad_request', parserError.message)));
      return;
    }
    logger.error(
      { module: 'http', err: error, method: req.method, path: req.path },
      'request failed',
    );
    res
      .status(500)
      .json(
        errorBody(
          new AppError(
            500,
            'internal_error',
            'The server failed to process the request; the error is logged',
          ),
        ),
      );
  };
}
