import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTRACT, type TableName, type TableSpec } from './contract.ts';
import { sqlString } from './duckdb.ts';

export type TableLayout = 'file' | 'folder' | 'missing' | 'ambiguous';

/** Where a contract table's data lives in DATA_DIR. */
export interface DiscoveredTable {
  name: TableName;
  spec: TableSpec;
  layout: TableLayout;
  /** Parquet files backing the table, relative to DATA_DIR with `/` separators, sorted. */
  files: string[];
  /** For `ambiguous`: the entries that both claim the table, e.g. `accounts.parquet`, `accounts/`. */
  conflicting: string[];
  /** Whether the folder is hive-partitioned (`key=value` folders on the way to every file). */
  hive: boolean;
  /** A `read_parquet(...)` expression over the files; null when the table has no usable files. */
  source: string | null;
}

export interface SourceOptions {
  hive: boolean;
  /** Adds a column of this name holding each row's file path (read_parquet's `filename`). */
  filenameColumn?: string;
}

/**
 * A `read_parquet` expression over `files` (relative to `dataDir`). Paths cannot be bound as
 * parameters in read_parquet, so they are quoted. Hive partitioning is always set explicitly:
 * DuckDB would otherwise guess it from `key=value` folders anywhere in the absolute path.
 */
export function parquetSource(dataDir: string, files: readonly string[], options: SourceOptions) {
  const paths = files.map((file) => sqlString(absolutePath(dataDir, file)));
  const args = [
    `[${paths.join(', ')}]`,
    `hive_partitioning = ${options.hive}`,
    'union_by_name = true',
  ];
  if (options.filenameColumn) args.push(`filename = ${sqlString(options.filenameColumn)}`);
  return `read_parquet(${args.join(', ')})`;
}

/** The absolute path DuckDB is given for a file relative to `dataDir`. */
export function absolutePath(dataDir: string, file: string): string {
  return path.join(path.resolve(dataDir), ...file.split('/'));
}

/**
 * Finds every contract table in `dataDir`: a file `T.parquet`, or a folder `T/` (also accepted as
 * `T.parquet/`, as Spark writes it) holding `**\/*.parquet`. Other entries are ignored, and so are
 * entries inside table folders whose names start with `.` or `_` (Hadoop and Spark metadata).
 * A DATA_DIR that does not exist yet holds no tables (a first start before any export); one that
 * cannot be read is an error.
 */
export async function discoverTables(dataDir: string): Promise<DiscoveredTable[]> {
  const root = path.resolve(dataDir);
  const names = await readdir(root).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new Error(`DATA_DIR ${root} cannot be read: ${error.message}`, { cause: error });
  });
  const wanted = new Set(CONTRACT.flatMap((spec) => [spec.name, `${spec.name}.parquet`]));
  const entries = await kindsOf(
    root,
    names.filter((name) => wanted.has(name)),
  );
  return Promise.all(CONTRACT.map((spec) => discoverTable(root, spec, entries)));
}

type EntryKind = 'file' | 'dir';

async function discoverTable(
  root: string,
  spec: TableSpec,
  entries: Map<string, EntryKind>,
): Promise<DiscoveredTable> {
  const fileName = `${spec.name}.parquet`;
  const claims: { entry: string; kind: EntryKind }[] = [];
  for (const entry of [fileName, spec.name]) {
    const kind = entries.get(entry);
    if (kind) claims.push({ entry, kind });
  }
  const base = { name: spec.name, spec, conflicting: [], hive: false, source: null };
  const claim = claims[0];
  if (!claim) return { ...base, layout: 'missing', files: [] };
  if (claims.length > 1) {
    const conflicting = claims.map((c) => (c.kind === 'dir' ? `${c.entry}/` : c.entry));
    return { ...base, layout: 'ambiguous', files: [], conflicting };
  }
  if (claim.kind === 'file') {
    const files = [fileName];
    return { ...base, layout: 'file', files, source: parquetSource(root, files, { hive: false }) };
  }
  const files = (await parquetFilesUnder(root, claim.entry)).sort();
  if (files.length === 0) return { ...base, layout: 'missing', files: [] };
  const hive = isHivePartitioned(claim.entry, files);
  return { ...base, layout: 'folder', files, hive, source: parquetSource(root, files, { hive }) };
}

async function kindsOf(dir: string, names: string[]): Promise<Map<string, EntryKind>> {
  const kinds = new Map<string, EntryKind>();
  for (const name of names) {
    // stat (not lstat) so that symbolic links to files and folders count as what they point to.
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info?.isFile()) kinds.set(name, 'file');
    else if (info?.isDirectory()) kinds.set(name, 'dir');
  }
  return kinds;
}

async function parquetFilesUnder(root: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  const names = (await readdir(path.join(root, folder))).filter(
    (name) => !name.startsWith('.') && !name.startsWith('_'),
  );
  for (const [name, kind] of await kindsOf(path.join(root, folder), names)) {
    const relative = `${folder}/${name}`;
    if (kind === 'dir') found.push(...(await parquetFilesUnder(root, relative)));
    else if (name.endsWith('.parquet')) found.push(relative);
  }
  return found;
}

const HIVE_SEGMENT = /^[^=]+=[^=]*$/;

/**
 * Hive partitioning is turned on only when every file sits under the same `key=value` folder
 * keys: DuckDB refuses a mix, and a folder that merely contains an `=` is no partition.
 */
function isHivePartitioned(folder: string, files: readonly string[]): boolean {
  const keysOf = (file: string) =>
    file
      .slice(folder.length + 1)
      .split('/')
      .slice(0, -1)
      .map((segment) => (HIVE_SEGMENT.test(segment) ? segment.split('=')[0] : null));
  const first = keysOf(files[0] ?? '');
  if (first.length === 0 || first.includes(null)) return false;
  return files.every((file) => keysOf(file).join('/') === first.join('/'));
}
