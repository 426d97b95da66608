import type { WeeklyDriftReport } from '../../shared/drift/run/runWeeklyDrift.js';
import type { DriftProgress } from '../../shared/drift/run/ports.js';
import type { DeadLetter } from '../../shared/scoring/deadLetter.js';
import type { ScoredRecord } from '../../shared/contracts/records.js';
import type { HostBatch } from './hostBatcher.js';
import type { Clock } from '../../shared/contracts/clock.js';

/** Blob storage as the demo writes it (Azurite): the baseline, Capture files. */
export interface DemoStorage {
  /** Writes one blob, creating its container on first use. */
  upload(container: string, name: string, content: Buffer | string, contentType: string): Promise<void>;
}

/** The real scoreEvents handler, invoked the way the Functions host invokes it. */
export interface ScoreEventsInvoker {
  /** One invocation on a host batch at the simulated time; answers its scored records and what it dead-lettered. */
  invoke(
    batch: HostBatch,
    processedAtInMs: number,
  ): Promise<{ scored: ScoredRecord[]; deadLetters: DeadLetter[]; deadLetterBlobs: number }>;
}

/** The real weeklyDrift, run at a simulated time against the demo's storage. */
export interface WeeklyDriftInvoker {
  /** One timer invocation at `nowInMs`; answers the report it wrote (JSON and HTML). Throws when it wrote none. */
  invoke(nowInMs: number, progress: DriftProgress): Promise<{ report: WeeklyDriftReport; html: string }>;
}

/** The real retrainWebhook, called as an action group calls it. */
export interface RetrainWebhookInvoker {
  /** One POST of `body` (JSON) at the simulated time `atInMs`; answers the HTTP status and JSON body. */
  post(body: string, atInMs: number): Promise<{ status: number; body: unknown }>;
}

/** The local folder the demo leaves its files in (report, alert, baseline), so they open in a browser or editor. */
export interface DemoOutput {
  /** Writes a file; answers its path. */
  write(name: string, content: string): Promise<string>;
}

export type DemoStage = 'baseline' | 'stream' | 'daily' | 'drift' | 'retrain';

/** Progress for the terminal: bars on a TTY, plain lines otherwise. */
export interface DemoProgress {
  begin(stage: DemoStage, total: number): void;
  update(stage: DemoStage, done: number, total?: number): void;
  end(stage: DemoStage, message: string): void;
}

export interface DemoPorts {
  storage: DemoStorage;
  scoreEvents: ScoreEventsInvoker;
  weeklyDrift: WeeklyDriftInvoker;
  /** The real dailyDrift (same shape): each invocation reports the UTC day before `nowInMs`. */
  dailyDrift: WeeklyDriftInvoker;
  retrainWebhook: RetrainWebhookInvoker;
  output: DemoOutput;
  progress: DemoProgress;
  /** A monotonic clock for the stage timings (the simulated clock is the scenario's). */
  stopwatch: Clock;
}
