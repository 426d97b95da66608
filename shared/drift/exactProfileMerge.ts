import { ExactSum, type StoredPartial } from './exactSum.js';
import { emptyProfile, mergeProfiles, type DatasetProfile, type NumericFeatureProfile } from './profile.js';
import type { ProfileSchema } from './schema.js';

/** The exact float sums behind a merged profile's numeric features (and the prediction score). */
export interface StoredExactSums {
  features: Record<string, { sum: StoredPartial[]; centeredSumSquares: StoredPartial[] }>;
  predictionScore: { sum: StoredPartial[]; centeredSumSquares: StoredPartial[] } | null;
}

/** A merged profile that can go on merging exactly: the profile as read, and the exact state of its float sums. */
export interface ExactProfileState {
  profile: DatasetProfile;
  exactSums: StoredExactSums;
}

interface NumericSums {
  sum: ExactSum;
  centeredSumSquares: ExactSum;
}

/**
 * Merges profiles so that the result does not depend on their order or grouping, to the bit. mergeProfiles is exact
 * for everything but the numeric sums (Σx, Σ(x − c)²), which it adds as doubles; here those are carried as exact sums
 * and rounded once, when the profile is read. Counts, min/max, bucket counts, sketches and raw values merge exactly
 * as they are. So the weekly profile is the same whether it comes from one fold over 64k blobs, from 168 hourly
 * roll-ups built by concurrent writers in any order, or from a mix.
 */
export class ExactProfileMerger {
  private merged: DatasetProfile;
  private readonly features = new Map<string, NumericSums>();
  private predictionScore: NumericSums | undefined;
  /** Nothing added yet: `merged` is still the empty profile. */
  private pristine = true;

  constructor(schema: ProfileSchema) {
    this.merged = emptyProfile(schema);
  }

  get events(): number {
    return this.merged.events;
  }

  /** Folds in one profile (a blob's). */
  add(profile: DatasetProfile): void {
    this.merged = mergeProfiles(this.merged, profile);
    this.pristine = false;
    for (const [name, feature] of Object.entries(profile.features)) {
      if (feature.type === 'numeric') this.addNumeric(this.sumsOf(name), feature);
    }
    const score = profile.prediction?.score;
    if (score) this.addNumeric((this.predictionScore ??= newSums()), score);
  }

  /**
   * Folds in another merger's state (a roll-up): its exact sums, not its rounded ones. Into a merger that holds nothing
   * yet, the state's profile is taken as it is (a merger's output, so already what merging it into the empty profile
   * gives) rather than copied by a merge: a landed blob's roll-up update merges once, not twice.
   */
  addState(state: ExactProfileState): void {
    this.merged = this.pristine ? state.profile : mergeProfiles(this.merged, state.profile);
    this.pristine = false;
    for (const [name, sums] of Object.entries(state.exactSums.features)) {
      const target = this.sumsOf(name);
      target.sum.addSum(ExactSum.fromStored(sums.sum));
      target.centeredSumSquares.addSum(ExactSum.fromStored(sums.centeredSumSquares));
    }
    const score = state.exactSums.predictionScore;
    if (score) {
      const target = (this.predictionScore ??= newSums());
      target.sum.addSum(ExactSum.fromStored(score.sum));
      target.centeredSumSquares.addSum(ExactSum.fromStored(score.centeredSumSquares));
    }
  }

  /** The merged profile, its sums rounded once. */
  profile(): DatasetProfile {
    const features = { ...this.merged.features };
    for (const [name, sums] of this.features) {
      const feature = features[name];
      if (feature?.type === 'numeric') features[name] = rounded(feature, sums);
    }
    const prediction = this.merged.prediction;
    return {
      ...this.merged,
      features,
      prediction:
        prediction && prediction.score && this.predictionScore
          ? { ...prediction, score: rounded(prediction.score, this.predictionScore) }
          : prediction,
    };
  }

  state(): ExactProfileState {
    const features: StoredExactSums['features'] = {};
    for (const [name, sums] of this.features) features[name] = stored(sums);
    return {
      profile: this.profile(),
      exactSums: { features, predictionScore: this.predictionScore ? stored(this.predictionScore) : null },
    };
  }

  private sumsOf(name: string): NumericSums {
    let sums = this.features.get(name);
    if (sums === undefined) {
      sums = newSums();
      this.features.set(name, sums);
    }
    return sums;
  }

  private addNumeric(sums: NumericSums, feature: NumericFeatureProfile): void {
    sums.sum.add(feature.sum);
    sums.centeredSumSquares.add(feature.centeredSumSquares);
  }
}

function newSums(): NumericSums {
  return { sum: new ExactSum(), centeredSumSquares: new ExactSum() };
}

function rounded(feature: NumericFeatureProfile, sums: NumericSums): NumericFeatureProfile {
  return { ...feature, sum: sums.sum.value(), centeredSumSquares: sums.centeredSumSquares.value() };
}

function stored(sums: NumericSums): { sum: StoredPartial[]; centeredSumSquares: StoredPartial[] } {
  return { sum: sums.sum.toStored(), centeredSumSquares: sums.centeredSumSquares.toStored() };
}
