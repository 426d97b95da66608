/** The two captured hubs: model inputs (data drift) and scored records (prediction and performance drift). */
export type CapturedHub = 'events' | 'scored';

/** One hub's hour of Capture blobs, profiled on one schema by one fold version. */
export interface RollupKey {
  schemaId: string;
  hub: CapturedHub;
  foldVersion: number;
  /** Start of the UTC hour the blobs' Capture windows start in (their names' time). */
  hourStartInMs: number;
}
