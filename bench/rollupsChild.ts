import { performance } from 'node:perf_hooks';
import { ProfileAccumulator } from '../shared/drift/profileAccumulator.js';
import type { DatasetProfile, NumericFeatureProfile } from '../shared/drift/profile.js';
import { deriveSchema, type ProfileSchema, type SchemaColumn } from '../shared/drift/schema.js';
import { HubTallyBuilder } from '../shared/drift/run/hubTally.js';
import { foldIdentity } from '../shared/drift/run/profileWindow.js';
import type { CachedBlobOutcome } from '../shared/drift/run/ports.js';
import {
  HOUR_IN_MS,
  mergeIntoRollup,
  readRollupDocument,
  rollupDocumentBytes,
  rollupName,
  type RollupDocument,
} from '../shared/drift/run/rollups.js';
import type { RollupStore } from '../shared/drift/run/ports.js';
import type { RollupKey } from '../shared/drift/run/types.js';

/** What the parent asks the child (run under --max-old-space-size) to measure. */
export interface RollupBenchJob {
  partitions: number;
  filesPerHour: number;
  hours: number;
  features: number;
  eventsPerBlob: number;
  /** Blobs of one hour pushed through the full read-merge-conditional-write cycle (in-memory store). */
  conditionalUpdates: number;
}

export interface RollupBenchResult {
  blobs: number;
  events: number;
  rollupBuildSeconds: number;
  rollupBytes: number;
  weeklyMergeSeconds: number;
  updateMsPerBlob: number;
  maxRssInBytes: number;
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

/** A schema of `features` numeric features from a baseline of normal columns with different centres and spreads. */
function benchSchema(features: number): ProfileSchema {
  const next = random(1);
  const columns: SchemaColumn[] = Array.from({ length: features }, (_, f) => ({
    name: `f${String(f).padStart(2, '0')}`,
    type: 'numeric' as const,
    values: Float64Array.from({ length: 20_000 }, () => 10 * f + (1 + f / 5) * gaussian(next)),
  }));
  return deriveSchema(columns);
}

/**
 * Per-blob profiles without folding a billion events: a few real profiles of 2,000 events each (so sketches span the
 * buckets real traffic does), then each blob's counts scaled to its size, its sums scaled the same way.
 */
function basePool(schema: ProfileSchema, size: number): DatasetProfile[] {
  return Array.from({ length: size }, (_, i) => {
    const next = random(100 + i);
    const accumulator = new ProfileAccumulator(schema);
    const shift = (i % 7) / 20;
    for (let e = 0; e < 2000; e++) {
      const features: Record<string, number> = {};
      schema.features.forEach((f, k) => (features[f.name] = 10 * k + (1 + k / 5) * (gaussian(next) + shift)));
      accumulator.addFeatures(features);
    }
    return accumulator.toProfile();
  });
}

function scaled(base: DatasetProfile, factor: number, wobble: number): DatasetProfile {
  const features: DatasetProfile['features'] = {};
  for (const [name, f] of Object.entries(base.features)) {
    const n = f as NumericFeatureProfile;
    const scale = (values: number[]) => values.map((v) => v * factor);
    features[name] = {
      ...n,
      count: n.count * factor,
      sum: n.sum * factor * wobble,
      centeredSumSquares: n.centeredSumSquares * factor * wobble,
      psiCounts: scale(n.psiCounts),
      decileCounts: scale(n.decileCounts),
      sketch: { offset: n.sketch.offset, counts: scale(n.sketch.counts) },
      values: null,
    };
  }
  return { ...base, events: base.events * factor, features };
}

function outcome(profile: DatasetProfile): CachedBlobOutcome {
  return { ok: true, profile, records: profile.events, firstEnqueuedInMs: 0, lastEnqueuedInMs: 0, unparsedTimes: 0 };
}

class MemoryRollupStore implements RollupStore {
  private readonly docs = new Map<string, { bytes: Uint8Array; version: string }>();
  private version = 0;
  async read(name: string) {
    return this.docs.get(name);
  }
  async write(name: string, bytes: Uint8Array, expected: { version: string } | 'absent') {
    const current = this.docs.get(name);
    if (expected === 'absent' ? current !== undefined : current?.version !== expected.version) return false;
    this.docs.set(name, { bytes, version: String(++this.version) });
    return true;
  }
}

async function measure(job: RollupBenchJob): Promise<RollupBenchResult> {
  const schema = benchSchema(job.features);
  const pool = basePool(schema, 24);
  const factor = Math.max(1, Math.round(job.eventsPerBlob / 2000));
  const blobsPerHour = job.partitions * job.filesPerHour;
  // One hour's per-blob profiles, reused for every hour (merging costs the same whatever the counts are).
  const hourProfiles = Array.from({ length: blobsPerHour }, (_, i) =>
    scaled(pool[i % pool.length]!, factor, 1 + (i % 13) * 1e-7),
  );
  const week0 = Date.UTC(2024, 0, 15);
  const key = (hour: number): RollupKey => ({
    schemaId: schema.id,
    hub: 'events',
    ...foldIdentity(undefined),
    hourStartInMs: week0 + hour * HOUR_IN_MS,
  });

  // Building the roll-ups: every per-blob profile merged into its hour's tally, each roll-up stored as its JSON.
  const rollups: Uint8Array[] = [];
  let rollupBytes = 0;
  const buildStart = performance.now();
  for (let hour = 0; hour < job.hours; hour++) {
    const builder = new HubTallyBuilder(schema);
    const blobNames: string[] = [];
    const blobEtags: string[] = [];
    for (let b = 0; b < blobsPerHour; b++) {
      const name = `bench/events/${b % job.partitions}/${hour}/${Math.floor(b / job.partitions)}.avro`;
      builder.addOutcome(name, outcome(hourProfiles[b]!));
      blobNames.push(name);
      blobEtags.push(`0x${hour.toString(16)}${b.toString(16)}`);
    }
    const doc: RollupDocument = {
      kind: 'mrm.rollup',
      key: key(hour),
      blobNames,
      blobEtags,
      conflicts: [],
      tally: builder.tally(),
    };
    const bytes = rollupDocumentBytes(doc);
    rollupBytes += bytes.length;
    rollups.push(bytes);
  }
  const rollupBuildSeconds = (performance.now() - buildStart) / 1000;

  // The weekly merge: parse and merge the hub's 168 roll-ups, then read the merged profile.
  const mergeStart = performance.now();
  const week = new HubTallyBuilder(schema);
  for (let hour = 0; hour < rollups.length; hour++) week.addTally(readRollupDocument(rollups[hour]!, key(hour))!.tally);
  const merged = week.profile();
  const weeklyMergeSeconds = (performance.now() - mergeStart) / 1000;
  if (merged.events !== job.hours * blobsPerHour * pool[0]!.events * factor)
    throw new Error(`weekly merge counted ${merged.events} events`);

  // What a landing blob adds to its fold: read the roll-up, merge, conditional write (the hour filling up).
  const store = new MemoryRollupStore();
  const updateCpu = process.cpuUsage();
  for (let b = 0; b < job.conditionalUpdates; b++) {
    await mergeIntoRollup(
      store,
      schema,
      key(0),
      { name: `bench/${b}.avro`, etag: `0x${b}` },
      outcome(hourProfiles[b % blobsPerHour]!),
    );
  }
  const updateUsed = process.cpuUsage(updateCpu);
  const updateMsPerBlob = (updateUsed.user + updateUsed.system) / 1000 / job.conditionalUpdates;
  if (!(await store.read(rollupName(key(0))))) throw new Error('no roll-up written');

  return {
    blobs: job.hours * blobsPerHour,
    events: merged.events,
    rollupBuildSeconds,
    rollupBytes,
    weeklyMergeSeconds,
    updateMsPerBlob,
    maxRssInBytes: process.resourceUsage().maxRSS * 1024,
  };
}

process.once('message', (job: RollupBenchJob) => {
  measure(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  );
});
