import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.ts';
import { toErrorReply } from '../../server/plugins/errors.ts';

describe('error replies', () => {
  it('keep an AppError as it was meant: status, code, message', () => {
    const reply = toErrorReply(new AppError(404, 'unknown_account', 'no account "A9"'));
    expect(reply).toEqual({
      status: 404,
      body: { error: 'unknown_account', message: 'no account "A9"', details: null },
    });
  });

  it('turn a DuckDB error into a 500 that shows neither SQL nor paths', () => {
    const duckdb = new Error(
      'Binder Error: Referenced column "secret_col" not found in FROM clause!\nLINE 1: SELECT secret_col FROM state.users',
    );
    const reply = toErrorReply(duckdb);
    expect(reply.status).toBe(500);
    expect(reply.body.error).toBe('internal_error');
    expect(JSON.stringify(reply.body)).not.toMatch(/secret_col|SELECT|Binder|state\.users/);
  });

  it('pass a client error of Fastify through as a 4xx', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      statusCode: 413,
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
    });
    expect(toErrorReply(tooLarge)).toMatchObject({
      status: 413,
      body: { error: 'fst_err_ctp_body_too_large' },
    });
  });
});
