export interface ConfidenceOptions {
  /** Max probability below this raises a flag (seed 0.7). */
  minConfidence: number;
  /** Entropy (natural log) above this raises a flag (seed 1.5). */
  maxEntropy: number;
}

export type ConfidenceLevel = 'LOW' | 'MEDIUM' | 'HIGH';

export interface ConfidenceJudgement {
  /** Max class probability. */
  confidence: number;
  /** Shannon entropy of the probabilities, natural log. */
  entropy: number;
  /** Flags raised: LOW_CONFIDENCE, HIGH_ENTROPY, MULTIPLE_CLASSES, NEAR_UNIFORM. */
  flags: string[];
  /** Uncertainty: HIGH with two or more flags (manual review), MEDIUM with one (flag), LOW with none. */
  uncertainty: ConfidenceLevel;
}

/** Judges one probability vector (drift-methods.md "Confidence"). */
export function judgeConfidence(probabilities: ArrayLike<number>, options: ConfidenceOptions): ConfidenceJudgement {
  const k = probabilities.length;
  let max = 0;
  let entropy = 0;
  let sum = 0;
  let above = 0;
  for (let i = 0; i < k; i++) {
    const p = probabilities[i]!;
    if (p > max) max = p;
    if (p > 0) entropy -= p * Math.log(p);
    if (p > 0.3) above++;
    sum += p;
  }
  const flags: string[] = [];
  if (max < options.minConfidence) flags.push('LOW_CONFIDENCE');
  if (entropy > options.maxEntropy) flags.push('HIGH_ENTROPY');
  if (above > 2) flags.push('MULTIPLE_CLASSES');
  if (k > 2) {
    const mean = sum / k;
    let variance = 0;
    for (let i = 0; i < k; i++) variance += (probabilities[i]! - mean) ** 2;
    if (Math.sqrt(variance / k) < 0.1) flags.push('NEAR_UNIFORM');
  }
  const uncertainty: ConfidenceLevel = flags.length >= 2 ? 'HIGH' : flags.length === 1 ? 'MEDIUM' : 'LOW';
  return { confidence: max, entropy, flags, uncertainty };
}
