import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { portfolioSeries } from '../../../lab/history/index.ts';
import { isoDate, JSON_REPLY } from '../schemas.ts';

const bandSchema = z.object({ accounts: z.number().int(), arr: z.number() });
const portfolioSchema = z.object({
  model: z.object({ hash: z.string(), name: z.string() }),
  asOf: z.string(),
  series: z.array(
    z.object({
      asOf: z.string(),
      accounts: z.number().int(),
      arr: z.number(),
      averageScore: z.number().nullable(),
      bands: z.object({ red: bandSchema, yellow: bandSchema, green: bandSchema }),
    }),
  ),
});

/** Portfolio health over time: accounts and ARR by band at every scored date. */
const portfolioRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/portfolio',
    {
      config: { role: 'viewer' },
      schema: {
        querystring: z.object({ from: isoDate.optional(), to: isoDate.optional() }).strict(),
        response: { 200: portfolioSchema },
      },
    },
    async (request, reply) => {
      const context = await app.serving.context();
      const { from, to } = request.query;
      const key = `portfolio ${from ?? ''} ${to ?? ''}`;
      const body = await app.serving.json(key, portfolioSchema, async () => {
        const series = await app.serving.query((connection) =>
          portfolioSeries(connection, app.state.schema, context.hash, { from, to }),
        );
        return { model: { hash: context.hash, name: context.name }, asOf: context.asOf, series };
      });
      return reply.type(JSON_REPLY).send(body as never);
    },
  );
};

export default portfolioRoutes;
