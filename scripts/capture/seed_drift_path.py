#!/usr/bin/env python3
"""The seed's drift path, for the capture benchmark: read Capture Avro files with python3-avro, parse each Body,
then per feature compute PSI (numpy, seed binning), the two-sample KS test and the Wasserstein distance (scipy)
against the baseline columns.

  seed_drift_path.py <baseline.csv> <file.avro>...   prints {"events": n, "seconds": s, "readSeconds": r}
"""
import json
import sys
import time

import avro.datafile
import avro.io
import numpy as np
from scipy import stats


def calculate_psi(expected, actual, buckets=10):
    edges = np.linspace(np.min(expected), np.max(expected), buckets + 1)
    edges[0], edges[-1] = -np.inf, np.inf
    p = np.histogram(expected, edges)[0] / len(expected)
    q = np.histogram(actual, edges)[0] / len(actual)
    p = np.where(p == 0, 1e-4, p)
    q = np.where(q == 0, 1e-4, q)
    return float(np.sum((q - p) * np.log(q / p)))


def main(baseline_path, files):
    baseline = np.genfromtxt(baseline_path, delimiter=",", names=True)
    names = list(baseline.dtype.names)
    started = time.perf_counter()
    columns = {name: [] for name in names}
    events = 0
    for path in files:
        with open(path, "rb") as handle:
            reader = avro.datafile.DataFileReader(handle, avro.io.DatumReader())
            for record in reader:
                features = json.loads(record["Body"])["features"]
                for name in names:
                    columns[name].append(features.get(name))
                events += 1
            reader.close()
    read_seconds = time.perf_counter() - started
    for name in names:
        current = np.array([v for v in columns[name] if v is not None], dtype=float)
        reference = baseline[name]
        calculate_psi(reference, current)
        stats.ks_2samp(reference, current)
        stats.wasserstein_distance(reference, current)
    print(json.dumps({"events": events, "seconds": time.perf_counter() - started, "readSeconds": read_seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
