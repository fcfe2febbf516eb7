import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { absolutePath, discoverTables, type TableLayout } from './discover.ts';
import type { TableName } from './contract.ts';

/** One Parquet file behind a table, as the fingerprint sees it. */
export interface FingerprintFile {
  /** Relative to DATA_DIR, `/`-separated, as discovery reports it. */
  file: string;
  size: number;
  /** Modification time in nanoseconds since the epoch (a string: it does not fit a double). */
  mtimeNs: string;
}

export interface FingerprintTable {
  table: TableName;
  layout: TableLayout;
  hive: boolean;
  files: FingerprintFile[];
}

export interface DataFingerprint {
  /** sha256 (hex) of the canonical listing below; what backtests are keyed by. */
  hash: string;
  tables: FingerprintTable[];
}

/**
 * Identifies the data a backtest ran on without reading it: for every table that discovery finds
 * in DATA_DIR, its layout and the relative path, size and modification time of each file. A new
 * export (new, removed, rewritten or touched file) changes the fingerprint; the folder's own
 * location does not, so the same files fingerprint alike wherever they are mounted. Missing
 * tables are left out, so adding an optional table changes the fingerprint too; an ambiguous
 * table (no usable files) counts by its layout alone.
 */
export async function dataFingerprintDetails(dataDir: string): Promise<DataFingerprint> {
  const discovered = await discoverTables(dataDir);
  const tables: FingerprintTable[] = [];
  for (const table of discovered) {
    if (table.layout === 'missing') continue;
    const files: FingerprintFile[] = [];
    for (const file of table.files) {
      const info = await stat(absolutePath(dataDir, file), { bigint: true });
      files.push({ file, size: Number(info.size), mtimeNs: info.mtimeNs.toString() });
    }
    tables.push({ table: table.name, layout: table.layout, hive: table.hive, files });
  }
  const listing = JSON.stringify(tables);
  return { hash: createHash('sha256').update(listing).digest('hex'), tables };
}

/** The fingerprint of DATA_DIR as one string: see `dataFingerprintDetails`. */
export async function dataFingerprint(dataDir: string): Promise<string> {
  return (await dataFingerprintDetails(dataDir)).hash;
}
