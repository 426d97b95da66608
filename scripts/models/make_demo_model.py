#!/usr/bin/env python3
"""The demo's fraud classifier: gradient-boosted trees on the demo's card transactions, exported to ONNX.

The demo (`npm run demo`) scores its week with this model in process (MRM_SCORER=onnx), so its report and summary are a
real classifier's, not the input-anomaly detector's. The training rows come from the demo's own generator
(dev/synthetic/transactions.ts, through the build in dist/) with a seed the demo never uses, so the demo's baseline
rows are out of sample for the model too.

The model is a scikit-learn Pipeline: one-hot encoding of merchant_category and channel, the seven numeric features
passed through, GradientBoostingClassifier (100 trees of depth 3); skl2onnx exports it with one named input per
feature (float [N, 1] for numbers, string [N, 1] for categories) and class probabilities as ZipMap, its defaults for a
DataFrame pipeline. Beside it, card-fraud-gbt.json holds rows and onnxruntime's predictions for them (the tests' golden
values) and the accuracy scikit-learn measured on fresh rows without and with the demo's full drift.

Usage: npm run build && .venv-peers/bin/python scripts/models/make_demo_model.py [--out-dir examples/models]
"""
import argparse
import io
import json
import os
import subprocess

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import skl2onnx
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

OPSETS = {"": 17, "ai.onnx.ml": 3}
NUMERIC = ["amount", "hour", "distance_km", "account_age_days", "tx_count_24h", "avg_amount_30d", "device_trust"]
CATEGORICAL = ["merchant_category", "channel"]
TRAIN_SEED, TRAIN_ROWS = 2026, 40_000
EVAL_SEED, EVAL_ROWS = 2027, 20_000
NAME = "card-fraud-gbt"


def transactions(seed, rows, drift=0.0):
    """Rows of the demo's generator, as its CSV (id, features, label); `drift` as the demo's: data drift and the
    fraudsters' camouflage (concept drift) of the same strength."""
    script = (
        "import { TransactionGenerator } from './dist/dev/synthetic/transactions.js';"
        f"process.stdout.write(new TransactionGenerator({seed}).csv({rows}, {{ drift: {drift}, camouflage: {drift} }}));"
    )
    out = subprocess.run(["node", "--input-type=module", "-e", script], check=True, capture_output=True, text=True)
    return pd.read_csv(io.StringIO(out.stdout))


def feeds_of(frame):
    feeds = {c: frame[[c]].values.astype(np.float32) for c in NUMERIC}
    feeds.update({c: frame[[c]].values.astype(object) for c in CATEGORICAL})
    return feeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", default="examples/models")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    train = transactions(TRAIN_SEED, TRAIN_ROWS)
    pipe = Pipeline([
        ("pre", ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)],
                                  remainder="passthrough")),
        ("clf", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)),
    ]).fit(train[NUMERIC + CATEGORICAL], train["label"])
    # ColumnTransformer puts the encoded categories first, then the passthrough columns in frame order: the ONNX
    # inputs must be declared in that frame order.
    types = [(c, FloatTensorType([None, 1])) for c in NUMERIC] + [(c, StringTensorType([None, 1])) for c in CATEGORICAL]
    onx = convert_sklearn(pipe, initial_types=types, target_opset=OPSETS)
    onx.graph.name = NAME.replace("-", "_")
    opsets = sorted(onx.opset_import, key=lambda o: o.domain)
    del onx.opset_import[:]
    onx.opset_import.extend(opsets)
    path = os.path.join(args.out_dir, f"{NAME}.onnx")
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())

    accuracy = {}
    for label, drift in (("noDrift", 0.0), ("fullDrift", 1.0)):
        rows = transactions(EVAL_SEED, EVAL_ROWS, drift)
        predicted = pipe.predict(rows[NUMERIC + CATEGORICAL])
        fraud = rows["label"] == 1
        accuracy[label] = {"accuracy": float((predicted == rows["label"]).mean()),
                           "recall": float((predicted[fraud] == 1).mean())}

    # Golden rows: ordinary and fraudulent, before and after the drift, with onnxruntime's answer for each.
    sample = pd.concat([transactions(EVAL_SEED + 1, 40), transactions(EVAL_SEED + 2, 40, 1.0)], ignore_index=True)
    sample = sample[NUMERIC + CATEGORICAL]
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    labels, probabilities = session.run(None, feeds_of(sample))
    classes = [str(c) for c in probabilities[0].keys()]
    expected = [{"label": str(labels[i]), "probabilities": [float(p[k]) for k in probabilities[0].keys()]}
                for i, p in enumerate(probabilities)]
    golden = {
        "model": f"{NAME}.onnx",
        "description": "the demo's fraud classifier: one-hot categories + GradientBoostingClassifier(100, depth 3), "
                       "one named input per feature, ZipMap",
        "features": [{"name": c, "type": "numeric"} for c in NUMERIC]
                    + [{"name": c, "type": "categorical"} for c in CATEGORICAL],
        "classes": classes,
        "inputs": [{"name": i.name, "type": i.type, "shape": [d if isinstance(d, int) else None for d in i.shape]}
                   for i in session.get_inputs()],
        "rows": [[v.item() if hasattr(v, "item") else v for v in row] for row in sample.itertuples(index=False)],
        "expected": expected,
        "training": {"seed": TRAIN_SEED, "rows": TRAIN_ROWS},
        "accuracy": {"seed": EVAL_SEED, "rows": EVAL_ROWS, **accuracy},
        "versions": {"onnxruntime": onnxruntime.__version__, "skl2onnx": skl2onnx.__version__,
                     "sklearn": sklearn.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(args.out_dir, f"{NAME}.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(f"{NAME}: {os.path.getsize(path)} bytes; scikit-learn on {EVAL_ROWS} fresh rows: without drift "
          f"{accuracy['noDrift']}, with the demo's full drift {accuracy['fullDrift']}")


if __name__ == "__main__":
    main()
