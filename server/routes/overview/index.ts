import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { overview, overviewReplySchema, scoredOnOrBefore } from '../../../lab/history/index.ts';
import { AppError } from '../../errors.ts';
import { productionContext } from '../../production.ts';
import { isoDate } from '../schemas.ts';

const overviewQuery = z.object({ asOf: isoDate.optional() }).strict();

/** The CS-leadership overview at the newest scored date on or before `asOf` (default: newest). */
const overviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/overview',
    {
      config: { role: 'viewer' },
      schema: { querystring: overviewQuery, response: { 200: overviewReplySchema } },
    },
    async (request) =>
      app.duckdb.withConnection(async (connection) => {
        const context = await productionContext(app, connection);
        const wanted = request.query.asOf;
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
};

export default overviewRoutes;
