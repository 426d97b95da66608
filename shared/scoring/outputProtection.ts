export type OutputProtection = 'none' | 'round' | 'noise';

/**
 * Protects returned probabilities against extraction: rounding to two decimals, or Gaussian noise (σ, seed 0.01)
 * then clip to [0, 1] and renormalise. Noise alone does not stop label-only extraction; the per-caller probing
 * detection does the rest. `random` is injected so replays can be deterministic.
 */
export function protectProbabilities(
  probabilities: Record<string, number>,
  mode: OutputProtection,
  sigma: number,
  random: () => number,
): Record<string, number> {
  if (mode === 'none') return probabilities;
  const entries = Object.entries(probabilities);
  if (mode === 'round') return Object.fromEntries(entries.map(([k, p]) => [k, Math.round(p * 100) / 100]));
  const noisy = entries.map(([k, p]) => [k, Math.min(1, Math.max(0, p + sigma * gaussian(random)))] as const);
  const sum = noisy.reduce((s, [, p]) => s + p, 0);
  return Object.fromEntries(noisy.map(([k, p]) => [k, sum > 0 ? p / sum : 1 / noisy.length]));
}

function gaussian(random: () => number): number {
  // Box–Muller; 1 - u keeps the logarithm finite.
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
