import os from 'node:os';
import { openDatabase, queryRows, withConnection } from '../../data/duckdb.ts';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  duckdb: string;
  platform: string;
}

/** What the numbers were measured on; every bench report carries it. */
export async function describeMachine(): Promise<Machine> {
  const db = await openDatabase();
  const [row] = await withConnection(db, (connection) =>
    queryRows<{ v: string }>(connection, 'SELECT version() AS v'),
  );
  db.closeSync();
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    duckdb: row?.v ?? 'unknown',
    platform: `${os.platform()} ${os.release()}`,
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
