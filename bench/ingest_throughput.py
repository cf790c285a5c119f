#!/usr/bin/env python3
"""Ingest throughput of the gateway on one core, on the real broker.

    python3 bench/ingest_throughput.py [--records 500000] [--payload-bytes 200] [--reps 3]

Starts a Kafka broker of its own (scripts/kafka.sh, port 19950 unless --kafka-port), fills a
4-partition topic with --records device-data records of --payload-bytes bytes each
(bin/device_simulator --rate 0), then, --reps times, runs bin/consumer pinned to one CPU
(taskset -c 0) with a fresh consumer group reading from the earliest offset, and measures
records/s from the moment the group is joined (/ready) until /stats counts every record.
The consumer runs the whole pipeline: decode, validate, latest state, encode and hand-off to the
push layer (no client connected). Build first: cmake --preset release && cmake --build --preset
release. Loopback only; everything it starts is stopped at the end.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=2) as r:
        return json.loads(r.read())


def wait_ready(port, deadline):
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.02)
    return False


def one_run(args, brokers, topic, rep, workdir):
    port = free_port()
    config = Path(workdir) / f"consumer-{rep}.yaml"
    config.write_text(
        f"""websocket:
  host: "127.0.0.1"
  port: {port}
  worker_count: 1
  queue_size: 10000
kafka:
  brokers: ["{brokers}"]
  group_id: "ingest-bench-{os.getpid()}-{rep}"
  topics:
    device_data: "{topic}"
    alerts: "{topic}-alerts"
    dead_letter: "{topic}-dead-letter"
  auto_offset_reset: "earliest"
log:
  level: "warn"
"""
    )
    log = open(Path(workdir) / f"consumer-{rep}.log", "w")
    proc = subprocess.Popen(
        ["taskset", "-c", "0", str(ROOT / "bin/consumer"), "-c", str(config)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(port, time.monotonic() + 60):
            raise RuntimeError("consumer did not become ready; see " + log.name)
        start = time.monotonic()
        deadline = start + 600
        stats = {}
        while time.monotonic() < deadline:
            stats = get_json(f"http://127.0.0.1:{port}/stats")
            if stats["total_messages"] >= args.records:
                break
            time.sleep(0.01)
        elapsed = time.monotonic() - start
        if stats.get("total_messages", 0) < args.records:
            raise RuntimeError(f"only {stats.get('total_messages')} records consumed in time")
        return args.records / elapsed, stats
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=500000)
    parser.add_argument("--payload-bytes", type=int, default=200)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--kafka-port", type=int, default=19950)
    args = parser.parse_args()

    env = dict(os.environ, IIOT_KAFKA_PORT=str(args.kafka_port),
               IIOT_KAFKA_DATA=f"/tmp/iiot-kafka-ingest-bench-{args.kafka_port}")
    brokers = f"127.0.0.1:{args.kafka_port}"
    topic = f"ingest-bench-{os.getpid()}"
    workdir = tempfile.mkdtemp(prefix="iiot-ingest-bench.")
    subprocess.run([str(ROOT / "scripts/kafka.sh"), "start"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        for name in (topic, topic + "-alerts", topic + "-dead-letter"):
            subprocess.run([str(ROOT / "scripts/kafka.sh"), "create-topic", name, "4"], env=env,
                           check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [str(ROOT / "bin/device_simulator"), "--brokers", brokers, "--devices", "1000",
             "--rate", "0", "--alert-rate", "0", "--count", str(args.records),
             "--payload-bytes", str(args.payload_bytes), "--topic-data", topic, "--quiet"],
            check=True, stdout=subprocess.DEVNULL)
        rates = []
        for rep in range(args.reps):
            rate, stats = one_run(args, brokers, topic, rep, workdir)
            rates.append(rate)
            print(f"run {rep + 1}: {rate:,.0f} records/s "
                  f"(device_data={stats['device_data_messages']}, "
                  f"invalid={stats['invalid_messages']})", flush=True)
        print(json.dumps({"records": args.records, "payload_bytes": args.payload_bytes,
                          "cpu": "taskset -c 0", "records_per_s": rates,
                          "median": statistics.median(rates)}))
    finally:
        subprocess.run([str(ROOT / "scripts/kafka.sh"), "stop", "--wipe"], env=env,
                       stdout=subprocess.DEVNULL)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
