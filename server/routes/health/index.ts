import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';

const healthSchema = z.object({
  status: z.literal('ok'),
  uptimeSeconds: z.number(),
  data: z.object({ ok: z.boolean(), errors: z.number().int(), warnings: z.number().int() }),
});

/** Liveness for ops: answers while the process serves, and says whether the data is sound. */
const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    { config: { role: 'public' }, schema: { response: { 200: healthSchema } } },
    async () => {
      const { ok, errors, warnings } = app.data.report;
      return {
        status: 'ok' as const,
        uptimeSeconds: process.uptime(),
        data: { ok, errors, warnings },
      };
    },
  );
};

export default healthRoutes;
