import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorBody } from '../errors.ts';

export function toErrorReply(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: { error: error.code, message: error.message, details: error.details },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return {
      status: 400,
      body: {
        error: 'invalid_request',
        message: `invalid request: ${error.validation
          .map((issue) => `${issue.instancePath || '/'} ${issue.message ?? ''}`.trim())
          .join('; ')}`,
        details: error.validation.map((issue) => ({
          path: issue.instancePath,
          message: issue.message ?? null,
        })),
      },
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  // Anything else, a DuckDB error included, is ours: no route passes user text into SQL, so an
  // error there is a fault, and its message (SQL, file paths) stays in the log. A route that runs
  // an analyst's own SQL reports that query's errors itself, as an AppError.
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: {
        error: fastifyError.code?.toLowerCase() ?? 'bad_request',
        message: fastifyError.message ?? 'bad request',
        details: null,
      },
    };
  }
  return {
    status: 500,
    body: {
      error: 'internal_error',
      message: 'Vitals hit an internal error; the server log has the details.',
      details: null,
    },
  };
}

/** One error handler: readable 4xx, and 5xx that hide internals but are logged with context. */
export default fp(
  async (app) => {
    app.setErrorHandler((error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = toErrorReply(error);
      if (status >= 500) {
        // The message and kind are enough to find the cause; stack traces stay out of the logs.
        const { name, message } =
          error instanceof Error ? error : { name: 'Error', message: String(error) };
        request.log.error(
          { url: request.url, method: request.method, errorKind: name, errorMessage: message },
          'request failed',
        );
      } else {
        request.log.info({ code: body.error, url: request.url }, body.message);
      }
      return reply.status(status).send(body);
    });
  },
  { name: 'errors' },
);
