#!/usr/bin/env node
// Paired before/after of the per-blob drift steps, in one process, same Capture files, CPU time, rounds interleaved:
// the fold, the per-blob cache entry, the in-memory merge of weeklyDrift's window, and the landing blob's roll-up
// update (profileCaptureBlob). Each root is a checkout with `dist/` built (npm run build); make the "before" one
// without touching a worktree, e.g.:
//   git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/node_modules &&
//   (cd /tmp/before && npx tsc -p tsconfig.json)
// Usage: node --expose-gc scripts/bench/paired-per-blob.mjs /tmp/before [. [rounds]]
import { Buffer } from 'node:buffer';
import { resolve } from 'node:path';

const [beforeRoot, afterRoot = '.', roundsArg = '25'] = process.argv.slice(2);
if (!beforeRoot) {
  process.stderr.write('usage: paired-per-blob.mjs <before-root> [<after-root>] [rounds]\n');
  process.exit(2);
}
const rounds = Number(roundsArg);
const load = async (root) => {
  const dist = `${resolve(root)}/dist`;
  return {
    fold: (await import(`${dist}/shared/drift/run/foldCaptureBlob.js`)).foldCaptureBlob,
    key: await import(`${dist}/shared/drift/run/blobProfileCacheKey.js`),
    rollups: await import(`${dist}/shared/drift/run/rollups.js`),
    Tally: (await import(`${dist}/shared/drift/run/hubTally.js`)).HubTallyBuilder,
  };
};
const libs = { before: await load(beforeRoot), after: await load(afterRoot) };
const dist = `${resolve(afterRoot)}/dist`;
const { CaptureFileWriter, captureEvent } = await import(`${dist}/shared/capture/captureFileWriter.js`);
const { makeBenchMatrix } = await import(`${dist}/bench/forest.js`);
const { benchBaseline } = await import(`${dist}/bench/scoring.js`);

const features = 20;
const events = 15_500;
const files = 8;
const prefilled = 192;
const timed = 48;
const schema = benchBaseline(features).schema;
const hour = Date.UTC(2024, 0, 15, 10);

function captureFile(seed) {
  const writer = new CaptureFileWriter({ codec: 'null' });
  const matrix = makeBenchMatrix(events, features, seed);
  const parts = [writer.header()];
  for (let from = 0; from < events; from += 1000) {
    const block = [];
    for (let r = from; r < Math.min(events, from + 1000); r++) {
      const values = {};
      for (let c = 0; c < features; c++) values[`f${c}`] = Math.round(matrix.values[r * features + c] * 1e4) / 1e4;
      block.push(
        captureEvent({
          sequenceNumber: r,
          enqueuedTimeInMs: hour + r * 3,
          body: { id: `e${seed}-${r}`, callerId: `caller-${r % 5000}`, features: values },
        }),
      );
    }
    parts.push(writer.block(block));
  }
  return Buffer.concat(parts);
}

const blobs = Array.from({ length: files }, (_, i) => captureFile(500 + i));
const nameOf = (i) => `bench/events/${i % 32}/2024/01/15/10/${String(Math.floor(i / 32)).padStart(2, '0')}/00.avro`;
const rollupKey = { schemaId: schema.id, hub: 'events', foldVersion: 1, hourStartInMs: hour };
const blobKey = (name) => ({ ...rollupKey, blobName: name, etag: `0x${name}` });
// Roll-up stores hold text before the stored-document change and bytes after: each lib gets the field it writes.
class Store {
  constructor(field) {
    this.field = field;
    this.docs = new Map();
    this.version = 0;
  }
  async read(name) {
    return this.docs.get(name);
  }
  async write(name, value, expected) {
    const current = this.docs.get(name);
    if (expected === 'absent' ? current !== undefined : current?.version !== expected.version) return false;
    this.docs.set(name, { [this.field]: value, version: String(++this.version) });
    return true;
  }
  copy() {
    const store = new Store(this.field);
    for (const [name, doc] of this.docs) store.docs.set(name, doc);
    return store;
  }
}
const entryOf = (lib, name, outcome) =>
  (lib.key.cachedBlobEntryBytes ?? lib.key.cachedBlobEntryText)(blobKey(name), outcome).length;

const outcomes = [];
for (const bytes of blobs) outcomes.push({ ok: true, ...(await libs.after.fold([bytes], 'events', schema)).value });
const prefilledStores = {};
for (const [which, lib] of Object.entries(libs)) {
  const store = new Store(lib.rollups.rollupDocumentBytes ? 'bytes' : 'text');
  for (let i = 0; i < prefilled; i++)
    await lib.rollups.mergeIntoRollup(
      store,
      schema,
      rollupKey,
      { name: nameOf(i), etag: `0x${i}` },
      outcomes[i % files],
    );
  prefilledStores[which] = store;
}

let sink = 0;
const steps = {
  fold: async (lib) => {
    for (let t = 0; t < timed; t++) sink += (await lib.fold([blobs[t % files]], 'events', schema)).value.records;
  },
  entry: async (lib) => {
    for (let t = 0; t < timed; t++) sink += entryOf(lib, nameOf(prefilled + t), outcomes[t % files]);
  },
  weekMerge: async (lib) => {
    const week = new lib.Tally(schema);
    for (let t = 0; t < timed; t++) week.addOutcome(nameOf(t), outcomes[t % files]);
    sink += week.folded;
  },
  rollupUpdate: async (lib, which) => {
    const store = prefilledStores[which].copy();
    for (let t = 0; t < timed; t++) {
      const i = prefilled + t;
      await lib.rollups.mergeIntoRollup(
        store,
        schema,
        rollupKey,
        { name: nameOf(i), etag: `0x${i}` },
        outcomes[i % files],
      );
    }
  },
};

const best = {};
const perRound = [];
for (let r = 0; r < rounds; r++) {
  const round = {};
  for (const [name, step] of Object.entries(steps))
    for (const which of r % 2 ? ['after', 'before'] : ['before', 'after']) {
      globalThis.gc?.();
      const cpu = process.cpuUsage();
      await step(libs[which], which);
      const used = process.cpuUsage(cpu);
      const ms = (used.user + used.system) / 1000 / timed;
      round[`${which}.${name}`] = ms;
      best[`${which}.${name}`] = Math.min(best[`${which}.${name}`] ?? Infinity, ms);
    }
  perRound.push(round);
}
if (sink === 0) throw new Error('nothing measured');

const ms = (k) => best[k].toFixed(3);
const weekly = (x, w) => x[`${w}.fold`] + x[`${w}.entry`] + x[`${w}.weekMerge`];
const landing = (x, w) => x[`${w}.fold`] + x[`${w}.entry`] + x[`${w}.rollupUpdate`];
const rate = (t) => Math.round((events / t) * 1000).toLocaleString('en-US');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `CPU ms per blob of ${events} events (best of ${rounds} interleaved rounds; roll-up holding ${prefilled}):`,
);
for (const w of ['before', 'after'])
  console.log(
    `  ${w.padEnd(6)} fold ${ms(`${w}.fold`)}  cache entry ${ms(`${w}.entry`)}  week merge ${ms(`${w}.weekMerge`)}  roll-up update ${ms(`${w}.rollupUpdate`)}`,
  );
console.log(
  `  events/s: weeklyDrift's step before ${rate(weekly(best, 'before'))}, after ${rate(weekly(best, 'after'))}; ` +
    `profileCaptureBlob's step before ${rate(landing(best, 'before'))}, after ${rate(landing(best, 'after'))}`,
);
console.log(
  `  profileCaptureBlob's step after / weeklyDrift's step before: ${(weekly(best, 'before') / landing(best, 'after')).toFixed(3)} (bests), ` +
    `${median(perRound.map((x) => weekly(x, 'before') / landing(x, 'after'))).toFixed(3)} (median of rounds); ` +
    `before the change ${(weekly(best, 'before') / landing(best, 'before')).toFixed(3)}`,
);
