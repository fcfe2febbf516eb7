/**
 * Child process for the crash test (`crash.test.ts`): opens a state folder and changes
 * production, reporting progress on stdout, until the parent kills it.
 *
 *   node --import tsx crash-child.ts pause STATE_DIR HASH STEP
 *     promotes HASH and stops dead at STEP (printing `paused STEP`), waiting to be killed;
 *   node --import tsx crash-child.ts loop STATE_DIR SEED
 *     promotes and rolls back at random forever, printing `committed SEQ` after each commit.
 */
import {
  listModels,
  openStateDatabase,
  promote,
  rollback,
  rollbackTarget,
  type ProductionStep,
} from '../../../lab/registry/index.ts';
import { FINGERPRINT, SETTINGS } from './helpers.ts';

const [mode, stateDir, arg, step] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);
const hang = () => new Promise<never>(() => setInterval(() => undefined, 60_000));

const state = await openStateDatabase(stateDir!);
const { connection, schema } = state;
// Checkpoint after nearly every change, so that kills also land inside checkpoints.
await connection.run("SET checkpoint_threshold = '1KB'");
const options = { dataFingerprint: FINGERPRINT, settings: SETTINGS, by: 'crash-child' };

if (mode === 'pause') {
  const result = await promote(connection, schema, arg!, {
    ...options,
    now: new Date(),
    onStep: async (reached: ProductionStep) => {
      if (reached !== step) return;
      say(`paused ${reached}`);
      await hang();
    },
  });
  say(`finished without pausing: ${JSON.stringify(result.promoted)}`);
} else if (mode === 'loop') {
  let seed = Number(arg ?? 1);
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (;;) {
    const target = random() < 0.3 ? await rollbackTarget(connection, schema) : null;
    if (target) {
      const done = await rollback(connection, schema, { by: 'crash-child', now: new Date() });
      say(`committed ${done.productionSeq}`);
      continue;
    }
    const others = (await listModels(connection, schema)).filter((m) => m.status !== 'production');
    const next = others[Math.floor(random() * others.length)]!;
    const done = await promote(connection, schema, next.hash, { ...options, now: new Date() });
    if (!done.promoted) throw new Error(`the gate refused ${next.hash}: ${done.gate.message}`);
    say(`committed ${done.productionSeq}`);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
state.close();
