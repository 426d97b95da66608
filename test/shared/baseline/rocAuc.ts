/**
 * Area under the ROC curve of `scores` for binary `labels` (1 = positive, ranked high), as the Mann–Whitney U
 * statistic with mid-ranks for ties: the same number as scikit-learn's roc_auc_score.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`${labels.length} labels for ${n} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const midRank = (start + 1 + end) / 2; // ranks start..end-1, 1-based
    for (let k = start; k < end; k++) {
      if (labels[order[k]!] === 1) {
        positives++;
        positiveRankSum += midRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) throw new Error('AUC needs both classes');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
