"""River's ADWIN, PageHinkley and DDM run live on the streams `npm run bench` writes (bench/stream.ts).

Reads a JSON job on stdin: {"streams": [{"name", "path", "dtype": "uint8"|"float32", "segment", "onset"}]}. Each file
holds equal segments of `segment` events; every detector restarts at each segment. `onset` is the index within a
segment where the change begins (null for a stationary stream). For every stream and detector setting it prints one
JSON line: alarms before the onset (false alarms), and the delay of the first alarm at or after the onset in each
segment (null when it never fired). River's defaults are the design notes' (drift-methods.md "Online"); the larger
thresholds are there to compare at our false-alarm rate.
"""

import json
import sys

import numpy as np
from river import drift

# Defaults first; the larger thresholds are the ones that reach our false-alarm rate (ADWIN: 1.5 false alarms per
# 10M labelled events at its default, 0.3 at 0.001, none in 100M at 1e-4).
CONFIGS = {
    "ADWIN": [{"delta": d} for d in (0.002, 1e-3, 1e-4)],
    "PageHinkley": [{"threshold": t} for t in (50, 200, 400)],
    "DDM": [{"drift_threshold": t} for t in (3.0, 4.0, 5.0)],
}


def make(detector, params):
    if detector == "ADWIN":
        return drift.ADWIN(**params)
    if detector == "PageHinkley":
        return drift.PageHinkley(min_instances=30, delta=0.005, alpha=1 - 0.0001, **params)
    return drift.binary.DDM(warm_start=30, warning_threshold=2.0, **params)


def run(stream):
    values = np.fromfile(stream["path"], dtype=stream["dtype"]).astype(float)
    segment = stream["segment"]
    onset = stream["onset"]
    for detector, settings in CONFIGS.items():
        if detector == "DDM" and stream["dtype"] != "uint8":
            continue  # DDM reads a stream of errors only.
        for params in settings:
            false_alarms = 0
            delays = []
            for start in range(0, len(values), segment):
                d = make(detector, params)
                delay = None
                for i, v in enumerate(values[start : start + segment].tolist()):
                    d.update(v)
                    if d.drift_detected:
                        if onset is None or i < onset:
                            false_alarms += 1
                        elif delay is None:
                            delay = i - onset
                            break
                delays.append(delay)
            print(
                json.dumps(
                    {
                        "stream": stream["name"],
                        "detector": detector,
                        "params": params,
                        "events": int(len(values)),
                        "falseAlarms": false_alarms,
                        "delays": delays if onset is not None else [],
                    }
                ),
                flush=True,
            )


def main():
    job = json.load(sys.stdin)
    for stream in job["streams"]:
        run(stream)


if __name__ == "__main__":
    main()
