import { CaptureFileWriter, captureEvent } from '../shared/capture/captureFileWriter.js';
import { foldIdentity } from '../shared/drift/run/profileWindow.js';
import type { CaptureEventData } from '../shared/capture/captureSchema.js';
import type { Implementation } from '../shared/contracts/implementation.js';
import { cachedBlobEntryBytes } from '../shared/drift/run/blobProfileCacheKey.js';
import { foldCaptureBlob } from '../shared/drift/run/foldCaptureBlob.js';
import { HubTallyBuilder } from '../shared/drift/run/hubTally.js';
import type { BlobProfileKey, CachedBlobOutcome } from '../shared/drift/run/ports.js';
import { mergeIntoRollup } from '../shared/drift/run/rollups.js';
import type { RollupStore } from '../shared/drift/run/ports.js';
import type { RollupKey } from '../shared/drift/run/types.js';
import type { ProfileSchema } from '../shared/drift/schema.js';
import { makeBenchMatrix } from './forest.js';
import { benchBaseline } from './scoring.js';

/** What the parent asks: real Capture files folded one at a time, with and without the landing blob's roll-up update. */
export interface LandingBenchJob {
  features: number;
  eventsPerBlob: number;
  /** Distinct Capture files (each folded under several names to fill an hour). */
  files: number;
  /** Blobs already in the hour's roll-up when timing starts (an hour of 384 is half full at 192). */
  prefilled: number;
  /** Blobs folded per timed pass. */
  timed: number;
  repeats: number;
}

/** CPU time per pass (best of the repeats), each mode over the same blobs, passes interleaved. */
export interface LandingBenchResult {
  events: number;
  /** The fold alone: bytes → profile. */
  foldSeconds: number;
  /**
   * weeklyDrift's step (profileWindow's, per blob): fold, the per-blob cache entry (plain: JSON as before; fast:
   * storedDocument.ts), and the merge into the window's tally in memory.
   */
  weeklySeconds: Record<Implementation, number>;
  /** profileCaptureBlob's step: fold, cache entry, and the conditional read-merge-write of the hour's roll-up. */
  landingSeconds: Record<Implementation, number>;
  rollupBytes: Record<Implementation, number>;
  /** The two steps on their own, over profiles folded beforehand (CPU ms per blob, best of the repeats). */
  entryMsPerBlob: Record<Implementation, number>;
  updateMsPerBlob: Record<Implementation, number>;
}

type Mode = 'fold' | `weekly-${Implementation}` | `landing-${Implementation}`;
const MODES: Mode[] = ['fold', 'weekly-plain', 'weekly-fast', 'landing-plain', 'landing-fast'];

class MemoryRollupStore implements RollupStore {
  readonly docs = new Map<string, { bytes: Uint8Array; version: string }>();
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

function captureFile(events: number, features: number, seed: number, startInMs: number): Uint8Array {
  const writer = new CaptureFileWriter({ codec: 'null' });
  const matrix = makeBenchMatrix(events, features, seed);
  const parts: Uint8Array[] = [writer.header()];
  for (let from = 0; from < events; from += 1000) {
    const block: CaptureEventData[] = [];
    for (let r = from; r < Math.min(events, from + 1000); r++) {
      const values: Record<string, number> = {};
      for (let c = 0; c < features; c++) values[`f${c}`] = Math.round(matrix.values[r * features + c]! * 1e4) / 1e4;
      block.push(
        captureEvent({
          sequenceNumber: r,
          enqueuedTimeInMs: startInMs + r * 3,
          body: { id: `e${seed}-${r}`, callerId: `caller-${r % 5000}`, features: values },
        }),
      );
    }
    parts.push(writer.block(block));
  }
  return Buffer.concat(parts);
}

async function foldOutcome(bytes: Uint8Array, schema: ProfileSchema): Promise<CachedBlobOutcome> {
  const folded = await foldCaptureBlob([bytes], 'events', schema);
  if (!folded.ok) throw new Error(folded.error.message);
  return { ok: true, ...folded.value };
}

async function measure(job: LandingBenchJob): Promise<LandingBenchResult> {
  const schema = benchBaseline(job.features).schema;
  const hour = Date.UTC(2024, 0, 15, 10);
  const files = Array.from({ length: job.files }, (_, i) =>
    captureFile(job.eventsPerBlob, job.features, 500 + i, hour),
  );
  const rollupKey: RollupKey = { schemaId: schema.id, hub: 'events', ...foldIdentity(undefined), hourStartInMs: hour };
  const blobKey = (name: string): BlobProfileKey => ({ ...rollupKey, blobName: name, etag: `0x${name}` });
  const nameOf = (i: number) =>
    `bench/events/${i % 32}/2024/01/15/10/${String(Math.floor(i / 32)).padStart(2, '0')}/00.avro`;

  // Each landing pass starts from an hour already holding `prefilled` blobs, as profileCaptureBlob finds it.
  const prefilledStores: Record<Implementation, MemoryRollupStore> = {
    plain: new MemoryRollupStore(),
    fast: new MemoryRollupStore(),
  };
  for (const encoding of ['plain', 'fast'] as const) {
    for (let i = 0; i < job.prefilled; i++) {
      const outcome = await foldOutcome(files[i % files.length]!, schema);
      await mergeIntoRollup(
        prefilledStores[encoding],
        schema,
        rollupKey,
        { name: nameOf(i), etag: `0x${i}` },
        outcome,
        {
          encoding,
        },
      );
    }
  }
  const storeFor = (encoding: Implementation) => {
    const store = new MemoryRollupStore();
    for (const [name, doc] of prefilledStores[encoding].docs) store.docs.set(name, doc);
    return store;
  };

  let sink = 0;
  const pass = async (mode: Mode): Promise<number> => {
    const encoding: Implementation = mode.endsWith('fast') ? 'fast' : 'plain';
    const store = mode.startsWith('landing') ? storeFor(encoding) : undefined;
    const week = mode.startsWith('weekly') ? new HubTallyBuilder(schema) : undefined;
    const cpu = process.cpuUsage();
    for (let t = 0; t < job.timed; t++) {
      const i = job.prefilled + t;
      const outcome = await foldOutcome(files[i % files.length]!, schema);
      if (mode !== 'fold') sink += cachedBlobEntryBytes(blobKey(nameOf(i)), outcome, encoding).length;
      if (store)
        await mergeIntoRollup(store, schema, rollupKey, { name: nameOf(i), etag: `0x${i}` }, outcome, { encoding });
      week?.addOutcome(nameOf(i), outcome);
    }
    sink += week?.folded ?? 0;
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1e6;
  };

  const best = new Map<Mode, number>();
  for (let r = 0; r < job.repeats; r++)
    for (const mode of r % 2 === 0 ? MODES : [...MODES].reverse()) {
      const seconds = await pass(mode);
      best.set(mode, Math.min(best.get(mode) ?? Infinity, seconds));
    }
  if (sink === 0) throw new Error('no cache entry written');

  const outcomes = await Promise.all(
    Array.from({ length: job.timed }, (_, t) => foldOutcome(files[(job.prefilled + t) % files.length]!, schema)),
  );
  const cpuMsPerBlob = async (step: (outcome: CachedBlobOutcome, i: number) => Promise<unknown> | unknown) => {
    let bestMs = Infinity;
    for (let r = 0; r < job.repeats; r++) {
      const cpu = process.cpuUsage();
      for (let t = 0; t < outcomes.length; t++) await step(outcomes[t]!, job.prefilled + t);
      const used = process.cpuUsage(cpu);
      bestMs = Math.min(bestMs, (used.user + used.system) / 1000 / outcomes.length);
    }
    return bestMs;
  };
  const entryMsPerBlob = {} as Record<Implementation, number>;
  const updateMsPerBlob = {} as Record<Implementation, number>;
  for (const encoding of ['plain', 'fast'] as const) {
    entryMsPerBlob[encoding] = await cpuMsPerBlob((o, i) => cachedBlobEntryBytes(blobKey(nameOf(i)), o, encoding));
    let store = storeFor(encoding);
    let round = -1;
    updateMsPerBlob[encoding] = await cpuMsPerBlob((o, i) => {
      // A fresh hour (at `prefilled`) for each repeat.
      if (i === job.prefilled) {
        round++;
        store = storeFor(encoding);
      }
      return mergeIntoRollup(store, schema, rollupKey, { name: nameOf(i), etag: `0x${round}-${i}` }, o, { encoding });
    });
  }
  const sizeOf = (encoding: Implementation) => [...storeFor(encoding).docs.values()][0]!.bytes.length;
  return {
    events: job.timed * job.eventsPerBlob,
    foldSeconds: best.get('fold')!,
    weeklySeconds: { plain: best.get('weekly-plain')!, fast: best.get('weekly-fast')! },
    landingSeconds: { plain: best.get('landing-plain')!, fast: best.get('landing-fast')! },
    rollupBytes: { plain: sizeOf('plain'), fast: sizeOf('fast') },
    entryMsPerBlob,
    updateMsPerBlob,
  };
}

process.once('message', (job: LandingBenchJob) => {
  measure(job).then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: String((error as Error)?.stack ?? error) }, () => process.exit(1)),
  );
});
