import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.ts';
import authPlugin from './plugins/auth.ts';
import dataPlugin from './plugins/data.ts';
import duckdbPlugin from './plugins/duckdb.ts';
import errorsPlugin from './plugins/errors.ts';
import scoringPlugin from './plugins/scoring.ts';
import securityPlugin from './plugins/security.ts';
import servingPlugin from './plugins/serving.ts';
import statePlugin from './plugins/state.ts';
import webPlugin from './plugins/web.ts';
import accountRoutes from './routes/accounts/index.ts';
import adminRoutes from './routes/admin/index.ts';
import authRoutes from './routes/auth/index.ts';
import cohortRoutes from './routes/cohorts/index.ts';
import dataRoutes from './routes/data/index.ts';
import healthRoutes from './routes/health/index.ts';
import modelRoutes from './routes/models/index.ts';
import overviewRoutes from './routes/overview/index.ts';
import portfolioRoutes from './routes/portfolio/index.ts';
import trendRoutes from './routes/trends/index.ts';

export interface AppDeps {
  /** The clock used for "today"; tests pass a fixed one. */
  clock?: () => Date;
  /** Where the JSON log lines go (default stdout); tests pass a stream to read them. */
  logStream?: DestinationStream;
}

/**
 * Builds the Vitals server: infrastructure plugins first, then routes, then the web app. Only
 * server/main.ts listens; tests call buildApp and use inject.
 */
export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const clock = deps.clock ?? (() => new Date());
  const app = Fastify({
    logger: deps.logStream
      ? { level: config.logLevel, stream: deps.logStream }
      : { level: config.logLevel },
    // Start-up checks every export in DATA_DIR, which takes longer than Fastify's 10 s default
    // on a large portfolio or a busy machine; a check that hangs still fails the start.
    pluginTimeout: 300_000,
    // Behind a reverse proxy every request comes from the proxy: trust its X-Forwarded-For only
    // when configured, or one client could spoof another's address past the rate limits.
    trustProxy: config.trustProxy,
    // Request ids let a user's report be matched to the log line.
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(securityPlugin, { https: config.auth.cookieSecure });
  await app.register(duckdbPlugin);
  await app.register(dataPlugin, { dataDir: config.dataDir, clock });
  await app.register(statePlugin, { stateDir: config.stateDir });
  // Before any route: it checks that every route declares the role it requires.
  await app.register(authPlugin, { config: config.auth, clock });
  await app.register(servingPlugin, { stateDir: config.stateDir });
  await app.register(scoringPlugin, {
    clock,
    cron: config.scoreCron,
    onStart: config.scoreOnStart,
    batchRows: config.scoreBatchRows,
  });

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(adminRoutes);
  await app.register(dataRoutes);
  await app.register(portfolioRoutes);
  await app.register(overviewRoutes);
  await app.register(cohortRoutes);
  await app.register(trendRoutes);
  await app.register(accountRoutes);
  await app.register(modelRoutes);

  await app.register(webPlugin, { webDir: config.webDir });
  return app;
}
