#!/usr/bin/python3
"""Golden values for the drift stat tests (test/shared/drift/stats/golden.test.ts).

Writes test/fixtures/golden/drift_stats.json: the data of each case and what the seed's Python (calculate_psi) and
scipy (ks_2samp method='asymp', wasserstein_distance, jensenshannon base 2, chi2_contingency) say about it.
Run: /usr/bin/python3 scripts/golden/drift_stats.py [output.json]
"""
import json
import os
import sys

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon


def calculate_psi(expected, actual, buckets=10):
    """The seed's PSI (drift-methods.md): equal-width buckets over the baseline range, outer edges -inf/+inf."""
    breakpoints = np.linspace(np.min(expected), np.max(expected), buckets + 1)
    breakpoints[0] = -np.inf
    breakpoints[-1] = np.inf
    expected_percents = np.histogram(expected, breakpoints)[0] / len(expected)
    actual_percents = np.histogram(actual, breakpoints)[0] / len(actual)
    expected_percents = np.where(expected_percents == 0, 0.0001, expected_percents)
    actual_percents = np.where(actual_percents == 0, 0.0001, actual_percents)
    return float(np.sum((actual_percents - expected_percents) * np.log(actual_percents / expected_percents)))


def psi_on_edges(expected, actual, interior):
    edges = np.concatenate([[-np.inf], interior, [np.inf]])
    p = np.histogram(expected, edges)[0] / len(expected)
    q = np.histogram(actual, edges)[0] / len(actual)
    p = np.where(p == 0, 0.0001, p)
    q = np.where(q == 0, 0.0001, q)
    return float(np.sum((q - p) * np.log(q / p)))


def bin_proportions(expected, actual, buckets=10):
    breakpoints = np.linspace(np.min(expected), np.max(expected), buckets + 1)
    breakpoints[0] = -np.inf
    breakpoints[-1] = np.inf
    p = np.histogram(expected, breakpoints)[0] / len(expected)
    q = np.histogram(actual, breakpoints)[0] / len(actual)
    return p, q


def numeric_case(name, ref, cur):
    ref = np.round(ref, 6)
    cur = np.round(cur, 6)
    ks = stats.ks_2samp(ref, cur, method='asymp')
    p, q = bin_proportions(ref, cur)
    deciles = np.percentile(ref, np.arange(10, 100, 10))
    return {
        'name': name,
        'reference': ref.tolist(),
        'current': cur.tolist(),
        'psi': calculate_psi(ref, cur),
        'psiDecile': psi_on_edges(ref, cur, deciles),
        'ksStatistic': float(ks.statistic),
        'ksPValue': float(ks.pvalue),
        'wasserstein': float(stats.wasserstein_distance(ref, cur)),
        'jensenShannon': float(jensenshannon(p, q, base=2)),
        'hellinger': float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))),
        'meanShift': float(abs(np.mean(cur) - np.mean(ref)) / np.std(ref)),
        'referenceRange': float(np.max(ref) - np.min(ref)),
        'referenceStd': float(np.std(ref)),
    }


def categorical_case(name, ref_counts, cur_counts):
    ref = np.array(ref_counts, dtype=float)
    cur = np.array(cur_counts, dtype=float)
    keep = (ref > 0) | (cur > 0)
    r, c = ref[keep], cur[keep]
    # Cochran's rule as shared/drift/stats/chiSquare.ts applies it: cells whose expected count in the smaller sample
    # is below 5 are pooled into one cell (a pooled cell still below 5 joins the smallest kept cell).
    smaller = min(r.sum(), c.sum())
    sparse = (r + c) / (r.sum() + c.sum()) * smaller < 5
    cells = [[a, b] for a, b in zip(r[~sparse], c[~sparse])]
    if sparse.any():
        pooled = [r[sparse].sum(), c[sparse].sum()]
        if (pooled[0] + pooled[1]) / (r.sum() + c.sum()) * smaller < 5 and cells:
            i = min(range(len(cells)), key=lambda j: cells[j][0] + cells[j][1])
            cells[i] = [cells[i][0] + pooled[0], cells[i][1] + pooled[1]]
        else:
            cells.append(pooled)
    chi = stats.chi2_contingency(np.array(cells).T, correction=False)
    p = ref / ref.sum()
    q = cur / cur.sum()
    pf = np.where(p == 0, 0.0001, p)
    qf = np.where(q == 0, 0.0001, q)
    return {
        'name': name,
        'referenceCounts': ref_counts,
        'currentCounts': cur_counts,
        'chiSquareStatistic': float(chi.statistic),
        'chiSquarePValue': float(chi.pvalue),
        'jensenShannon': float(jensenshannon(p, q, base=2)),
        'psi': float(np.sum((qf - pf) * np.log(qf / pf))),
    }


def main():
    rng = np.random.default_rng(20240601)
    numeric = [
        numeric_case('same normal', rng.normal(0, 1, 400), rng.normal(0, 1, 300)),
        numeric_case('shifted normal', rng.normal(10, 2, 500), rng.normal(10.6, 2, 500)),
        numeric_case('small windows (n_eff 24)', rng.normal(0, 1, 60), rng.normal(0.5, 1, 40)),
        numeric_case('tiny shift, small n', rng.normal(0, 1, 30), rng.normal(0.1, 1, 25)),
        numeric_case('lognormal vs scaled', rng.lognormal(0, 0.8, 2000), 1.3 * rng.lognormal(0, 0.8, 1500)),
        numeric_case('integer ties', rng.integers(0, 6, 300).astype(float), rng.integers(0, 7, 200).astype(float)),
        numeric_case('current beyond baseline range', rng.uniform(0, 1, 400), rng.uniform(0.5, 2, 300)),
        numeric_case('large, slight shift', rng.normal(0, 1, 4000), rng.normal(0.05, 1, 3000)),
    ]
    categorical = [
        categorical_case('stable', [500, 300, 150, 50, 0, 0], [260, 140, 80, 20, 0, 0]),
        categorical_case('new categories', [500, 300, 150, 50, 0, 0], [200, 150, 100, 20, 60, 10]),
        categorical_case('collapsed', [400, 400, 200, 0, 0, 3], [900, 50, 50, 0, 0, 0]),
        categorical_case('sparse tail pooled', [600, 300, 40, 3, 2, 1], [150, 80, 12, 2, 0, 1]),
        categorical_case('small current window', [5000, 3000, 2000], [12, 9, 4]),
    ]
    # The Kolmogorov distribution at n_eff across scipy's algorithm regions (Durbin matrix, Pomeranz, Pelz-Good,
    # Smirnov's tail, the closed forms at both ends) and the chi-square survival function.
    kolmogorov = [
        [n, x, float(stats.kstwo.sf(x, n))]
        for n, x in [(1, 0.7), (5, 0.15), (5, 0.3), (5, 0.95), (24, 0.1), (24, 0.2), (24, 0.31), (50, 0.35), (120, 0.08),
                     (120, 0.15), (140, 0.5), (141, 0.1), (200, 0.12), (1000, 0.03), (1000, 0.06), (50000, 0.004),
                     (50000, 0.01), (500000, 0.001), (500000, 0.003), (2000000, 0.0015), (300, 0.002)]
    ]
    chi_square = [[x, k, float(stats.chi2.sf(x, k))] for x, k in [(0.5, 1), (3.84, 1), (10, 3), (2, 5), (30, 5), (100, 9), (150, 120), (1000, 900), (0.001, 2)]]
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'golden', 'drift_stats.json')
    with open(out, 'w') as f:
        json.dump({'generatedBy': 'scripts/golden/drift_stats.py', 'numeric': numeric, 'categorical': categorical,
                   'kolmogorov': kolmogorov, 'chiSquare': chi_square}, f)
        f.write('\n')
    print(f'wrote {os.path.normpath(out)}')


if __name__ == '__main__':
    main()
