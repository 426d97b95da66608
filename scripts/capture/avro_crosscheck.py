#!/usr/bin/env python3
"""Cross-checks our Capture-format files with the Apache Avro reference implementation (Debian python3-avro).

  avro_crosscheck.py read <file.avro>               prints each record as one JSON line (Body as text)
  avro_crosscheck.py write <file.avro> <codec> <n>  writes n Capture EventData records with a known content

The written records follow the Event Hubs Capture schema (newer variant: Properties values may be null); record i
has SequenceNumber i, EnqueuedTimeUtc "1/15/2024 10:MM:SS AM" with i seconds, and Body {"id": "py-<i>",
"features": {"x": i / 4, "c": "a" or "b"}}.
"""
import json
import sys

import avro.datafile
import avro.io
import avro.schema

PROPERTY = ["long", "double", "string", "bytes"]
SCHEMA = {
    "type": "record",
    "name": "EventData",
    "namespace": "Microsoft.ServiceBus.Messaging",
    "fields": [
        {"name": "SequenceNumber", "type": "long"},
        {"name": "Offset", "type": "string"},
        {"name": "EnqueuedTimeUtc", "type": "string"},
        {"name": "SystemProperties", "type": {"type": "map", "values": PROPERTY}},
        {"name": "Properties", "type": {"type": "map", "values": PROPERTY + ["null"]}},
        {"name": "Body", "type": ["null", "bytes"]},
    ],
}


def read(path):
    with open(path, "rb") as handle:
        reader = avro.datafile.DataFileReader(handle, avro.io.DatumReader())
        codec = reader.get_meta("avro.codec")
        for record in reader:
            body = record["Body"]
            print(json.dumps({
                "SequenceNumber": record["SequenceNumber"],
                "Offset": record["Offset"],
                "EnqueuedTimeUtc": record["EnqueuedTimeUtc"],
                "Body": None if body is None else body.decode("utf-8"),
                "Properties": {k: (v.decode("latin-1") if isinstance(v, bytes) else v) for k, v in record["Properties"].items()},
                "codec": codec.decode() if codec else "null",
            }))
        reader.close()


def write(path, codec, count):
    schema = avro.schema.parse(json.dumps(SCHEMA))
    with open(path, "wb") as handle:
        writer = avro.datafile.DataFileWriter(handle, avro.io.DatumWriter(), schema, codec=codec)
        for i in range(count):
            body = {"id": "py-%d" % i, "features": {"x": i / 4, "c": "a" if i % 2 else "b"}}
            writer.append({
                "SequenceNumber": i,
                "Offset": str(i * 100),
                "EnqueuedTimeUtc": "1/15/2024 10:%02d:%02d AM" % (i // 60 % 60, i % 60),
                "SystemProperties": {"x-opt-sequence-number": i},
                "Properties": {"source": "python", "weight": 0.5, "nothing": None},
                "Body": json.dumps(body, separators=(",", ":")).encode("utf-8") if i % 50 != 7 else None,
            })
            if i % 100 == 99:
                writer.flush()  # several blocks
        writer.close()


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    elif sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(__doc__)
