/**
 * P(X ≥ x) for X ~ Binomial(n, p), summed in log space from x upwards so that tails of 1e-12 keep their precision
 * (the terms fall geometrically past the mean, so the sum stops once they no longer add).
 */
export function binomialUpperTail(n: number, p: number, x: number): number {
  if (x <= 0) return 1;
  if (x > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logTerm = logChoose(n, x) + x * logP + (n - x) * logQ;
  let sum = 0;
  for (let k = x; k <= n; k++) {
    const term = Math.exp(logTerm);
    sum += term;
    if (term < sum * 1e-17 && k > n * p) break;
    // Ratio of consecutive pmf terms: C(n, k+1)/C(n, k) · p/q.
    logTerm += Math.log((n - k) / (k + 1)) + logP - logQ;
  }
  return Math.min(1, sum);
}

/**
 * The smallest count c with P(X ≥ c) ≤ alpha under Binomial(n, p): the exact critical value of the one-sided test,
 * n + 1 when no count is that unlikely.
 */
export function binomialCriticalCount(n: number, p: number, alpha: number): number {
  let lo = 0;
  let hi = n + 1;
  // The tail falls as c rises: binary search for the first c at or below alpha.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (binomialUpperTail(n, p, mid) <= alpha) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

const exactLogFactorials: number[] = [0];
function logFactorial(n: number): number {
  if (n < 256) {
    for (let i = exactLogFactorials.length; i <= n; i++)
      exactLogFactorials.push(exactLogFactorials[i - 1]! + Math.log(i));
    return exactLogFactorials[n]!;
  }
  // Stirling's series: its error is below 1e-12 from n = 256 on.
  const x = n + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}
