import { performance } from 'node:perf_hooks';
import { createRandom } from '../shared/baseline/random.js';
import { compareProfiles } from '../shared/drift/compare.js';
import { mergeProfiles } from '../shared/drift/profile.js';
import { ProfileAccumulator } from '../shared/drift/profileAccumulator.js';
import { profileFromColumns } from '../shared/drift/profileFromColumns.js';
import { deriveSchema, type SchemaColumn } from '../shared/drift/schema.js';

export interface DriftStatsBenchOptions {
  /** Events folded per pass (default 1,000,000). */
  events?: number;
  /** Numeric and categorical features per body (default 16 + 4 = 20). */
  numeric?: number;
  categorical?: number;
  /** Timed passes; the best counts (default 3). */
  repeats?: number;
}

export interface DriftStatsBenchFigures {
  events: number;
  features: number;
  /** JSON.parse of the bodies alone: the floor any Capture reader pays (the ceiling for the fold). */
  parseOnlyEventsPerSecond: number;
  /** JSON.parse + ProfileAccumulator.addFeatures. */
  parseAndFoldEventsPerSecond: number;
  /** addFeatures alone, on parsed bodies. */
  foldOnlyEventsPerSecond: number;
  ratioToParseCeiling: number;
  /** toProfile + merge of one per-blob profile, and compareProfiles of two 1M-event profiles. */
  snapshotAndMergeMs: number;
  compareMs: number;
}

const CATEGORIES = ['FR', 'DE', 'US', 'GB', 'JP', 'BR', 'IN', 'ES'];

/** Throughput of the weekly fold's hot loop on bodies of 20 features, per core (one thread). */
export function benchDriftStats(options: DriftStatsBenchOptions = {}): DriftStatsBenchFigures {
  const events = options.events ?? 1_000_000;
  const numeric = options.numeric ?? 16;
  const categorical = options.categorical ?? 4;
  const repeats = options.repeats ?? 3;
  const r = createRandom(7);
  const draw = (j: number): number => Math.round((100 * j + 10 * r.nextGaussian()) * 1000) / 1000;
  const columns: SchemaColumn[] = [
    ...Array.from({ length: numeric }, (_, j) => ({
      name: `n${j}`,
      type: 'numeric' as const,
      values: Float64Array.from({ length: 50_000 }, () => draw(j)),
    })),
    ...Array.from({ length: categorical }, (_, j) => ({
      name: `c${j}`,
      type: 'categorical' as const,
      values: Array.from({ length: 50_000 }, () => CATEGORIES[r.nextInt(6)]!),
    })),
  ];
  const schema = deriveSchema(columns);
  const bodies: string[] = [];
  for (let i = 0; i < events; i++) {
    const features: Record<string, number | string> = {};
    for (let j = 0; j < numeric; j++) features[`n${j}`] = draw(j);
    for (let j = 0; j < categorical; j++) features[`c${j}`] = CATEGORIES[r.nextInt(8)]!;
    bodies.push(JSON.stringify({ id: `e${i}`, features }));
  }
  const best = (run: () => void): number => {
    let seconds = Number.POSITIVE_INFINITY;
    for (let k = 0; k < repeats; k++) {
      // CPU time of this process, not wall time: "per core", and steadier on a shared machine.
      const start = process.cpuUsage();
      run();
      const used = process.cpuUsage(start);
      seconds = Math.min(seconds, (used.user + used.system) / 1e6);
    }
    return seconds;
  };
  let sink = 0;
  const parseOnly = best(() => {
    for (const body of bodies) sink += (JSON.parse(body) as { features: object }).features === undefined ? 1 : 0;
  });
  let profile = new ProfileAccumulator(schema).toProfile();
  const parseAndFold = best(() => {
    const acc = new ProfileAccumulator(schema);
    for (const body of bodies) acc.addFeatures((JSON.parse(body) as { features: Record<string, unknown> }).features);
    profile = acc.toProfile();
  });
  const parsed = bodies.map((b) => (JSON.parse(b) as { features: Record<string, unknown> }).features);
  const foldOnly = best(() => {
    const acc = new ProfileAccumulator(schema);
    for (const features of parsed) acc.addFeatures(features);
    sink += acc.toProfile().events;
  });
  const mergeStart = performance.now();
  const merged = mergeProfiles(profile, profile);
  const snapshotAndMergeMs = performance.now() - mergeStart;
  const reference = profileFromColumns(schema, columns);
  const compareStart = performance.now();
  compareProfiles(reference, merged, { schema });
  const compareMs = performance.now() - compareStart;
  if (sink < 0) console.log(sink);
  return {
    events,
    features: numeric + categorical,
    parseOnlyEventsPerSecond: events / parseOnly,
    parseAndFoldEventsPerSecond: events / parseAndFold,
    foldOnlyEventsPerSecond: events / foldOnly,
    ratioToParseCeiling: parseOnly / parseAndFold,
    snapshotAndMergeMs,
    compareMs,
  };
}

export function formatDriftStatsFigures(f: DriftStatsBenchFigures): string[] {
  const k = (v: number): string => `${Math.round(v / 1000).toLocaleString('en-US')}k`;
  return [
    `drift fold (${f.events.toLocaleString('en-US')} bodies of ${f.features} features, 1 core): JSON.parse alone ${k(f.parseOnlyEventsPerSecond)} events/s, parse + fold ${k(f.parseAndFoldEventsPerSecond)} events/s (${f.ratioToParseCeiling.toFixed(2)} of the parse ceiling), fold alone ${k(f.foldOnlyEventsPerSecond)} events/s`,
    `drift compare: merge ${f.snapshotAndMergeMs.toFixed(1)} ms, compareProfiles ${f.compareMs.toFixed(1)} ms`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of formatDriftStatsFigures(benchDriftStats({ events: Number(process.argv[2] ?? 1_000_000) })))
    console.log(line);
}
