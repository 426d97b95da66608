#!/usr/bin/env python3
"""Python's peers of the ONNX scoring benchmark (bench/onnx.ts), on the rows the benchmark scores.

Reads the rows (raw little-endian float64, rows x columns), then times, best of REPEATS passes, in CPU seconds of this
process with one thread: onnxruntime's session.run on the committed model (test/fixtures/onnx/bench-gbt-20.onnx) and
scikit-learn's predict_proba on the model that file was exported from (retrained here: same data, same random_state),
each in batches of BATCH rows (as scoreEvents scores) and over the whole matrix at once. Prints one JSON line.

Usage: .venv-peers/bin/python scripts/models/bench_onnx_peers.py ROWS_FILE ROWS COLUMNS MODEL_FILE [BATCH]
"""
import json
import os
import sys
import time

import numpy as np
import onnxruntime
import sklearn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_onnx_fixtures import bench_model  # noqa: E402

REPEATS = 3


def best(work):
    work()  # warm-up
    cpu, wall = float("inf"), float("inf")
    for _ in range(REPEATS):
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        work()
        cpu, wall = min(cpu, time.process_time() - cpu_start), min(wall, time.perf_counter() - wall_start)
    return cpu, wall


def main():
    path, rows, columns, model_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 100
    x64 = np.fromfile(path, dtype="<f8").reshape(rows, columns)
    x32 = x64.astype(np.float32)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    model = bench_model()

    def ort_batches():
        for i in range(0, rows, batch):
            session.run(None, {name: x32[i:i + batch]})

    def ort_whole():
        session.run(None, {name: x32})

    def sklearn_batches():
        for i in range(0, rows, batch):
            model.predict_proba(x32[i:i + batch])

    def sklearn_whole():
        model.predict_proba(x32)

    # The retrained model is the exported one: their probabilities agree to float32 rounding.
    zipmap = session.run(None, {name: x32[:1000]})[1]
    ort_positive = np.array([row[1] for row in zipmap])
    agreement = float(np.max(np.abs(ort_positive - model.predict_proba(x32[:1000])[:, 1])))
    figures = {"onnxruntime": onnxruntime.__version__, "sklearn": sklearn.__version__, "batch": batch,
               "maxProbabilityDifference": agreement}
    for key, work in [("ortBatches", ort_batches), ("ortWhole", ort_whole), ("sklearnBatches", sklearn_batches),
                      ("sklearnWhole", sklearn_whole)]:
        cpu, wall = best(work)
        figures[key] = {"rowsPerSecond": rows / cpu, "wallRowsPerSecond": rows / wall}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
