import type { ScoredRecord } from '../contracts/records.js';
import { CategoricalAccumulator, NumericAccumulator } from './featureAccumulators.js';
import { SCANNED_KIND, type ScannedFeatures } from '../json/scannedFeatures.js';
import {
  AUC_BINS,
  PROFILE_VERSION,
  type DatasetProfile,
  type FeatureProfile,
  type PerformanceState,
} from './profile.js';
import { generateFunction, nameLiteral } from '../codegen/generateFunction.js';
import type { ProfileSchema } from './schema.js';

/** The fields of a ScoredRecord the profile reads. */
export type ScoredFields = Pick<ScoredRecord, 'prediction' | 'score' | 'label' | 'probabilities'> & {
  features: Readonly<Record<string, unknown>>;
};

/** Events per column-wise fold of addScanned's numeric values: a batch of 20 features stays within the L2 cache. */
const BATCH_EVENTS = 256;

type Slot = { name: string; numeric: NumericAccumulator | null; categorical: CategoricalAccumulator | null };

/**
 * Folds events into a profile, fast: the hot loop of weeklyDrift. Mutable; `toProfile()` snapshots an immutable
 * DatasetProfile (the accumulator may go on afterwards). Feature values not in the schema are ignored.
 */
export class ProfileAccumulator {
  private readonly schema: ProfileSchema;
  private readonly slots: Slot[];
  private events = 0;
  private readonly badBodies = new Map<string, number>();
  private readonly predictedClass: CategoricalAccumulator | null;
  private readonly score: NumericAccumulator | null;
  private readonly labels: CategoricalAccumulator | null;
  private readonly labelIndex = new Map<string, number>();
  private readonly classCount: number;
  private readonly confusion: Float64Array | null;
  private labelled = 0;
  private readonly positiveClass: string | null;
  private readonly positives: Float64Array | null;
  private readonly negatives: Float64Array | null;
  private readonly fold: (features: Readonly<Record<string, unknown>>) => void;
  /**
   * Numeric values of the last events read by addScanned, one row per event (NaN: missing), folded a column at a
   * time every BATCH_EVENTS events and before anything else reads or adds (so the order of additions, hence every
   * sum, is the order of events).
   */
  private readonly batch: Float64Array;
  private batched = 0;
  /** The loops of addScanned: numeric and categorical accumulators with their schema slots. */
  private readonly numeric: NumericAccumulator[];
  private readonly numericSlots: Int32Array;
  private readonly categorical: CategoricalAccumulator[];
  private readonly categoricalSlots: Int32Array;
  /** Schema feature names in slot order: what a body scanner feeding addScanned must be built with. */
  readonly featureNames: readonly string[];

  constructor(schema: ProfileSchema) {
    this.schema = schema;
    this.slots = schema.features.map((f) => ({
      name: f.name,
      numeric: f.type === 'numeric' ? new NumericAccumulator(f, schema.exactValueCap) : null,
      categorical: f.type === 'categorical' ? new CategoricalAccumulator(f.categories) : null,
    }));
    this.predictedClass = schema.prediction ? new CategoricalAccumulator(schema.prediction.classes) : null;
    this.score = schema.prediction?.score
      ? new NumericAccumulator(schema.prediction.score, schema.exactValueCap)
      : null;
    this.labels = schema.labels ? new CategoricalAccumulator(schema.labels.classes) : null;
    schema.labels?.classes.forEach((c, i) => this.labelIndex.set(c, i));
    this.classCount = schema.labels ? schema.labels.classes.length + 1 : 0;
    this.confusion = schema.labels ? new Float64Array(this.classCount * this.classCount) : null;
    const binary = schema.labels !== null && schema.labels.classes.length === 2 && schema.labels.positiveClass !== null;
    this.positiveClass = binary ? schema.labels!.positiveClass : null;
    this.positives = binary ? new Float64Array(AUC_BINS) : null;
    this.negatives = binary ? new Float64Array(AUC_BINS) : null;
    this.fold = compileFold(this.slots);
    const numericSlots = this.slots.flatMap((s, i) => (s.numeric ? [i] : []));
    const categoricalSlots = this.slots.flatMap((s, i) => (s.categorical ? [i] : []));
    this.numeric = numericSlots.map((i) => this.slots[i]!.numeric!);
    this.numericSlots = Int32Array.from(numericSlots);
    this.categorical = categoricalSlots.map((i) => this.slots[i]!.categorical!);
    this.categoricalSlots = Int32Array.from(categoricalSlots);
    this.batch = new Float64Array(BATCH_EVENTS * this.numeric.length);
    this.featureNames = this.slots.map((s) => s.name);
  }

  /** One input event's features (the event contract's `features`). */
  addFeatures(features: Readonly<Record<string, unknown>>): void {
    if (this.batched > 0) this.foldBatch();
    this.events++;
    this.fold(features);
  }

  /**
   * One input event's features as a body scanner read them, slot i being `featureNames[i]`: the same counts as
   * addFeatures of the parsed object, without building one.
   */
  addScanned(values: ScannedFeatures): void {
    this.events++;
    const { kinds, numbers, strings } = values;
    const width = this.numeric.length;
    const numericSlots = this.numericSlots;
    const batch = this.batch;
    const row = this.batched * width;
    for (let k = 0; k < width; k++) {
      const i = numericSlots[k]!;
      batch[row + k] = kinds[i] === SCANNED_KIND.number ? numbers[i]! : Number.NaN;
    }
    if (++this.batched === BATCH_EVENTS) this.foldBatch();
    const categorical = this.categorical;
    const categoricalSlots = this.categoricalSlots;
    for (let k = 0; k < categorical.length; k++) {
      const i = categoricalSlots[k]!;
      categorical[k]!.addScanned(kinds[i]!, numbers[i]!, strings[i]);
    }
  }

  private foldBatch(): void {
    const width = this.numeric.length;
    for (let k = 0; k < width; k++) this.numeric[k]!.addColumn(this.batch, k, width, this.batched);
    this.batched = 0;
  }

  /** One scored record: its features, predicted class and score, and (when labelled) the confusion and AUC counts. */
  addScored(record: ScoredFields): void {
    this.addFeatures(record.features);
    this.predictedClass?.add(record.prediction);
    this.score?.add(record.score);
    if (this.labels === null) return;
    const label = record.label === null || record.label === undefined ? null : String(record.label);
    this.labels.add(label);
    if (label === null || record.prediction === null || record.prediction === undefined) return;
    this.labelled++;
    const k = this.classCount;
    const actual = this.labelIndex.get(label) ?? k - 1;
    const predicted = this.labelIndex.get(String(record.prediction)) ?? k - 1;
    this.confusion![actual * k + predicted]! += 1;
    if (this.positiveClass !== null) {
      const s = record.probabilities?.[this.positiveClass] ?? record.score;
      if (typeof s === 'number' && Number.isFinite(s)) {
        const bin = Math.min(AUC_BINS - 1, Math.max(0, Math.floor(s * AUC_BINS)));
        (label === this.positiveClass ? this.positives! : this.negatives!)[bin]! += 1;
      }
    }
  }

  /** A body that could not be read or failed the contract, by its stable reason code. */
  addBadBody(reasonCode: string): void {
    this.badBodies.set(reasonCode, (this.badBodies.get(reasonCode) ?? 0) + 1);
  }

  /**
   * Done with this accumulator (after its last toProfile): its dense buffers go to the next one. The fold of a blob
   * calls it; using the accumulator afterwards is a bug.
   */
  release(): void {
    for (const slot of this.slots) slot.numeric?.release();
    this.score?.release();
  }

  toProfile(): DatasetProfile {
    if (this.batched > 0) this.foldBatch();
    const features: Record<string, FeatureProfile> = {};
    for (const slot of this.slots)
      features[slot.name] = slot.numeric ? slot.numeric.snapshot() : slot.categorical!.snapshot();
    const badBodies: Record<string, number> = {};
    for (const key of [...this.badBodies.keys()].sort()) badBodies[key] = this.badBodies.get(key)!;
    let performance: PerformanceState | null = null;
    if (this.confusion !== null) {
      performance = {
        labelled: this.labelled,
        confusion: Array.from(this.confusion),
        scoreHistogram:
          this.positives && this.negatives
            ? { positive: Array.from(this.positives), negative: Array.from(this.negatives) }
            : null,
      };
    }
    return {
      version: PROFILE_VERSION,
      schemaId: this.schema.id,
      exactValueCap: this.schema.exactValueCap,
      events: this.events,
      features,
      badBodies,
      prediction: this.predictedClass
        ? { classes: this.predictedClass.snapshot(), score: this.score ? this.score.snapshot() : null }
        : null,
      labels: this.labels ? this.labels.snapshot() : null,
      performance,
    };
  }
}

/**
 * The per-event loop, generated once per schema with each feature name as a literal property access. Bodies parsed
 * from JSON share a hidden class, so every access site stays monomorphic; a loop reading `features[name]` with a
 * changing name is a megamorphic keyed load and made the fold several times slower than JSON.parse itself.
 * A schema too wide to generate gets the same loop by name.
 */
function compileFold(slots: ReadonlyArray<Slot>): (features: Readonly<Record<string, unknown>>) => void {
  const numeric = slots.map((s) => s.numeric);
  const categorical = slots.map((s) => s.categorical);
  const lines = slots.map((s, i) => `${s.numeric ? 'n' : 'c'}[${i}].add(f[${nameLiteral(s.name)}]);`);
  const factory = generateFunction<
    (
      n: ReadonlyArray<NumericAccumulator | null>,
      c: ReadonlyArray<CategoricalAccumulator | null>,
    ) => (features: Readonly<Record<string, unknown>>) => void
  >(['n', 'c'], `return function fold(f) {\n${lines.join('\n')}\n};`);
  if (factory !== undefined) return factory(numeric, categorical);
  return (features) => {
    for (let i = 0; i < slots.length; i++) {
      const value = features[slots[i]!.name];
      if (numeric[i]) numeric[i]!.add(value);
      else categorical[i]!.add(value);
    }
  };
}
