import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ACCOUNT_COLUMNS,
  ACCOUNT_SORTS,
  accountAttributesSchema,
  accountDetail,
  accountListPage,
  accountDetailSchema,
  BANDS,
  listAccounts,
  segmentSpreads,
  withSpreads,
  type AccountCard,
} from '../../../lab/history/index.ts';
import { ARROW_STREAM, columnsToArrow, wantsArrow } from '../../arrow.ts';
import { AppError } from '../../errors.ts';
import { stringList } from '../schemas.ts';

const listQuery = z
  .object({
    q: z.string().max(200).optional(),
    band: stringList.pipe(z.array(z.enum(BANDS))).optional(),
    segment: stringList.optional(),
    plan: stringList.optional(),
    region: stringList.optional(),
    owner: stringList.optional(),
    industry: stringList.optional(),
    scoreMin: z.coerce.number().min(0).max(100).optional(),
    scoreMax: z.coerce.number().min(0).max(100).optional(),
    renewalWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
    sort: z.enum(ACCOUNT_SORTS).default('score'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.coerce.number().int().min(1).default(1),
    pageSize: z.coerce.number().int().min(1).max(100_000).default(50),
  })
  .strict();

/** More accounts than any portfolio has: a list kept whole is never cut short. */
const MAX_ACCOUNTS = 2 ** 31 - 1;

const listRow = accountAttributesSchema.extend({
  score: z.number().nullable(),
  band: z.string().nullable(),
  score_change_30d: z.number().nullable(),
});

const listReply = z.object({
  model: z.object({ hash: z.string(), name: z.string() }),
  asOf: z.string(),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  rows: z.array(listRow),
});

const detailReply = z
  .object({ model: z.object({ hash: z.string(), name: z.string() }), asOf: z.string() })
  .extend(accountDetailSchema.shape);

function withoutScoredSegment({ scoredSegment: _, ...card }: AccountCard) {
  return card;
}

/** The accounts API: the scored list (JSON or Arrow IPC) and one account's whole story. */
const accountRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api/accounts',
    {
      config: { role: 'viewer' },
      schema: { querystring: listQuery, response: { 200: listReply } },
    },
    async (request, reply) => {
      const query = request.query;
      if (
        query.scoreMin !== undefined &&
        query.scoreMax !== undefined &&
        query.scoreMin > query.scoreMax
      ) {
        throw new AppError(400, 'invalid_request', 'scoreMin must not be above scoreMax');
      }
      const context = await app.serving.context();
      const { page, pageSize, ...selection } = query;
      // The whole filtered, sorted list is kept; pages are slices of it.
      const all = await app.serving.remember(
        `accounts ${JSON.stringify(selection)}`,
        () =>
          app.serving.query((connection) =>
            listAccounts(connection, app.state.schema, context.hash, context.asOf, {
              ...selection,
              offset: 0,
              limit: MAX_ACCOUNTS,
            }),
          ),
        'large',
      );
      const slice = () => accountListPage(all, (page - 1) * pageSize, pageSize);
      if (wantsArrow(request.headers.accept)) {
        // The Accounts page downloads the whole list this way: slice and encode it once.
        const arrow = await app.serving.remember(
          `accounts arrow ${JSON.stringify(query)}`,
          async () => Buffer.from(columnsToArrow(slice().columns, ACCOUNT_COLUMNS)),
          'large',
        );
        return reply
          .type(ARROW_STREAM)
          .header('x-total-count', String(all.total))
          .header('x-as-of', context.asOf)
          .header('x-model-hash', context.hash)
          .serializer((payload: unknown) => payload as never)
          .send(arrow as never);
      }
      const result = slice();
      const rows = Array.from({ length: result.length }, (_, i) =>
        Object.fromEntries(
          ACCOUNT_COLUMNS.map(([name]) => [name, result.columns[name]?.[i] ?? null]),
        ),
      ) as z.infer<typeof listRow>[];
      return {
        model: { hash: context.hash, name: context.name },
        asOf: context.asOf,
        total: result.total,
        page: query.page,
        pageSize: query.pageSize,
        rows,
      };
    },
  );

  app.get(
    '/api/accounts/:id',
    {
      config: { role: 'viewer' },
      schema: {
        params: z.object({ id: z.string().min(1).max(200) }),
        response: { 200: detailReply },
      },
    },
    async (request) => {
      const context = await app.serving.context();
      const id = request.params.id;
      const spreads = (segment: string | null, asOf: string) =>
        app.serving.remember(`spreads ${JSON.stringify(segment)} ${asOf}`, () =>
          app.serving.query((connection) =>
            segmentSpreads(connection, app.state.schema, context.hash, segment, asOf),
          ),
        );
      const card = await app.serving.card(id);
      const detail =
        card === undefined
          ? // The cards of these scores are still being written. (Not a limited `query`: the
            // segment spreads it asks for are one.)
            await app.duckdb.withConnection((connection) =>
              accountDetail(connection, id, {
                schema: app.state.schema,
                hash: context.hash,
                tables: app.data.tables,
                spreads,
              }),
            )
          : card && {
              ...withoutScoredSegment(card),
              distributions: card.latest
                ? withSpreads(
                    card.latest.metrics,
                    await spreads(card.scoredSegment, card.latest.asOf),
                  )
                : [],
            };
      if (!detail) {
        throw new AppError(404, 'unknown_account', `no account has the id "${request.params.id}"`);
      }
      return { model: { hash: context.hash, name: context.name }, asOf: context.asOf, ...detail };
    },
  );
};

export default accountRoutes;
