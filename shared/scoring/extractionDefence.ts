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

class CallerState {
  /** Ring of admitted query times; grows on demand up to the query limit so quiet callers stay small. */
  times = new Float64Array(8);
  head = 0;
  size = 0;
  /** Recent signatures' hashes; scanned linearly (a few cache lines), so a caller costs under a kilobyte. */
  readonly hashes: Uint32Array;
  readonly suspicious: Uint8Array;
  historyHead = 0;
  historySize = 0;
  suspiciousCount = 0;
  total = 0;
  previous: Int32Array | undefined;
  /** When the state was last (re)inserted into the callers map, in insertions. */
  order = 0;

  constructor(history: number) {
    this.hashes = new Uint32Array(history);
    this.suspicious = new Uint8Array(history);
  }
}

/**
 * Per-caller defence against model extraction (drift-methods.md "Extraction defence"): a sliding-window query limit,
 * and probing detection — near-duplicate queries, one-feature-at-a-time sweeps (grid or line search) and a high
 * share of out-of-distribution queries. Memory is bounded: at most `maxCallers` callers, each with `queryLimit`
 * timestamps and `historySize` recent signatures. Event Hubs partitions by caller id, so a caller's state lives on
 * one instance.
 */
export class ExtractionDefence {
  private readonly callers = new Map<string, CallerState>();
  private insertions = 0;
  private readonly cellsPerUnit: Float64Array;
  private readonly windowInMs: number;
  private readonly maxCallers: number;
  private readonly historySize: number;

  constructor(
    private readonly options: ExtractionOptions,
    private readonly scales: { means: Float64Array; stds: Float64Array },
  ) {
    this.windowInMs = options.queryWindowInSeconds * 1000;
    this.maxCallers = options.maxCallers ?? 10_000;
    this.historySize = options.historySize ?? 100;
    this.cellsPerUnit = scales.stds.map((std) => CELLS_PER_STD / (std > 0 ? std : 1));
  }

  get trackedCallers(): number {
    return this.callers.size;
  }

  observe(callerKey: string, timeInMs: number, query: Query): ExtractionVerdict {
    const state = this.stateOf(callerKey);
    // Admitted queries only: a rejected caller regains access as its old queries leave the window.
    while (state.size > 0 && state.times[state.head]! <= timeInMs - this.windowInMs) {
      state.head = (state.head + 1) % state.times.length;
      state.size--;
    }
    if (state.size >= this.options.queryLimit) {
      return { rateLimited: true, probing: false, queriesInWindow: state.size, suspiciousShare: this.share(state) };
    }
    if (state.size === state.times.length) grow(state, this.options.queryLimit);
    state.times[(state.head + state.size) % state.times.length] = timeInMs;
    state.size++;

    const signature = this.quantise(query.vector);
    const hash = hashCells(signature);
    const duplicate = seen(state, hash);
    const sweep = state.previous !== undefined && differsInExactlyOne(state.previous, signature);
    if (state.previous === undefined || state.previous.length !== signature.length)
      state.previous = new Int32Array(signature.length);
    state.previous.set(signature);
    this.remember(state, hash, duplicate || sweep || query.outOfDistribution);
    state.total++;
    const suspiciousShare = this.share(state);
    const probing = state.total >= this.options.probingMinQueries && suspiciousShare >= this.options.probingShare;
    return { rateLimited: false, probing, queriesInWindow: state.size, suspiciousShare };
  }

  private stateOf(callerKey: string): CallerState {
    let state = this.callers.get(callerKey);
    if (state) {
      // The map is kept in (nearly) least-recently-seen order by re-inserting a caller when it is seen, but only once it
      // has drifted half the map towards the front: that halves the map work on the hot path, and a caller is only
      // forgotten after maxCallers / 2 newer callers arrived without it being seen.
      if (this.insertions - state.order <= this.maxCallers / 2) return state;
      this.callers.delete(callerKey);
    } else {
      state = new CallerState(this.historySize);
      if (this.callers.size >= this.maxCallers) {
        const oldest = this.callers.keys().next().value;
        if (oldest !== undefined) this.callers.delete(oldest);
      }
    }
    state.order = ++this.insertions;
    this.callers.set(callerKey, state);
    return state;
  }

  /** Scratch space for the signature being judged; copied into the caller's state, never kept. */
  private cells = new Int32Array(0);

  private quantise(vector: Float64Array): Int32Array {
    if (this.cells.length !== vector.length) this.cells = new Int32Array(vector.length);
    const cells = this.cells;
    const means = this.scales.means;
    const cellsPerUnit = this.cellsPerUnit;
    for (let i = 0; i < vector.length; i++) cells[i] = Math.round((vector[i]! - means[i]!) * cellsPerUnit[i]!);
    return cells;
  }

  private remember(state: CallerState, hash: number, suspicious: boolean): void {
    const capacity = this.historySize;
    if (state.historySize === capacity) {
      state.suspiciousCount -= state.suspicious[state.historyHead]!;
      state.historyHead = (state.historyHead + 1) % capacity;
      state.historySize--;
    }
    const slot = (state.historyHead + state.historySize) % capacity;
    state.hashes[slot] = hash;
    state.suspicious[slot] = suspicious ? 1 : 0;
    state.suspiciousCount += suspicious ? 1 : 0;
    state.historySize++;
  }

  private share(state: CallerState): number {
    return state.historySize === 0 ? 0 : state.suspiciousCount / state.historySize;
  }
}

/**
 * Whether a recent query of the caller had this signature hash. Until the ring is full its head stays at 0, and once
 * full every slot is recent, so the first `historySize` slots are exactly the recent ones, in whatever order.
 */
function seen(state: CallerState, hash: number): boolean {
  const hashes = state.hashes;
  for (let i = 0; i < state.historySize; i++) if (hashes[i] === hash) return true;
  return false;
}

function grow(state: CallerState, limit: number): void {
  const grown = new Float64Array(Math.min(limit, state.times.length * 2));
  for (let i = 0; i < state.size; i++) grown[i] = state.times[(state.head + i) % state.times.length]!;
  state.times = grown;
  state.head = 0;
}

function differsInExactlyOne(a: Int32Array, b: Int32Array): boolean {
  let differences = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && ++differences > 1) return false;
  }
  return differences === 1;
}

/** A 32-bit multiplicative hash of the cells (one mixing step per cell), as a non-negative number. */
function hashCells(cells: Int32Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < cells.length; i++) {
    hash = Math.imul(hash ^ cells[i]!, 0x9e3779b1);
    hash ^= hash >>> 15;
  }
  return hash >>> 0;
}
