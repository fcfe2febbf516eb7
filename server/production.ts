import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { latestScoredDate } from '../lab/history/index.ts';
import { productionModel } from '../lab/registry/index.ts';
import { AppError } from './errors.ts';

export interface ProductionContext {
  hash: string;
  name: string;
  /** The newest date scored with the production model. */
  asOf: string;
}

/**
 * The production model and its newest scored date, for routes that read scores. Without scores
 * yet, a 503 says why (still scoring, or the data check failed) instead of an empty answer.
 */
export async function productionContext(
  app: FastifyInstance,
  connection: DuckDBConnection,
): Promise<ProductionContext> {
  const production = await productionModel(connection, app.state.schema);
  const asOf = production
    ? await latestScoredDate(connection, app.state.schema, production.hash)
    : null;
  if (!production || !asOf) {
    const { running, lastError } = app.scoring.status;
    throw new AppError(
      503,
      'no_scores_yet',
      running
        ? 'scores are being computed; try again in a moment'
        : (lastError ?? 'no scores yet: the production model has not scored the data'),
    );
  }
  return { hash: production.hash, name: production.name, asOf };
}
