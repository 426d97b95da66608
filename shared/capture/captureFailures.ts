/**
 * Stable reasons a Capture blob is skipped: its bytes are bad, so reading it again gives the same. The report lists
 * each skipped blob with one of these. A blob that cannot be read for now is not skipped: the run fails
 * (CAPTURE.READ_FAILED) and its retry resumes.
 */
export const CAPTURE_FAILURES = {
  /** Does not start with the Avro object container magic `Obj\x01`. */
  notAvro: 'CAPTURE.NOT_AVRO',
  /** Ends inside the header or inside a block (an interrupted upload, a cut download). */
  truncated: 'CAPTURE.TRUNCATED',
  /** A sync marker, a block length, a deflate stream or a record does not decode. */
  corrupt: 'CAPTURE.CORRUPT',
  /** The embedded writer schema is not valid Avro. */
  badSchema: 'CAPTURE.BAD_SCHEMA',
  /** A valid Avro file, but not Capture's EventData records (or no Body field). */
  foreignSchema: 'CAPTURE.FOREIGN_SCHEMA',
  /** A codec other than null and deflate (Capture writes only those). */
  unsupportedCodec: 'CAPTURE.UNSUPPORTED_CODEC',
  /** One block larger than the decoder's memory bound. */
  blockTooLarge: 'CAPTURE.BLOCK_TOO_LARGE',
} as const;

export type CaptureFailureCode = (typeof CAPTURE_FAILURES)[keyof typeof CAPTURE_FAILURES];
