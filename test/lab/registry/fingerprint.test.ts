import { cp, mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataFingerprint, dataFingerprintDetails } from '../../../data/fingerprint.ts';
import { tempDir } from '../../helpers/app.ts';

/**
 * The fingerprint reads file metadata only, so the files need not be valid Parquet here.
 */
describe('data fingerprint', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const data = () => path.join(dir, 'data');
  const at = (file: string) => path.join(data(), file);
  const T0 = new Date('2026-03-01T00:00:00Z');

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('vitals-fingerprint-'));
    await mkdir(path.join(data(), 'usage_daily', 'year=2026'), { recursive: true });
    await writeFile(at('accounts.parquet'), 'accounts v1');
    await writeFile(at('outcomes.parquet'), 'outcomes v1');
    await writeFile(at('usage_daily/year=2026/part-0.parquet'), 'usage v1');
    await writeFile(at('notes.txt'), 'not a table');
    for (const file of [
      'accounts.parquet',
      'outcomes.parquet',
      'usage_daily/year=2026/part-0.parquet',
    ]) {
      await utimes(at(file), T0, T0);
    }
  });
  afterEach(() => cleanup());

  it('lists every file behind each table with its size and modification time', async () => {
    const details = await dataFingerprintDetails(data());
    expect(details.hash).toMatch(/^[0-9a-f]{64}$/);
    const mtimeNs = `${T0.getTime()}000000`;
    expect(details.tables).toEqual([
      {
        table: 'accounts',
        layout: 'file',
        hive: false,
        files: [{ file: 'accounts.parquet', size: 11, mtimeNs }],
      },
      {
        table: 'outcomes',
        layout: 'file',
        hive: false,
        files: [{ file: 'outcomes.parquet', size: 11, mtimeNs }],
      },
      {
        table: 'usage_daily',
        layout: 'folder',
        hive: true,
        files: [{ file: 'usage_daily/year=2026/part-0.parquet', size: 8, mtimeNs }],
      },
    ]);
    expect(await dataFingerprint(data())).toBe(details.hash);
  });

  it('stays the same for the same files, wherever the folder is', async () => {
    const before = await dataFingerprint(data());
    expect(await dataFingerprint(data())).toBe(before);
    await writeFile(at('notes.txt'), 'other files do not count');
    expect(await dataFingerprint(data())).toBe(before);
    const moved = path.join(dir, 'moved');
    await cp(data(), moved, { recursive: true, preserveTimestamps: true });
    expect(await dataFingerprint(moved)).toBe(before);
  });

  it('changes when a file changes size, even with the same modification time', async () => {
    const before = await dataFingerprint(data());
    await writeFile(at('outcomes.parquet'), 'outcomes v22');
    await utimes(at('outcomes.parquet'), T0, T0);
    expect(await dataFingerprint(data())).not.toBe(before);
  });

  it('changes when a file is touched, even with the same size', async () => {
    const before = await dataFingerprint(data());
    const later = new Date(T0.getTime() + 1);
    await utimes(at('usage_daily/year=2026/part-0.parquet'), later, later);
    expect((await stat(at('usage_daily/year=2026/part-0.parquet'))).size).toBe(8);
    expect(await dataFingerprint(data())).not.toBe(before);
  });

  it('changes when a table or a partition file appears', async () => {
    const before = await dataFingerprint(data());
    await writeFile(at('usage_daily/year=2026/part-1.parquet'), 'usage v1');
    await utimes(at('usage_daily/year=2026/part-1.parquet'), T0, T0);
    const withPart = await dataFingerprint(data());
    expect(withPart).not.toBe(before);
    await writeFile(at('surveys.parquet'), '');
    expect(await dataFingerprint(data())).not.toBe(withPart);
  });

  it('is the fingerprint of an empty listing for a folder that does not exist yet', async () => {
    const missing = await dataFingerprintDetails(path.join(dir, 'nothing-here'));
    expect(missing.tables).toEqual([]);
  });
});
