/**
 * A hash table from numbers to numbers for the hot loop of percentile features: a million rows
 * looked up by value, where a Map keyed by doubles costs several times more (it boxes each key).
 * Open addressing with linear probing on the value's bits; -0 is stored as 0, so the two are one
 * key, as === treats them. NaN is not a valid key.
 */
export class ValueTable {
  private readonly keys: Float64Array;
  private readonly entries: Float64Array;
  private readonly used: Uint8Array;
  private readonly mask: number;
  private readonly bits = new Float64Array(1);
  private readonly words = new Uint32Array(this.bits.buffer);

  /** A table for up to `capacity` distinct keys (kept at most half full). */
  constructor(capacity: number) {
    let size = 16;
    while (size < 2 * capacity) size *= 2;
    this.keys = new Float64Array(size);
    this.entries = new Float64Array(size);
    this.used = new Uint8Array(size);
    this.mask = size - 1;
  }

  set(key: number, value: number): void {
    const slot = this.slotOf(key + 0);
    this.keys[slot] = key + 0;
    this.entries[slot] = value;
    this.used[slot] = 1;
  }

  /** The value stored for `key`, or undefined. */
  get(key: number): number | undefined {
    const slot = this.slotOf(key + 0);
    return this.used[slot] ? this.entries[slot] : undefined;
  }

  /** The slot holding `key`, or the free slot where it belongs. */
  private slotOf(key: number): number {
    this.bits[0] = key;
    const hash = Math.imul(this.words[0]! ^ Math.imul(this.words[1]!, 0x9e3779b1), 0x85ebca6b);
    let slot = (hash ^ (hash >>> 15)) & this.mask;
    while (this.used[slot] && this.keys[slot] !== key) slot = (slot + 1) & this.mask;
    return slot;
  }
}
