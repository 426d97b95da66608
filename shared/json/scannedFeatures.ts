/**
 * A body's features as the contract's byte scanner reads them: one slot per contract feature, in its order, so the
 * drift profile can fold them and scoring can build an event's features object without going through a parsed body.
 * `kinds[i]` says which column holds slot i's value.
 */
export const SCANNED_KIND = {
  /** The body has no such key (the scan then fails: the contract wants every feature). */
  absent: 0,
  number: 1,
  string: 2,
  /** null: a missing value. */
  null: 3,
} as const;

export interface ScannedFeatures {
  readonly kinds: Uint8Array;
  /** The value of slots of kind `number` (finite: the contract refuses the rest). */
  readonly numbers: Float64Array;
  /** The value of slots of kind `string`. */
  readonly strings: ReadonlyArray<string | undefined>;
}
