#!/usr/bin/python3
"""scipy's exact KS statistic and Wasserstein-1 on the distribution zoo (issue 11), for sizes beyond the exact path.

The values are not committed: this script draws them with the same counter-based generator and formulas as
bench/quality/distributionZoo.ts (numpy here, Node there), and commits what scipy says about them plus checksums of
the values, so the Node test (test/shared/drift/stats/zooGolden.test.ts) can check it drew the same numbers.
Writes test/fixtures/golden/distribution_zoo.json; --large adds a window of 1,000,000 values per case (the live system
test, test/system/driftStats.test.ts, runs it so; the committed fixture leaves it out to keep `npm test` quick).
Run: /usr/bin/python3 scripts/golden/distribution_zoo.py [--large] [output.json]
"""
import json
import math
import os
import sys

import numpy as np
from scipy import stats

# The zoo, as bench/quality/distributionZoo.ts declares it (the Node test fails if the two differ).
ZOO = [
    {'name': 'normal', 'reference': {'kind': 'normal', 'mean': 0, 'std': 1},
     'current': {'kind': 'normal', 'mean': 0.1, 'std': 1}},
    {'name': 'uniform', 'reference': {'kind': 'uniform', 'low': 0, 'high': 1},
     'current': {'kind': 'uniform', 'low': 0.05, 'high': 1.05}},
    {'name': 'poisson', 'reference': {'kind': 'poisson', 'lambda': 3}, 'current': {'kind': 'poisson', 'lambda': 4}},
    {'name': 'binary', 'reference': {'kind': 'bernoulli', 'p': 0.3}, 'current': {'kind': 'bernoulli', 'p': 0.448}},
    {'name': 'gapped',
     'reference': {'kind': 'mixture', 'weight': 0.5, 'first': {'kind': 'uniform', 'low': 0, 'high': 1},
                   'second': {'kind': 'uniform', 'low': 3, 'high': 4}},
     'current': {'kind': 'mixture', 'weight': 0.6, 'first': {'kind': 'uniform', 'low': 0, 'high': 1},
                 'second': {'kind': 'uniform', 'low': 3, 'high': 4}}},
    {'name': 'constant in baseline', 'reference': {'kind': 'constant', 'value': 5},
     'current': {'kind': 'mixture', 'weight': 0.9, 'first': {'kind': 'constant', 'value': 5},
                 'second': {'kind': 'normal', 'mean': 6, 'std': 1}}},
    {'name': 'near-constant',
     'reference': {'kind': 'mixture', 'weight': 0.98, 'first': {'kind': 'constant', 'value': 0},
                   'second': {'kind': 'exponential', 'rate': 1}},
     'current': {'kind': 'mixture', 'weight': 0.95, 'first': {'kind': 'constant', 'value': 0},
                 'second': {'kind': 'exponential', 'rate': 1}}},
    {'name': '4% jump to 30', 'reference': {'kind': 'normal', 'mean': 0, 'std': 1},
     'current': {'kind': 'mixture', 'weight': 0.96, 'first': {'kind': 'normal', 'mean': 0, 'std': 1},
                 'second': {'kind': 'constant', 'value': 30}}},
    {'name': 'far out of range', 'reference': {'kind': 'normal', 'mean': 0, 'std': 1},
     'current': {'kind': 'normal', 'mean': 1000, 'std': 1}},
    {'name': 'cauchy', 'reference': {'kind': 'cauchy', 'location': 0, 'scale': 1},
     'current': {'kind': 'cauchy', 'location': 0.5, 'scale': 1}},
    {'name': 'lognormal sigma 3', 'reference': {'kind': 'lognormal', 'mu': 0, 'sigma': 3},
     'current': {'kind': 'lognormal', 'mu': 0.3, 'sigma': 3}},
    {'name': 'hour of day', 'reference': {'kind': 'hour', 'mean': 13, 'std': 4},
     'current': {'kind': 'hour', 'mean': 14.3, 'std': 4}},
]

# Baseline 20,000 values (past the 5,000-value exact-path cap); windows below and above it; the issue's own sizes
# (6,000 against 20,000); and an undrifted window of the baseline's distribution.
REFERENCE = {'size': 20_000, 'seed': 11}
WINDOWS = [
    {'size': 1_000, 'seed': 12, 'drifted': True},
    {'size': 20_000, 'seed': 13, 'drifted': True},
    {'size': 100_000, 'seed': 14, 'drifted': True},
    {'size': 100_000, 'seed': 15, 'drifted': False},
]
ISSUE_SIZES = {'reference': {'size': 6_000, 'seed': 1}, 'current': {'size': 20_000, 'seed': 2}}

U32 = np.uint32


def lowbias32(x):
    x = x ^ (x >> U32(16))
    x = x * U32(0x7FEB352D)
    x = x ^ (x >> U32(15))
    x = x * U32(0x846CA68B)
    return x ^ (x >> U32(16))


def uniforms(seed, ks):
    """Uniform k of the seed's stream for each k: the Node generator's uniformStream."""
    key = lowbias32(np.array([(seed ^ 0x9E3779B9) & 0xFFFFFFFF], dtype=U32))[0]
    high = lowbias32(lowbias32((2 * ks).astype(U32)) ^ key)
    low = lowbias32(lowbias32((2 * ks + 1).astype(U32)) ^ key)
    return ((high >> U32(5)).astype(np.float64) * 67108864.0 + (low >> U32(6)).astype(np.float64)) / 9007199254740992.0


def poisson_cdf(lam):
    size = math.ceil(lam + 20 * math.sqrt(lam) + 20)
    p = math.exp(-lam)
    total = p
    cdf = [total]
    for k in range(1, size):
        p = (p * lam) / k
        total += p
        cdf.append(total)
    return np.array(cdf)


def draw(d, u1, u2):
    gaussian = lambda: np.sqrt(-2 * np.log(1 - u1)) * np.cos(2 * np.pi * u2)
    kind = d['kind']
    if kind == 'normal':
        return d['mean'] + d['std'] * gaussian()
    if kind == 'uniform':
        return d['low'] + (d['high'] - d['low']) * u1
    if kind == 'poisson':
        return np.searchsorted(poisson_cdf(d['lambda']), u1, side='right').astype(np.float64)
    if kind == 'bernoulli':
        return np.where(u1 < d['p'], 1.0, 0.0)
    if kind == 'constant':
        return np.full(len(u1), float(d['value']))
    if kind == 'cauchy':
        return d['location'] + d['scale'] * np.tan(np.pi * (u1 - 0.5))
    if kind == 'lognormal':
        return np.exp(d['mu'] + d['sigma'] * gaussian())
    if kind == 'exponential':
        return -np.log(1 - u1) / d['rate']
    if kind == 'hour':
        return np.mod(np.floor(d['mean'] + d['std'] * gaussian()), 24) + 0.0
    raise ValueError(kind)


def sample(d, count, seed):
    j = np.arange(count, dtype=np.int64)
    u0, u1, u2 = uniforms(seed, 3 * j), uniforms(seed, 3 * j + 1), uniforms(seed, 3 * j + 2)
    if d['kind'] == 'mixture':
        return np.where(u0 < d['weight'], draw(d['first'], u1, u2), draw(d['second'], u1, u2))
    return draw(d, u1, u2)


def checksum(values):
    return {'sum': math.fsum(values), 'sumAbs': math.fsum(np.abs(values)), 'first': float(values[0]),
            'min': float(np.min(values)), 'max': float(np.max(values))}


def exact(ref, cur):
    return {
        'ksStatistic': float(stats.ks_2samp(ref, cur, method='asymp').statistic),
        'wasserstein': float(stats.wasserstein_distance(ref, cur)),
        'meanDifference': abs(math.fsum(cur) / len(cur) - math.fsum(ref) / len(ref)),
        'referenceStd': float(np.std(ref)),
        'referenceRange': float(np.max(ref) - np.min(ref)),
    }


def main():
    args = [a for a in sys.argv[1:] if a != '--large']
    sizes = WINDOWS + ([{'size': 1_000_000, 'seed': 16, 'drifted': True}] if '--large' in sys.argv[1:] else [])
    cases = []
    for zoo in ZOO:
        ref = sample(zoo['reference'], REFERENCE['size'], REFERENCE['seed'])
        windows = []
        for w in sizes:
            cur = sample(zoo['current'] if w['drifted'] else zoo['reference'], w['size'], w['seed'])
            windows.append({**w, 'checksum': checksum(cur), **exact(ref, cur)})
        issue_ref = sample(zoo['reference'], ISSUE_SIZES['reference']['size'], ISSUE_SIZES['reference']['seed'])
        issue_cur = sample(zoo['current'], ISSUE_SIZES['current']['size'], ISSUE_SIZES['current']['seed'])
        cases.append({
            **zoo,
            'referenceSample': {**REFERENCE, 'checksum': checksum(ref)},
            'windows': windows,
            'issueSizes': {
                'reference': {**ISSUE_SIZES['reference'], 'checksum': checksum(issue_ref)},
                'current': {**ISSUE_SIZES['current'], 'checksum': checksum(issue_cur)},
                **exact(issue_ref, issue_cur),
            },
        })
    out = args[0] if args else os.path.join(
        os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'golden', 'distribution_zoo.json')
    with open(out, 'w') as f:
        json.dump({'generatedBy': 'scripts/golden/distribution_zoo.py', 'scipy': __import__('scipy').__version__,
                   'numpy': np.__version__, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(out)}')


if __name__ == '__main__':
    main()
