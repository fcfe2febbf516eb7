import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cohortHealth, cohortReplySchema, MAX_COHORT_MONTHS } from '../../../lab/history/index.ts';
import { COHORT_FIELDS } from '../../../lab/seasonality/index.ts';
import { JSON_REPLY } from '../schemas.ts';

const cohortQuery = z
  .object({
    by: z.enum(COHORT_FIELDS).default('segment'),
    months: z.coerce.number().int().min(1).max(MAX_COHORT_MONTHS).default(12),
  })
  .strict();

/** Health and churn by cohort at the newest scored date, and month by month before it. */
const cohortRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/cohorts',
    {
      config: { role: 'viewer' },
      schema: { querystring: cohortQuery, response: { 200: cohortReplySchema } },
    },
    async (request, reply) => {
      const context = await app.serving.context();
      const { by, months } = request.query;
      const body = await app.serving.json(`cohorts ${by} ${months}`, cohortReplySchema, () =>
        app.serving.query((connection) =>
          cohortHealth(connection, app.state.schema, {
            model: { hash: context.hash, name: context.name },
            asOf: context.asOf,
            by,
            months,
            tables: app.data.tables,
          }),
        ),
      );
      return reply.type(JSON_REPLY).send(body as never);
    },
  );
};

export default cohortRoutes;
