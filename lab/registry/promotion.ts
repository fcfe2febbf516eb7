import type { DuckDBConnection } from '@duckdb/node-api';
import { LabError } from '../errors.ts';
import { insertAudit } from './audit.ts';
import { changeTransaction, requireBy, writeChange, type ChangeHooks } from './change.ts';
import { evaluateGate, type GateDecision } from './gate.ts';
import { productionEntry } from './production.ts';
import { requireModel, type SavedModel } from './registry.ts';

/** An override of the gate must say why, in at least this many characters. */
export const MIN_OVERRIDE_REASON = 10;

export interface PromoteOptions extends ChangeHooks {
  /** Fingerprint of the current data (`dataFingerprint(DATA_DIR)`). */
  dataFingerprint: string;
  /**
   * The current backtest settings (lab/validate's schema); stored backtests count only if run
   * with these. Null when none are known: the gate then refuses, and only an override promotes.
   */
  settings: unknown;
  by: string;
  reason?: string;
  /** Promote even if the gate refuses; needs `asAdmin` and a reason. */
  overrideGate?: boolean;
  asAdmin?: boolean;
  now: Date;
}

export interface PromotionResult {
  promoted: boolean;
  from: string | null;
  to: string;
  gate: GateDecision;
  /** True when the gate refused and an admin promoted anyway. */
  overridden: boolean;
  auditSeq: number;
  /** The new production_log row; null when nothing was promoted. */
  productionSeq: number | null;
}

/**
 * Promotes a saved candidate (or retired) model to production if the gate passes (see
 * `gate.ts`), or, for an admin with a written reason, despite the gate. A refusal is recorded in
 * the audit log too and returned with `promoted: false`; misuse (unknown model, a draft, the
 * production model itself, an override without a reason) throws.
 */
export async function promote(
  connection: DuckDBConnection,
  schema: string,
  hash: string,
  options: PromoteOptions,
): Promise<PromotionResult> {
  const by = requireBy(options.by);
  const reason = options.reason?.trim() ?? '';
  if (options.overrideGate) {
    if (!options.asAdmin) {
      throw new LabError('invalid_request', 'only an admin may override the promotion gate');
    }
    if (reason.length < MIN_OVERRIDE_REASON) {
      throw new LabError(
        'invalid_request',
        `overriding the promotion gate needs a written reason of at least ${MIN_OVERRIDE_REASON} characters`,
      );
    }
  }
  const result = await changeTransaction(connection, async (): Promise<PromotionResult> => {
    const candidate = await requireModel(connection, schema, hash);
    checkPromotable(candidate);
    const from = (await productionEntry(connection, schema))?.hash ?? null;
    const gate = await evaluateGate(connection, schema, {
      candidateHash: candidate.hash,
      productionHash: from,
      dataFingerprint: options.dataFingerprint,
      settings: options.settings,
    });
    const overridden = !gate.passed && Boolean(options.overrideGate);
    if (!gate.passed && !overridden) {
      const auditSeq = await insertAudit(
        connection,
        schema,
        {
          by,
          action: 'promote_refused',
          fromHash: from,
          toHash: candidate.hash,
          reason,
          gatePassed: false,
          overridden: false,
          figures: gate,
          productionSeq: null,
        },
        options.now,
      );
      return {
        promoted: false,
        from,
        to: candidate.hash,
        gate,
        overridden,
        auditSeq,
        productionSeq: null,
      };
    }
    const written = await writeChange(
      connection,
      schema,
      {
        action: 'promote',
        from,
        to: candidate.hash,
        by,
        reason,
        gatePassed: gate.passed,
        overridden,
        figures: gate,
        now: options.now,
      },
      options.onStep,
    );
    return { promoted: true, from, to: candidate.hash, gate, overridden, ...written };
  });
  if (result.promoted) await options.onStep?.('committed');
  const details = {
    action: result.promoted ? 'promote' : 'promote_refused',
    from: result.from,
    to: result.to,
    by,
    reason,
    overridden: result.overridden,
    gate: { passed: result.gate.passed, rule: result.gate.rule, message: result.gate.message },
    candidateFigures: result.gate.candidate.figures,
    productionFigures: result.gate.production.figures,
  };
  if (!result.promoted) options.log?.warn(details, 'promotion refused by the gate');
  else if (result.overridden) options.log?.warn(details, 'model promoted, gate overridden');
  else options.log?.info(details, 'model promoted');
  return result;
}

function checkPromotable(model: SavedModel): void {
  const short = model.hash.slice(0, 12);
  if (model.status === 'production') {
    throw new LabError('invalid_request', `model ${short} is already production`);
  }
  if (model.status === 'draft') {
    throw new LabError(
      'invalid_request',
      `model ${short} is a draft; mark it candidate before promoting it`,
    );
  }
}
