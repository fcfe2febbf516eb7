import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LabError } from '../../../lab/errors.ts';
import {
  COHORT_FIELDS,
  cohortTrends,
  parseSeriesName,
  trendsResultSchema,
  trendsToColumns,
} from '../../../lab/seasonality/index.ts';
import { ARROW_STREAM, columnsToArrow, wantsArrow } from '../../arrow.ts';
import { AppError } from '../../errors.ts';
import { isoDate, JSON_REPLY } from '../schemas.ts';

const trendsQuery = z
  .object({
    series: z.string().min(1).max(100),
    by: z.enum(COHORT_FIELDS),
    from: isoDate.optional(),
    to: isoDate.optional(),
    adjust: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    periods: z
      .string()
      .regex(/^\d{1,4}(,\d{1,4}){0,3}$/, 'expected up to four whole numbers separated by commas')
      .transform((value) => value.split(',').map(Number))
      .pipe(z.array(z.number().int().min(2, 'a period must be at least 2')))
      .optional(),
  })
  .strict();

/** A LabError is the caller's mistake (unknown series, a signal without rows, a missing table). */
function asRequestError(error: unknown): never {
  if (error instanceof LabError) throw new AppError(400, error.code, error.message);
  throw error;
}

/** Seasonality-adjusted trends per cohort: JSON, or Arrow IPC in long format. */
const trendRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/trends',
    {
      config: { role: 'viewer' },
      schema: { querystring: trendsQuery, response: { 200: trendsResultSchema } },
    },
    async (request, reply) => {
      const { series, by, from, to, adjust, periods } = request.query;
      const key = ['trends', series, by, from, to, adjust, periods?.join(',')].join(' ');
      const compute = () =>
        app.serving.remember(key, async () => {
          const spec = parseSeriesName(series);
          const scores =
            spec.kind === 'score'
              ? { schema: app.state.schema, modelHash: (await app.serving.context()).hash }
              : undefined;
          return app.serving.query((connection) =>
            cohortTrends(connection, {
              series,
              by,
              from,
              to,
              adjust,
              periods,
              tables: app.data.tables,
              scores,
            }),
          );
        });
      if (wantsArrow(request.headers.accept)) {
        const result = await compute().catch(asRequestError);
        const { columns, kinds } = trendsToColumns(result);
        return reply
          .type(ARROW_STREAM)
          .header('x-series', result.series)
          .header('x-by', result.by)
          .header('x-from', result.from ?? '')
          .header('x-to', result.to ?? '')
          .serializer((payload: unknown) => payload as never)
          .send(Buffer.from(columnsToArrow(columns, kinds)) as never);
      }
      const body = await app.serving.json(key, trendsResultSchema, compute).catch(asRequestError);
      return reply.type(JSON_REPLY).send(body as never);
    },
  );
};

export default trendRoutes;
