import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { dataReportSchema } from '../../../data/report.ts';

/** The data-status page's API: tables, files, row counts, date ranges and the contract check. */
const dataRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/data/status',
    { config: { role: 'viewer' }, schema: { response: { 200: dataReportSchema } } },
    async () => {
      return app.data.report;
    },
  );
};

export default dataRoutes;
