#!/usr/bin/env python3
"""ONNX models the onnx scorer is tested on, and Python onnxruntime's predictions for them.

Each model is exported the way its tool exports it by default (or with the one option named), so the tests meet what
users will bring:
  breast-cancer-logreg      skl2onnx, Pipeline(StandardScaler, LogisticRegression), 30 features in one float tensor,
                            string class names, probabilities as ZipMap (skl2onnx's default)
  breast-cancer-lgbm        onnxmltools, LightGBM binary, one float tensor, integer classes, ZipMap
  breast-cancer-sigmoid     a binary torch-style head: one sigmoid column [batch_size, 1], P(class 1), no label
  breast-cancer-label-only  a head with a label output and no probabilities (refused at load)
  iris-gbt                  skl2onnx, GradientBoostingClassifier, 3 classes, probabilities as a plain tensor
                            (zipmap=False), integer classes
  churn-named-inputs        skl2onnx, ColumnTransformer + LogisticRegression with one named input per feature
                            (float, int64 and string), 3 string classes, ZipMap
  iris-softmax              a graph as torch.onnx exports a classifier head: input [batch_size, 4], Gemm then
                            Softmax, one probability tensor, no label output and no class names
  iris-xgboost              onnxmltools, XGBoost, 3 classes, label and probability tensors (no default-domain opset)
  iris-double               skl2onnx, LogisticRegression with a float64 (DoubleTensorType) input, plain tensor
  iris-logits               the same head without its Softmax: logits, not probabilities (refused at load)
  iris-fixed-batch          the head exported with a fixed batch of 1, as torch.onnx does without dynamic_axes
  iris-one-row-only         a model that loads and scores one row, but throws at run for more (a Reshape to a fixed
                            [1, 4]): what a batch meets when a model's declared shape lies
  bench-gbt-20              skl2onnx, GradientBoostingClassifier, 100 trees of depth 3 on 20 features, binary,
                            ZipMap: the benchmark's model (see bench_rows for its training data)

Beside each model, <name>.json holds the rows the tests score (in the order of its features; rounded to 4 decimals, so Node feeds exactly the same
float32 values), the feature names and types, the class names, and onnxruntime's label and probabilities per row.

Usage: .venv-peers/bin/python scripts/models/make_onnx_fixtures.py [--out-dir test/fixtures/onnx]
Opsets are pinned ({'': 17, 'ai.onnx.ml': 3}) so that older runtimes, onnxruntime-node included, load them.
"""
import argparse
import json
import os

import numpy as np
import onnx
import onnxruntime
import pandas as pd
import skl2onnx
import sklearn
from onnx import TensorProto, helper
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, Int64TensorType, StringTensorType

OPSETS = {"": 17, "ai.onnx.ml": 3}
DECIMALS = 4
SEED = 0


def bench_rows(rows, columns=20, seed=2024):
    """Rows shaped like the Node benchmark's (bench/forest.ts makeBenchMatrix): correlated gaussians on scales
    1 + (c % 5) * 10, 1% shifted by 6 on the first three features; the label is a noisy non-linear rule of them."""
    rng = np.random.default_rng(seed)
    scales = 1 + (np.arange(columns) % 5) * 10.0
    shared = rng.normal(size=(rows, 1))
    shift = np.where(rng.uniform(size=(rows, 1)) < 0.01, 6.0, 0.0)
    x = scales * (0.6 * shared + 0.8 * rng.normal(size=(rows, columns)) + np.where(np.arange(columns) < 3, shift, 0.0))
    z = x[:, 0] / scales[0] - 0.5 * x[:, 1] / scales[1] + np.sin(x[:, 2] / scales[2]) + 0.3 * rng.normal(size=rows)
    return x, (z > 0).astype(np.int64)


def bench_model():
    """The benchmark's model: the same every run (fixed data and random_state)."""
    x, y = bench_rows(5000)
    return GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=SEED).fit(x, y)


def rounded(frame):
    return frame.round(DECIMALS) if isinstance(frame, pd.DataFrame) else np.round(frame, DECIMALS)


def save(out_dir, name, model, description, features, rows, feeds, classes=None):
    """Writes the model and its golden file: rows by feature name, onnxruntime's label and probabilities."""
    path = os.path.join(out_dir, f"{name}.onnx")
    # Converters name the graph with a random uuid and list opsets in set order: fixed here, so a rerun is byte-equal.
    model.graph.name = name.replace("-", "_")
    opsets = sorted(model.opset_import, key=lambda o: o.domain)
    del model.opset_import[:]
    model.opset_import.extend(opsets)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    by_name = dict(zip([o.name for o in session.get_outputs()], outputs))
    label = next((v for k, v in by_name.items() if "label" in k), None)
    probabilities = next((v for k, v in by_name.items() if "prob" in k), outputs[-1])
    if isinstance(probabilities, list):  # ZipMap: a sequence of maps, one per row
        names = list(probabilities[0].keys())
        matrix = [[float(row[c]) for c in names] for row in probabilities]
        classes = [str(c) for c in names]
    else:
        matrix = np.asarray(probabilities, dtype=np.float64).reshape(len(rows), -1).tolist()
        if len(matrix[0]) == 1:  # one sigmoid column: P(class 1)
            matrix = [[1.0 - p[0], p[0]] for p in matrix]
    if classes is None:
        classes = [str(i) for i in range(len(matrix[0]))]
    expected = []
    for i, p in enumerate(matrix):
        predicted = str(label[i]) if label is not None else classes[int(np.argmax(p))]
        expected.append({"label": predicted, "probabilities": p})
    golden = {
        "model": f"{name}.onnx",
        "description": description,
        "features": features,
        "classes": classes,
        "inputs": [{"name": i.name, "type": i.type, "shape": [d if isinstance(d, int) else None for d in i.shape]}
                   for i in session.get_inputs()],
        "rows": rows,
        "expected": expected,
        "versions": {"onnxruntime": onnxruntime.__version__, "skl2onnx": skl2onnx.__version__,
                     "sklearn": sklearn.__version__, "onnx": onnx.__version__},
    }
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes, {len(rows)} rows, classes {classes}")


def records(frame):
    """Rows as lists in the order of `features` (names once, in the golden file's features)."""
    return [[v.item() if hasattr(v, "item") else v for v in row] for row in frame.itertuples(index=False)]


def breast_cancer(out_dir):
    data = load_breast_cancer(as_frame=True)
    x = data.data.rename(columns=lambda c: c.replace(" ", "_"))
    names = np.array(data.target_names)[data.target]  # 'malignant' / 'benign'
    x_train, x_test, y_train, _ = train_test_split(x, names, test_size=80, random_state=SEED, stratify=names)
    test = rounded(x_test)
    features = [{"name": c, "type": "numeric"} for c in x.columns]
    feeds = {"input": test.values.astype(np.float32)}

    logreg = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression(max_iter=2000))]).fit(x_train, y_train)
    onx = convert_sklearn(logreg, initial_types=[("input", FloatTensorType([None, x.shape[1]]))], target_opset=OPSETS)
    save(out_dir, "breast-cancer-logreg", onx, "skl2onnx logistic regression, string classes, ZipMap", features,
         records(test), feeds)

    import lightgbm
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType as MlFloatTensorType

    # The Booster API: lightgbm's scikit-learn wrapper calls a check_X_y argument newer scikit-learn removed.
    y_int = (y_train == "benign").astype(np.int64)
    params = {"objective": "binary", "num_leaves": 15, "seed": SEED, "deterministic": True, "verbose": -1}
    lgbm = lightgbm.train(params, lightgbm.Dataset(x_train.values, y_int), num_boost_round=30)
    onx = convert_lightgbm(lgbm, initial_types=[("input", MlFloatTensorType([None, x.shape[1]]))], target_opset=15,
                           zipmap=True)
    save(out_dir, "breast-cancer-lgbm", onx, "onnxmltools LightGBM binary, integer classes, ZipMap", features,
         records(test), feeds)


def iris(out_dir):
    data = load_iris(as_frame=True)
    x = data.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    y = data.target.values.astype(np.int64)
    x_train, x_test, y_train, _ = train_test_split(x, y, test_size=45, random_state=SEED, stratify=y)
    test = rounded(x_test)
    features = [{"name": c, "type": "numeric"} for c in x.columns]
    feeds = {"input": test.values.astype(np.float32)}

    gbt = GradientBoostingClassifier(n_estimators=20, max_depth=2, random_state=SEED).fit(x_train, y_train)
    onx = convert_sklearn(gbt, initial_types=[("input", FloatTensorType([None, 4]))], target_opset=OPSETS,
                          options={id(gbt): {"zipmap": False}})
    save(out_dir, "iris-gbt", onx, "skl2onnx gradient boosting, 3 integer classes, probability tensor", features,
         records(test), feeds)

    import xgboost
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType as MlFloatTensorType

    xgb = xgboost.XGBClassifier(n_estimators=15, max_depth=2, random_state=SEED).fit(x_train.values, y_train)
    onx = convert_xgboost(xgb, initial_types=[("input", MlFloatTensorType([None, 4]))], target_opset=15)
    save(out_dir, "iris-xgboost", onx, "onnxmltools XGBoost, 3 classes, probability tensor, ai.onnx.ml operators only",
         features, records(test), feeds)

    double = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    onx = convert_sklearn(double, initial_types=[("input", DoubleTensorType([None, 4]))], target_opset=OPSETS,
                          options={id(double): {"zipmap": False}})
    save(out_dir, "iris-double", onx, "skl2onnx logistic regression on a float64 input, probability tensor",
         features, records(test), {"input": test.values.astype(np.float64)})

    # The head of a torch classifier as torch.onnx.export writes it: a symbolic batch dimension, Gemm, Softmax.
    softmax = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    weights = helper.make_tensor("weight", TensorProto.FLOAT, [3, 4], softmax.coef_.astype(np.float32).ravel())
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [3], softmax.intercept_.astype(np.float32))
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["logits"], transB=1),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)],
        "iris_head",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch_size", 3])],
        [weights, bias])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                            producer_name="pytorch-like")
    onnx.checker.check_model(onx)
    save(out_dir, "iris-softmax", onx, "a torch.onnx-style head: Gemm + Softmax, no label output, no class names",
         features, records(test), feeds)

    # The same head without its softmax: logits, not probabilities (a torch export that forgot the softmax).
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["logits"], transB=1)],
        "iris_logits",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", 3])],
        [weights, bias])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(onx)
    save(out_dir, "iris-logits", onx, "a head that outputs logits, not probabilities", features, records(test.iloc[:3]),
         {"input": test.iloc[:3].values.astype(np.float32)})

    # Exported with a fixed batch of one (torch.onnx.export without dynamic_axes): the scorer refuses it at load.
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["logits"], transB=1),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)],
        "iris_fixed_batch",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 3])],
        [weights, bias])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(onx)
    save(out_dir, "iris-fixed-batch", onx, "exported with a fixed batch size of 1", features, records(test.iloc[:1]),
         {"input": test.iloc[:1].values.astype(np.float32)})

    # Declares a dynamic batch but reshapes to a fixed [1, 4]: one row runs, two throw inside onnxruntime.
    shape = helper.make_tensor("one_row", TensorProto.INT64, [2], [1, 4])
    graph = helper.make_graph(
        [helper.make_node("Reshape", ["input", "one_row"], ["row"]),
         helper.make_node("Gemm", ["row", "weight", "bias"], ["logits"], transB=1),
         helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1)],
        "iris_one_row",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch_size", 3])],
        [weights, bias, shape])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(onx)
    first = test.iloc[:1]
    save(out_dir, "iris-one-row-only", onx, "scores one row; throws at run for a batch of two or more", features,
         records(first), {"input": first.values.astype(np.float32)})


def breast_cancer_sigmoid(out_dir):
    """A binary torch-style head: one sigmoid column, P(malignant), and no label output."""
    data = load_breast_cancer(as_frame=True)
    x = data.data.rename(columns=lambda c: c.replace(" ", "_"))
    y = (data.target == 0).astype(np.int64)  # 1 = malignant
    x_train, x_test, y_train, _ = train_test_split(x, y, test_size=80, random_state=SEED, stratify=y)
    test = rounded(x_test)
    scaler = StandardScaler().fit(x_train)
    logreg = LogisticRegression(max_iter=2000).fit(scaler.transform(x_train), y_train)
    # Standardisation folded into the linear layer: w' = w / sigma, b' = b - w . mu / sigma.
    w = logreg.coef_[0] / scaler.scale_
    b = logreg.intercept_[0] - np.dot(w, scaler.mean_)
    weights = helper.make_tensor("weight", TensorProto.FLOAT, [1, 30], w.astype(np.float32))
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [1], np.array([b], dtype=np.float32))
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["logit"], transB=1),
         helper.make_node("Sigmoid", ["logit"], ["probability"])],
        "breast_cancer_sigmoid",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 30])],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, ["batch_size", 1])],
        [weights, bias])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(onx)
    features = [{"name": c, "type": "numeric"} for c in x.columns]
    save(out_dir, "breast-cancer-sigmoid", onx, "a binary head with one sigmoid column (P of class 1), no label",
         features, records(test), {"input": test.values.astype(np.float32)})

    # Labels only, no probabilities (an ArgMax head): the scorer refuses it, naming what it needs.
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["logit"], transB=1),
         helper.make_node("Greater", ["logit", "zero"], ["positive"]),
         helper.make_node("Cast", ["positive"], ["label"], to=TensorProto.INT64)],
        "breast_cancer_label_only",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch_size", 30])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["batch_size", 1])],
        [weights, bias, helper.make_tensor("zero", TensorProto.FLOAT, [], [0.0])])
    onx = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(onx)
    path = os.path.join(out_dir, "breast-cancer-label-only.onnx")
    onx.graph.name = "breast_cancer_label_only"
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())
    print(f"breast-cancer-label-only: {os.path.getsize(path)} bytes (no golden: refused at load)")


def churn(out_dir):
    """A churn model over mixed inputs, exported with one named input per feature, as a DataFrame pipeline is."""
    rng = np.random.default_rng(SEED)
    n = 600
    frame = pd.DataFrame({
        "tenure_months": rng.uniform(0, 72, n).round(1),
        "monthly_charges": rng.gamma(4.0, 18.0, n).round(2),
        "support_calls": rng.poisson(1.5, n).astype(np.int64),
        "contract": rng.choice(["monthly", "annual", "two-year"], n, p=[0.5, 0.3, 0.2]),
    })
    risk = (-0.05 * frame.tenure_months + 0.02 * frame.monthly_charges + 0.6 * frame.support_calls
            + frame.contract.map({"monthly": 1.0, "annual": -0.5, "two-year": -1.5}) + rng.normal(0, 0.7, n))
    y = np.where(risk > 1.5, "churn", np.where(risk > -0.5, "downgrade", "stay"))
    train, test, y_train, _ = train_test_split(frame, y, test_size=80, random_state=SEED)
    numeric = ["tenure_months", "monthly_charges", "support_calls"]
    pipe = Pipeline([
        ("pre", ColumnTransformer([("num", StandardScaler(), numeric),
                                   ("cat", OneHotEncoder(handle_unknown="ignore"), ["contract"])])),
        ("clf", LogisticRegression(max_iter=2000)),
    ]).fit(train, y_train)
    types = [("tenure_months", FloatTensorType([None, 1])), ("monthly_charges", FloatTensorType([None, 1])),
             ("support_calls", Int64TensorType([None, 1])), ("contract", StringTensorType([None, 1]))]
    onx = convert_sklearn(pipe, initial_types=types, target_opset=OPSETS)
    test = test.reset_index(drop=True)
    feeds = {
        "tenure_months": test[["tenure_months"]].values.astype(np.float32),
        "monthly_charges": test[["monthly_charges"]].values.astype(np.float32),
        "support_calls": test[["support_calls"]].values.astype(np.int64),
        "contract": test[["contract"]].values.astype(object),
    }
    features = [{"name": c, "type": "numeric"} for c in numeric] + [{"name": "contract", "type": "categorical"}]
    save(out_dir, "churn-named-inputs", onx, "skl2onnx pipeline, one named input per feature (float, int64, string)",
         features, records(test), feeds)


def bench(out_dir):
    model = bench_model()
    onx = convert_sklearn(model, initial_types=[("input", FloatTensorType([None, 20]))], target_opset=OPSETS)
    x, _ = bench_rows(40, seed=7)
    test = pd.DataFrame(rounded(x), columns=[f"f{c}" for c in range(20)])
    save(out_dir, "bench-gbt-20", onx, "100 trees of depth 3 on 20 features, binary, ZipMap: the benchmark's model",
         [{"name": c, "type": "numeric"} for c in test.columns], records(test),
         {"input": test.values.astype(np.float32)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", default="test/fixtures/onnx")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    breast_cancer(args.out_dir)
    breast_cancer_sigmoid(args.out_dir)
    iris(args.out_dir)
    churn(args.out_dir)
    bench(args.out_dir)


if __name__ == "__main__":
    main()
