import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { overview, overviewReplySchema, scoredOnOrBefore } from '../../../lab/history/index.ts';
import { AppError } from '../../errors.ts';
import { isoDate, JSON_REPLY } from '../schemas.ts';

const overviewQuery = z.object({ asOf: isoDate.optional() }).strict();

/** The CS-leadership overview at the newest scored date on or before `asOf` (default: newest). */
const overviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/overview',
    {
      config: { role: 'viewer' },
      schema: { querystring: overviewQuery, response: { 200: overviewReplySchema } },
    },
    async (request, reply) => {
      const context = await app.serving.context();
      const wanted = request.query.asOf;
      const key = wanted === undefined || wanted >= context.asOf ? '' : wanted;
      const body = await app.serving.json(`overview ${key}`, overviewReplySchema, () =>
        app.serving.query(async (connection) => {
          const asOf =
            wanted === undefined || wanted >= context.asOf
              ? context.asOf
              : await scoredOnOrBefore(connection, app.state.schema, context.hash, wanted);
          if (asOf === null) {
            throw new AppError(
              400,
              'no_scores_for_date',
              `no scores on or before ${wanted ?? ''}: choose a later date`,
            );
          }
          return overview(
            connection,
            app.state.schema,
            { hash: context.hash, name: context.name },
            asOf,
          );
        }),
      );
      return reply.type(JSON_REPLY).send(body as never);
    },
  );
};

export default overviewRoutes;
