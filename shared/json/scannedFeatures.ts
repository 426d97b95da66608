/**
 * A body's features as a body scanner reads them: one slot per schema feature, in schema order, so the profile can
 * fold them and scoring can build an event's features object without going through a parsed body. `kinds[i]` says
 * which column holds slot i's value.
 */
export const SCANNED_KIND = {
  /** The body has no such key: the profile counts it as missing. */
  absent: 0,
  number: 1,
  string: 2,
  /** null, and nested objects or arrays: the profile counts all of them as missing. */
  null: 3,
  true: 4,
  false: 5,
} as const;

export interface ScannedFeatures {
  readonly kinds: Uint8Array;
  /** The value of slots of kind `number` (any double, ±Infinity included for out-of-range literals). */
  readonly numbers: Float64Array;
  /** The value of slots of kind `string`. */
  readonly strings: ReadonlyArray<string | undefined>;
}
