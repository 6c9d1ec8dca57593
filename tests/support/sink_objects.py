"""Objects shaped as Confluent's S3 Sink connector writes them for the CloudWatch lab (JsonFormat,
TimeBasedPartitioner with `path.format` 'year'=YYYY, `flush.size` records per object,
`store.kafka.keys` true with `output.keys.format` BYTES), for the notebooks' tests and benchmark.

Keys: `topics/<topic>/year=YYYY/<topic>+<partition>+<startOffset, 10 digits>.json` (one record value
per line) and the same name with `.keys.bin` (the records' keys, one per line). As the lab's
connectors write them (services/kafka_connect/README.md): a value is the log event's message as a
JSON string; a key is `Struct{logGroupName=<group>,logStreamName=<stream>,timestamp=<event ms>}`.
"""
from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor

TOPIC = "cloudwatchLogsEC2.i-0123456789abcdef0"


def line_time_ms(line: str) -> int:
    """The access-log line's own time, as the agent sends it to CloudWatch Logs."""
    text = line.split("[", 1)[1].split("]", 1)[0]
    return int(dt.datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").timestamp() * 1000)


def sink_objects(lines: list[str], topic: str = TOPIC, flush_size: int = 1000,
                 partition: int = 0) -> dict[str, bytes]:
    """S3 key -> body for the lines as consecutive offsets of one partition."""
    objects: dict[str, bytes] = {}
    for start in range(0, len(lines), flush_size):
        chunk = lines[start:start + flush_size]
        stamps = [line_time_ms(line) for line in chunk]
        year = dt.datetime.fromtimestamp(stamps[0] / 1000, dt.UTC).year
        base = f"topics/{topic}/year={year}/{topic}+{partition}+{start:010d}"
        group, stream = topic.split(".", 1)
        values = [json.dumps(line, separators=(",", ":")) for line in chunk]
        keys = [f"Struct{{logGroupName={group},logStreamName={stream},timestamp={ms}}}" for ms in stamps]
        objects[base + ".json"] = ("\n".join(values) + "\n").encode()
        objects[base + ".keys.bin"] = ("\n".join(keys) + "\n").encode()
    return objects


def put_sink_objects(s3, bucket: str, lines: list[str], **kwargs) -> int:
    """Creates the bucket and writes the objects; how many value objects."""
    s3.create_bucket(Bucket=bucket)
    objects = sink_objects(lines, **kwargs)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda item: s3.put_object(Bucket=bucket, Key=item[0], Body=item[1]), objects.items()))
    return sum(1 for key in objects if not key.endswith(".keys.bin"))
