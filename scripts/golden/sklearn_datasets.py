#!/usr/bin/python3
"""Exports scikit-learn's bundled real datasets to CSV fixtures for the validation-calibration tests and benchmark.

The datasets ship inside scikit-learn (no download): breast cancer, wine, digits, diabetes and iris. Each becomes
test/fixtures/sklearn/<name>.csv with a header of the feature names and, for the classification sets, a last column
`target` holding the class name. Values are written with repr(), so both sides read exactly the numbers scikit-learn
holds. diabetes is a regression set: it is written without its target (a continuous outcome is no label).

Usage: /usr/bin/python3 scripts/golden/sklearn_datasets.py [--out-dir DIR]
"""
import argparse
import csv
import os

import sklearn
from sklearn import datasets

LOADERS = {
    'breast_cancer': datasets.load_breast_cancer,
    'wine': datasets.load_wine,
    'digits': datasets.load_digits,
    'diabetes': datasets.load_diabetes,
    'iris': datasets.load_iris,
}


def feature_names(bunch, columns):
    names = getattr(bunch, 'feature_names', None)
    if names is None or len(names) != columns:
        return [f'x{j}' for j in range(columns)]
    # Digits' pixel names and the others' are already unique; CSV readers trim spaces, so none may lead or trail.
    return [str(n).strip() for n in names]


def number(value):
    v = float(value)
    return str(int(v)) if v.is_integer() else repr(v)


def export(name, out_dir):
    bunch = LOADERS[name]()
    data = bunch.data
    names = feature_names(bunch, data.shape[1])
    classification = name != 'diabetes'
    path = os.path.join(out_dir, f'{name}.csv')
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(names + (['target'] if classification else []))
        for i, row in enumerate(data):
            cells = [number(v) for v in row]
            if classification:
                cells.append(str(bunch.target_names[bunch.target[i]]))
            writer.writerow(cells)
    return path, data.shape


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'sklearn')
    parser.add_argument('--out-dir', default=default_dir)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for name in LOADERS:
        path, shape = export(name, args.out_dir)
        print(f'{os.path.normpath(path)}: {shape[0]} rows x {shape[1]} features (scikit-learn {sklearn.__version__})')


if __name__ == '__main__':
    main()
