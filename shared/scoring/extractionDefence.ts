export interface ExtractionOptions {
  /** Queries one caller may make per window (seed 1,000). */
  queryLimit: number;
  /** Sliding window, seconds (seed 3,600). */
  queryWindowInSeconds: number;
  /** Queries before probing is judged. */
  probingMinQueries: number;
  /** Share of suspicious recent queries that flags probing. */
  probingShare: number;
  /** Callers tracked at once; the least recently seen is forgotten first. Default 10,000. */
  maxCallers?: number;
  /** Recent queries per caller kept for probing analysis. Default 100. */
  historySize?: number;
}

export interface ExtractionVerdict {
  /** Over the query limit: reject. */
  rateLimited: boolean;
  /** The caller's recent queries look like model extraction: flag. */
  probing: boolean;
  queriesInWindow: number;
  /** Share of the caller's recent queries that were near-duplicates, one-feature sweeps or out of distribution. */
  suspiciousShare: number;
}

export interface Query {
  /** Numeric model inputs (sanitised). */
  vector: Float64Array;
  /** The query failed input validation (out of range, |z|, anomaly, unseen category). */
  outOfDistribution: boolean;
}

/** Grid of the quantised signature, in baseline standard deviations: 0.05 σ. */
const CELLS_PER_STD = 20;

/** Columns of a caller's row in `meta`: its scalars share one 64-byte cache line. */
const TIMES_HEAD = 0;
const TIMES_SIZE = 1;
const HISTORY_HEAD = 2;
const HISTORY_SIZE = 3;
const SUSPICIOUS_COUNT = 4;
const TOTAL = 5;
/** When the caller was last (re)inserted into the callers map, in insertions. */
const ORDER = 6;
const HAS_PREVIOUS = 7;
const META_COLUMNS = 8;

/** Callers whose rows are allocated at first; the tables double from there up to maxCallers. */
const INITIAL_SLOTS = 64;

/**
 * Per-caller defence against model extraction (drift-methods.md "Extraction defence"): a sliding-window query limit,
 * and probing detection — near-duplicate queries, one-feature-at-a-time sweeps (grid or line search) and a high
 * share of out-of-distribution queries. Memory is bounded: at most `maxCallers` callers, each with `queryLimit`
 * timestamps and `historySize` recent signatures. Event Hubs partitions by caller id, so a caller's state lives on
 * one instance.
 *
 * Every event touches one random caller among thousands, so the state is laid out for the cache rather than as an
 * object per caller (whose five typed arrays put a dozen scattered cache lines on the hot path): each caller owns a
 * slot, its scalars are one row of `meta`, and its recent signature hashes, previous signature and suspicious flags are
 * one contiguous row of `cells`. Only the timestamps ring, which grows with the caller's traffic, is an array of its own.
 */
export class ExtractionDefence {
  /** Caller key → slot. Slots stay dense (0 … size − 1): a forgotten caller's slot goes to the caller replacing it. */
  private readonly slots = new Map<string, number>();
  private insertions = 0;
  private readonly cellsPerUnit: Float64Array;
  private readonly windowInMs: number;
  private readonly maxCallers: number;
  private readonly historySize: number;
  private readonly columns: number;
  /** Row of `cells`: historySize hashes, then the previous signature, then one suspicious bit per history entry. */
  private readonly stride: number;
  private capacity = 0;
  private meta = new Float64Array(0);
  private cells = new Int32Array(0);
  /** Ring of admitted query times per slot; grows on demand up to the query limit so quiet callers stay small. */
  private readonly times: Float64Array[] = [];

  constructor(
    private readonly options: ExtractionOptions,
    private readonly scales: { means: Float64Array; stds: Float64Array },
  ) {
    this.windowInMs = options.queryWindowInSeconds * 1000;
    this.maxCallers = options.maxCallers ?? 10_000;
    this.historySize = options.historySize ?? 100;
    this.columns = scales.means.length;
    this.stride = this.historySize + this.columns + Math.ceil(this.historySize / 32);
    this.cellsPerUnit = scales.stds.map((std) => CELLS_PER_STD / (std > 0 ? std : 1));
  }

  get trackedCallers(): number {
    return this.slots.size;
  }

  observe(callerKey: string, timeInMs: number, query: Query): ExtractionVerdict {
    const slot = this.slotOf(callerKey);
    const meta = this.meta;
    const row = slot * META_COLUMNS;
    let times = this.times[slot]!;
    let head = meta[row + TIMES_HEAD]!;
    let size = meta[row + TIMES_SIZE]!;
    // Admitted queries only: a rejected caller regains access as its old queries leave the window.
    while (size > 0 && times[head]! <= timeInMs - this.windowInMs) {
      head = (head + 1) % times.length;
      size--;
    }
    if (size >= this.options.queryLimit) {
      meta[row + TIMES_HEAD] = head;
      meta[row + TIMES_SIZE] = size;
      return { rateLimited: true, probing: false, queriesInWindow: size, suspiciousShare: this.share(row) };
    }
    if (size === times.length) {
      times = grown(times, head, size, this.options.queryLimit);
      this.times[slot] = times;
      head = 0;
    }
    times[(head + size) % times.length] = timeInMs;
    size++;
    meta[row + TIMES_HEAD] = head;
    meta[row + TIMES_SIZE] = size;

    const base = slot * this.stride;
    const previousAt = base + this.historySize;
    // One pass: each input quantised to its cell, hashed, compared with the previous query's cell, then kept as the
    // new previous signature in the caller's row.
    const vector = query.vector;
    if (vector.length !== this.columns) {
      throw new Error(`A query of ${vector.length} values reached a defence scaled for ${this.columns} columns`);
    }
    const cells = this.cells;
    const means = this.scales.means;
    const cellsPerUnit = this.cellsPerUnit;
    let hash = 0x811c9dc5;
    let differences = 0;
    for (let i = 0; i < vector.length; i++) {
      // `| 0` is the int32 the row stores, as hashing and comparing always saw it.
      const cell = Math.round((vector[i]! - means[i]!) * cellsPerUnit[i]!) | 0;
      if (cells[previousAt + i] !== cell) differences++;
      cells[previousAt + i] = cell;
      hash = Math.imul(hash ^ cell, 0x9e3779b1);
      hash ^= hash >>> 15;
    }
    hash >>>= 0;
    // A sweep moves along one feature at a time: exactly one cell differs from the previous query.
    const sweep = meta[row + HAS_PREVIOUS] === 1 && differences === 1;
    // An out-of-distribution query or a sweep is suspicious already; only otherwise is the history worth scanning.
    const suspicious = query.outOfDistribution || sweep || seen(cells, base, meta[row + HISTORY_SIZE]!, hash);
    meta[row + HAS_PREVIOUS] = 1;
    this.remember(row, base, hash, suspicious);
    const total = ++meta[row + TOTAL]!;
    const suspiciousShare = this.share(row);
    const probing = total >= this.options.probingMinQueries && suspiciousShare >= this.options.probingShare;
    return { rateLimited: false, probing, queriesInWindow: size, suspiciousShare };
  }

  private slotOf(callerKey: string): number {
    let slot = this.slots.get(callerKey);
    if (slot !== undefined) {
      // The map is kept in (nearly) least-recently-seen order by re-inserting a caller when it is seen, but only once it
      // has drifted half the map towards the front: that halves the map work on the hot path, and a caller is only
      // forgotten after maxCallers / 2 newer callers arrived without it being seen.
      if (this.insertions - this.meta[slot * META_COLUMNS + ORDER]! <= this.maxCallers / 2) return slot;
      this.slots.delete(callerKey);
    } else {
      slot = this.slots.size;
      if (this.slots.size >= this.maxCallers) {
        const oldest = this.slots.entries().next().value;
        if (oldest !== undefined) {
          this.slots.delete(oldest[0]);
          slot = oldest[1];
        }
      }
      this.clear(slot);
    }
    this.meta[slot * META_COLUMNS + ORDER] = ++this.insertions;
    this.slots.set(callerKey, slot);
    return slot;
  }

  /** Gives a slot to a new caller: no queries, no history, no previous signature. */
  private clear(slot: number): void {
    if (slot >= this.capacity) this.growTables(slot + 1);
    this.meta.fill(0, slot * META_COLUMNS, (slot + 1) * META_COLUMNS);
    // A forgotten caller's ring is reused as it is: head and size are reset, and its length only saves growing again.
    this.times[slot] ??= new Float64Array(8);
  }

  private growTables(slots: number): void {
    const capacity = Math.max(
      slots,
      Math.min(Math.max(this.maxCallers, 1), Math.max(INITIAL_SLOTS, this.capacity * 2)),
    );
    const meta = new Float64Array(capacity * META_COLUMNS);
    meta.set(this.meta);
    const cells = new Int32Array(capacity * this.stride);
    cells.set(this.cells);
    this.meta = meta;
    this.cells = cells;
    this.capacity = capacity;
  }

  private remember(row: number, base: number, hash: number, suspicious: boolean): void {
    const meta = this.meta;
    const cells = this.cells;
    const capacity = this.historySize;
    const flagsAt = base + capacity + this.columns;
    let historyHead = meta[row + HISTORY_HEAD]!;
    let historySize = meta[row + HISTORY_SIZE]!;
    if (historySize === capacity) {
      meta[row + SUSPICIOUS_COUNT]! -= (cells[flagsAt + (historyHead >>> 5)]! >>> (historyHead & 31)) & 1;
      historyHead = (historyHead + 1) % capacity;
      historySize--;
    }
    const entry = (historyHead + historySize) % capacity;
    cells[base + entry] = hash;
    const word = flagsAt + (entry >>> 5);
    const bit = 1 << (entry & 31);
    cells[word] = suspicious ? cells[word]! | bit : cells[word]! & ~bit;
    if (suspicious) meta[row + SUSPICIOUS_COUNT]!++;
    meta[row + HISTORY_HEAD] = historyHead;
    meta[row + HISTORY_SIZE] = historySize + 1;
  }

  private share(row: number): number {
    const historySize = this.meta[row + HISTORY_SIZE]!;
    return historySize === 0 ? 0 : this.meta[row + SUSPICIOUS_COUNT]! / historySize;
  }
}

/**
 * Whether a recent query of the caller had this signature hash. Until the ring is full its head stays at 0, and once
 * full every entry is recent, so the first `historySize` entries are exactly the recent ones, in whatever order.
 * Hashes are kept as int32: `| 0` maps the unsigned hash one-to-one, so equality is unchanged.
 */
function seen(cells: Int32Array, base: number, historySize: number, hash: number): boolean {
  const wanted = hash | 0;
  for (let i = base, end = base + historySize; i < end; i++) if (cells[i] === wanted) return true;
  return false;
}

function grown(times: Float64Array, head: number, size: number, limit: number): Float64Array {
  const copy = new Float64Array(Math.min(limit, times.length * 2));
  for (let i = 0; i < size; i++) copy[i] = times[(head + i) % times.length]!;
  return copy;
}
