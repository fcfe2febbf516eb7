import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { productionModel } from '../../../lab/registry/index.ts';
import { AppError } from '../../errors.ts';

const productionSchema = z.object({
  hash: z.string(),
  name: z.string(),
  model: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.string(),
  promotedAt: z.string(),
  promotedBy: z.string(),
  reason: z.string(),
});

/** The models API: for now the production model, with who made it production and why. */
const modelRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/models/production',
    { config: { role: 'viewer' }, schema: { response: { 200: productionSchema } } },
    async () => {
      const production = await app.duckdb.withConnection((connection) =>
        productionModel(connection, app.state.schema),
      );
      if (!production) {
        throw new AppError(404, 'no_production_model', 'no production model has been set yet');
      }
      return {
        hash: production.hash,
        name: production.name,
        model: production.model as unknown as Record<string, unknown>,
        createdAt: production.createdAt,
        createdBy: production.createdBy,
        promotedAt: production.entry.at,
        promotedBy: production.entry.by,
        reason: production.entry.reason,
      };
    },
  );
};

export default modelRoutes;
