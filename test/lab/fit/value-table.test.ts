import { describe, expect, it } from 'vitest';
import { ValueTable } from '../../../lab/fit/value-table.ts';
import { SeededRandom } from '../../../lab/stats/index.ts';

describe('ValueTable', () => {
  it('returns what was stored for each key, like a Map', () => {
    const random = SeededRandom.fromSeed(11);
    const keys = Array.from({ length: 5000 }, () => Math.round(random.nextDouble() * 3000) / 7);
    keys.push(1e300, -1e-300, Number.MIN_VALUE, -Infinity, Infinity);
    const map = new Map<number, number>();
    const table = new ValueTable(keys.length);
    keys.forEach((key, i) => {
      map.set(key, i);
      table.set(key, i);
    });
    for (const [key, value] of map) expect(table.get(key)).toBe(value);
    expect(table.get(-5)).toBeUndefined();
  });

  it('treats -0 and 0 as one key', () => {
    const table = new ValueTable(2);
    table.set(-0, 1);
    expect(table.get(0)).toBe(1);
    table.set(0, 2);
    expect(table.get(-0)).toBe(2);
  });
});
