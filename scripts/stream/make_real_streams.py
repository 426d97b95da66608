#!/usr/bin/python3
"""Model fixtures on scikit-learn's bundled real datasets for the stream detectors' tests and benchmark.

For breast cancer, digits and diabetes (its target cut at the median: above or not) a logistic regression on
standardised features gives every row an out-of-fold class probability (5-fold cross_val_predict), as a model scores
rows it was not fitted on. The rows are split in two at random: `baseline` (what `mrm baseline` would hold out) and
`pool` (what the streams of bench/stream.ts and test/shared/stream/realDatasets.test.ts resample, with replacement).
Each pool row carries two flags of a real concept change:
- `flip`: the row is in a subgroup (named in `changes.flip`) whose labels the change flips (binary) or reassigns
  (digits: the 3s are recorded as 8s);
- `subpopulation`: the row is in a subpopulation (named in `changes.subpopulation`) that the stream switches to.
Probabilities are rounded to 6 decimals.

Usage: /usr/bin/python3 scripts/stream/make_real_streams.py [--out-dir test/fixtures/stream]
"""
import argparse
import json
import os

import numpy as np
import sklearn
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SEED = 17


def column(bunch, name):
    return bunch.data[:, list(bunch.feature_names).index(name)]


def breast_cancer():
    b = datasets.load_breast_cancer()
    texture = column(b, 'mean texture')
    radius = column(b, 'mean radius')
    return {
        'x': b.data,
        'y': b.target,
        'flip': texture >= np.quantile(texture, 0.88),
        'subpopulation': radius >= np.median(radius),
        'changes': {
            'flip': 'labels flipped (benign <-> malignant) for the rows of mean texture in its top 12 %',
            'subpopulation': 'the stream switches to the rows of mean radius at or above its median',
        },
    }


def digits():
    b = datasets.load_digits()
    y = b.target
    return {
        'x': b.data,
        'y': y,
        'flip': y == 3,
        'subpopulation': y <= 4,
        'changes': {
            'flip': 'the 3s are recorded as 8s (a labelling change)',
            'subpopulation': 'the stream switches to the digits 0 to 4',
        },
    }


def diabetes():
    b = datasets.load_diabetes()
    y = (b.target > np.median(b.target)).astype(int)
    age = column(b, 'age')
    bmi = column(b, 'bmi')
    return {
        'x': b.data,
        'y': y,
        'flip': age >= np.quantile(age, 0.85),
        'subpopulation': bmi >= np.median(bmi),
        'changes': {
            'flip': 'labels flipped for the rows of age in its top 15 % (target above its median or not)',
            'subpopulation': 'the stream switches to the rows of bmi at or above its median',
        },
    }


DATASETS = {'breast_cancer': breast_cancer, 'digits': digits, 'diabetes': diabetes}


def make(name, out_dir):
    d = DATASETS[name]()
    x, y = d['x'], d['y']
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=5000))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    proba = cross_val_predict(model, x, y, cv=folds, method='predict_proba')
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(y))
    half = len(y) // 2
    parts = {'baseline': order[:half], 'pool': order[half:]}
    classes = [str(c) for c in sorted(set(y.tolist()))]

    def rows(idx, flags):
        out = {
            'probabilities': [[round(float(p), 6) for p in proba[i]] for i in idx],
            'labels': [int(y[i]) for i in idx],
        }
        if flags:
            out['flip'] = [bool(d['flip'][i]) for i in idx]
            out['subpopulation'] = [bool(d['subpopulation'][i]) for i in idx]
        return out

    fixture = {
        'dataset': name,
        'source': f'sklearn.datasets.load_{name} (scikit-learn {sklearn.__version__})',
        'model': 'LogisticRegression(C=1) on standardised features; out-of-fold probabilities, 5-fold stratified',
        'seed': SEED,
        'classes': classes,
        'heldOutAccuracy': float((proba.argmax(axis=1) == np.searchsorted(np.array(sorted(set(y.tolist()))), y)).mean()),
        'changes': d['changes'],
        'baseline': rows(parts['baseline'], False),
        'pool': rows(parts['pool'], True),
    }
    path = os.path.join(out_dir, f'{name}.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    print(path, len(parts['baseline']), len(parts['pool']), 'accuracy', round(fixture['heldOutAccuracy'], 4))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out-dir', default=os.path.join('test', 'fixtures', 'stream'))
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in DATASETS:
        make(name, args.out_dir)


if __name__ == '__main__':
    main()
