/**
 * A sum of doubles that is exact until it is read: Shewchuk's non-overlapping partials (the algorithm behind Python's
 * math.fsum). value() is the correctly rounded sum of everything added, so it does not depend on the order or the
 * grouping of the additions. That is what lets an hourly roll-up of per-blob profiles, merged later with other
 * roll-ups, give the same bits as one fold over every blob. Partials serialise as plain JSON numbers (shortest
 * round-trip form) and add into another sum exactly.
 */
export type StoredPartial = number | 'Infinity' | '-Infinity' | 'NaN';

const NON_FINITE: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

export class ExactSum {
  private partials: number[] = [];
  /** ±Infinity and NaN added (or an overflow of the partials): IEEE addition decides, as a plain sum would. */
  private special = 0;
  private hasSpecial = false;

  /** A sum back from toStored(); throws a TypeError on anything else (callers validate stored documents). */
  static fromStored(stored: ReadonlyArray<StoredPartial>): ExactSum {
    const sum = new ExactSum();
    for (const p of stored) {
      const value = typeof p === 'string' ? NON_FINITE[p] : p;
      if (typeof value !== 'number') throw new TypeError(`not a stored partial: ${String(p)}`);
      sum.add(value);
    }
    return sum;
  }

  add(value: number): void {
    if (!Number.isFinite(value)) {
      this.addSpecial(value);
      return;
    }
    const partials = this.partials;
    let x = value;
    let kept = 0;
    for (let j = 0; j < partials.length; j++) {
      let y = partials[j]!;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    partials.length = kept;
    if (!Number.isFinite(x)) {
      this.addSpecial(x);
      return;
    }
    partials.push(x);
  }

  addPartials(partials: ReadonlyArray<number>): void {
    for (const p of partials) this.add(p);
  }

  addSum(other: ExactSum): void {
    this.addPartials(other.partials);
    if (other.hasSpecial) this.addSpecial(other.special);
  }

  /** The exact state as JSON values. A sum that reached ±Infinity or NaN no longer changes: it is stored as that. */
  toStored(): StoredPartial[] {
    if (!this.hasSpecial) return [...this.partials];
    return [String(this.special) as StoredPartial];
  }

  /** The correctly rounded sum (CPython's math.fsum final step, round-half-even across partials). */
  value(): number {
    if (this.hasSpecial) return this.special;
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
    return hi;
  }

  private addSpecial(value: number): void {
    this.special = this.hasSpecial ? this.special + value : value;
    this.hasSpecial = true;
  }
}
