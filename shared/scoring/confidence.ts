export interface ConfidenceOptions {
  /** Max probability below this raises LOW_CONFIDENCE (seed 0.7). */
  minConfidence: number;
  /**
   * Entropy over its largest possible value, ln K, above which HIGH_ENTROPY is raised (default 0.95). Relative, so
   * one threshold means the same spread for 2 classes as for 10; the seed's absolute 1.5 nats could never fire below
   * 5 classes (ln 4 = 1.39).
   */
  maxEntropyRatio: number;
  /** Top probability minus the runner-up's below this raises LOW_MARGIN (default 0.1). */
  minMargin: number;
}

export type ConfidenceLevel = 'LOW' | 'MEDIUM' | 'HIGH';

export interface ConfidenceJudgement {
  /** Max class probability. */
  confidence: number;
  /** Shannon entropy of the probabilities, natural log. */
  entropy: number;
  /** Top probability minus the second. */
  margin: number;
  /** Flags raised: LOW_CONFIDENCE, HIGH_ENTROPY, LOW_MARGIN, MULTIPLE_CLASSES, NEAR_UNIFORM. */
  flags: string[];
  /** Uncertainty: HIGH with two or more flags (manual review), MEDIUM with one (flag), LOW with none. */
  uncertainty: ConfidenceLevel;
}

/**
 * Judges one classifier's probability vector (drift-methods.md "Confidence"), binary or multiclass. For two classes
 * max probability, entropy and margin are one number seen three ways, so the defaults make bands: p >= 0.7 accepted,
 * about 0.63–0.7 flagged (low confidence), below that manual review (entropy above 0.95 ln 2 too; margin below 0.1
 * under 0.55). Only for a classifier: the isolation forest's anomaly probability is no class confidence.
 */
export function judgeConfidence(probabilities: ArrayLike<number>, options: ConfidenceOptions): ConfidenceJudgement {
  const k = probabilities.length;
  let max = 0;
  let second = 0;
  let entropy = 0;
  let sum = 0;
  let above = 0;
  for (let i = 0; i < k; i++) {
    const p = probabilities[i]!;
    if (p > max) {
      second = max;
      max = p;
    } else if (p > second) {
      second = p;
    }
    if (p > 0) entropy -= p * Math.log(p);
    if (p > 0.3) above++;
    sum += p;
  }
  const margin = max - second;
  const flags: string[] = [];
  if (max < options.minConfidence) flags.push('LOW_CONFIDENCE');
  if (k > 1 && entropy > options.maxEntropyRatio * Math.log(k)) flags.push('HIGH_ENTROPY');
  if (k > 1 && margin < options.minMargin) flags.push('LOW_MARGIN');
  if (above > 2) flags.push('MULTIPLE_CLASSES');
  if (k > 2) {
    const mean = sum / k;
    let variance = 0;
    for (let i = 0; i < k; i++) variance += (probabilities[i]! - mean) ** 2;
    if (Math.sqrt(variance / k) < 0.1) flags.push('NEAR_UNIFORM');
  }
  const uncertainty: ConfidenceLevel = flags.length >= 2 ? 'HIGH' : flags.length === 1 ? 'MEDIUM' : 'LOW';
  return { confidence: max, entropy, margin, flags, uncertainty };
}
