import type { ScoredRecord } from '../shared/contracts/records.js';
import type { StreamMonitor } from '../shared/stream/streamMonitor.js';

/** A source of runs: the monitor (its baseline) and the events of run r. */
export interface StreamCase {
  name: string;
  description: string;
  segment: number;
  onset: number | null;
  repeats: number;
  /** Which value River reads: the error bit (labelled streams) or the score. */
  riverReads: 'error' | 'score';
  stationaryPartner: string | null;
  ourDetector: string;
  run(r: number): { monitor: StreamMonitor; next(): { record: ScoredRecord; error: boolean } };
}
