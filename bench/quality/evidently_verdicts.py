"""Evidently's default data-drift verdicts on windows written by bench/quality (the peer column of npm run bench:quality).

Reads a manifest (JSON: {"windows": [{"id", "reference", "current", "numerical", "categorical"}]}, CSV paths) and
prints one JSON line per window: each column's method, score, threshold and verdict from DataDriftPreset with its
defaults (Evidently picks the test by column type and size: K-S / chi-square up to 1,000 rows, normed Wasserstein /
Jensen-Shannon above), and the dataset verdict (drifted share >= 0.5).

Usage: <python with evidently> bench/quality/evidently_verdicts.py MANIFEST.json
"""
import json
import re
import sys

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset


def main():
    manifest = json.load(open(sys.argv[1]))
    frames = {}

    def frame(path, categorical):
        if path not in frames:
            frames[path] = pd.read_csv(path, dtype={c: str for c in categorical})
        return frames[path]

    for w in manifest['windows']:
        definition = DataDefinition(numerical_columns=w['numerical'], categorical_columns=w['categorical'])
        ref = Dataset.from_pandas(frame(w['reference'], w['categorical']), data_definition=definition)
        cur = Dataset.from_pandas(pd.read_csv(w['current'], dtype={c: str for c in w['categorical']}), data_definition=definition)
        snapshot = Report([DataDriftPreset()]).run(cur, ref).dict()
        columns = {}
        share = None
        for metric in snapshot['metrics']:
            name = metric['metric_name']
            if name.startswith('DriftedColumnsCount'):
                share = metric['value']['share']
                continue
            m = re.match(r'ValueDrift\(column=(.*),method=(.*),threshold=([0-9.e-]+)\)$', name)
            if not m:
                continue
            column, method, threshold = m.group(1), m.group(2), float(m.group(3))
            value = float(metric['value'])
            is_p_value = 'p_value' in method
            columns[column] = {
                'method': method,
                'score': value,
                'threshold': threshold,
                'drifted': value < threshold if is_p_value else value >= threshold,
            }
        print(json.dumps({'id': w['id'], 'columns': columns, 'share': share, 'datasetDrift': share is not None and share >= 0.5}), flush=True)


if __name__ == '__main__':
    main()
