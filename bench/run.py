#!/usr/bin/env python3
"""The benchmark driver: runs every scenario of docs/performance.md and writes report.json and
report.md.

    python3 bench/run.py [--quick] [--out bench/results]
    python3 bench/run.py --only hostile,stalled_latest [--quick]   (not in the default set)
    python3 bench/run.py --all [--quick]                           (every scenario)
    python3 bench/run.py --peer centrifugo [--only dense,sparse,idle,latency] [--quick]
                         [--peer-clients dense=N,sparse=N,...] [--brokers HOST:PORT]

It builds nothing: run `cmake --preset release && cmake --build --preset release` first (the
binaries are taken from bin/, or --bin). Loopback only. Every child process runs in its own
process group and is killed when its run ends, and again at exit, whatever happened; every wait
has a deadline. Python 3 standard library only.
"""

import argparse
import datetime
import hashlib
import json
import os
import platform
import queue
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Sizes of the full run and of --quick (a smoke run: tiny, one repetition, a few seconds each).
FULL = {
    "reps": 3,
    "warmup_s": 3.0,
    "duration_s": 10.0,
    "probe_warmup_s": 1.0,
    "probe_duration_s": 5.0,
    "devices": 1000,
    "sparse_clients": [1000, 10000],
    "dense_clients": 1000,
    "latency_clients": 1000,
    "latency_fraction": 0.01,
    "idle_clients": 19000,
    "slow_fast_clients": 900,
    "slow_stalled_clients": 100,
    "calibration_duration_s": 6.0,
    "connect_rate": 3000.0,
    "max_clients_per_process": 10000,
    "broker_devices": 1000,
    "broker_warmup_s": 15.0,
    "hostile_good_clients": 100,
    "hostile_connections": 1000,
    "hostile_warmup_s": 3.0,
    "hostile_duration_s": 10.0,
    "hostile_ramp_s": 3.0,
    "latest_fast_clients": 900,
    "latest_stalled_clients": 100,
    "latest_devices": 100,
    "latest_warmup_s": 4.0,
    "latest_duration_s": 6.0,
}
QUICK = dict(
    FULL,
    reps=1,
    warmup_s=0.5,
    duration_s=1.5,
    probe_warmup_s=0.3,
    probe_duration_s=1.0,
    sparse_clients=[100, 200],
    dense_clients=100,
    latency_clients=100,
    idle_clients=400,
    slow_fast_clients=90,
    slow_stalled_clients=10,
    calibration_duration_s=1.5,
    max_clients_per_process=300,
    broker_warmup_s=2.0,
    hostile_good_clients=20,
    hostile_connections=120,
    hostile_warmup_s=1.0,
    hostile_duration_s=4.0,
    hostile_ramp_s=3.0,
    latest_fast_clients=90,
    latest_stalled_clients=10,
    latest_warmup_s=2.0,
    latest_duration_s=3.0,
)

LOAD_FRACTION = 0.30  # "about 30 % load": of the rate the gateway sustains for the same shape
COMPRESSION_LOAD_FRACTION = 0.15  # leaves room for deflate's extra CPU at the same event rate
SPARSE_FRACTION = 0.01
LOAD_CLIENT_THREADS = 2
GATEWAY_WORKERS = 4  # websocket.worker_count default

TARGETS = {
    "sparse_fanout": "deliveries/s >= 65 % of the raw send() ceiling (same sockets)",
    "dense_fanout": "deliveries/s >= 70 % of the raw writev ceiling",
    "broker_latency": "producer -> client at ~30 % load: p50 <= 3 ms, p99 <= 10 ms",
    "gateway_leg": "process() -> client at ~30 % load: p99 <= 1 ms",
    "idle_memory": "<= 2 KiB RSS per connection, 19,000 connections in one process",
    "slow_clients": "10 % stalled clients: fast clients' p99 within +10 % of the run without",
    "compression": "compression on <= 3x server CPU per delivery of off",
    "hostile": "1,000 hostile connections beside 100 good ones (auth.mode token): good clients' "
               "p99 within 2x of their baseline in the same run, no good client disconnected",
    "stalled_latest": "10 % stalled \"latest\" clients: fast clients' p99 within +10 % of the "
                      "run without; the stalled clients' queues hold at most one frame per device",
}

# The hostile scenario (docs/performance.md): its share of each kind of misbehaviour, and the
# gateway settings the misbehaviours run into.
HOSTILE_MIX = {"bad_token": 0.2, "slowloris": 0.2, "oversize": 0.15, "invalid": 0.15,
               "flood": 0.15, "never_read": 0.15}
HOSTILE_HANDSHAKE_TIMEOUT_S = 2
HOSTILE_MAX_MESSAGE_SIZE = 65536
HOSTILE_MAX_MESSAGES_PER_S = 20
HOSTILE_FLOOD_RATE = 600  # messages/s per flooding connection: 30x the limit (abuse is 10x)
HOSTILE_RETRY_PAUSE = "500ms"
HOSTILE_SLOWLORIS_INTERVAL = "100ms"  # a ~250-byte request takes 25 s: far past the timeout


# ---------------------------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------------------------

class ChildError(RuntimeError):
    pass


class Child:
    """A child process in its own process group; stdout lines are read by a thread."""

    registry = []

    def __init__(self, name, argv, log_path, env=None, capture=True):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.log.write("$ " + " ".join(str(a) for a in argv) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if capture else self.log,
            stderr=self.log,
            text=True,
            bufsize=1,
            start_new_session=True,
            env=env,
        )
        Child.registry.append(self)
        self.lines = queue.Queue()
        if capture:
            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))
        finally:
            self.lines.put(None)

    def expect(self, prefix, timeout):
        """The next stdout line starting with prefix (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildError(f"{self.name}: no '{prefix}' within {timeout:.0f}s "
                                 f"(log: {self.log_path})")
            try:
                line = self.lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise ChildError(f"{self.name} exited with {self.proc.returncode} before "
                                 f"'{prefix}' (log: {self.log_path})")
            if line.startswith(prefix):
                return line

    def send(self, text):
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def alive(self):
        return self.proc.poll() is None

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout=10.0, quit_line=None, sig=None):
        """Ends the child: a quit line or a signal, then SIGTERM, then SIGKILL."""
        if self.alive():
            if quit_line is not None:
                self.send(quit_line)
            if sig is not None:
                self.signal_group(sig)
            self.close_stdin()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    pass
        # Whatever the child left in its group goes too.
        self.signal_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()

    @classmethod
    def kill_all(cls):
        for child in cls.registry:
            if child.alive():
                child.signal_group(signal.SIGKILL)
        for child in cls.registry:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        cls.registry.clear()


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def parse_fields(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def load_json(path):
    with open(path) as f:
        return json.load(f)


def loadavg():
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def value_range(values):
    values = [v for v in values if v is not None]
    return [min(values), max(values)] if values else None


def bucket_upper(bucket, sub_bits):
    """The upper bound of a LatencyRecorder bucket (bench/support/latency_recorder.cpp)."""
    if bucket < (2 << sub_bits):
        return bucket
    shift = (bucket >> sub_bits) - 1
    sub = bucket & ((1 << sub_bits) - 1)
    lower = ((1 << sub_bits) | sub) << shift
    return lower + (1 << shift) - 1


def merge_latency(latencies):
    """Merges the histograms of several load-client processes; percentiles in microseconds."""
    counts = {}
    total = 0
    max_ns = 0.0
    sub_bits = 5
    for lat in latencies:
        sub_bits = lat.get("sub_bits", sub_bits)
        max_ns = max(max_ns, lat.get("max_us", 0) * 1000)
        for bucket, count in lat.get("buckets", []):
            counts[bucket] = counts.get(bucket, 0) + count
            total += count
    result = {"count": total, "max_us": max_ns / 1000}
    ordered = sorted(counts.items())
    for name, q in (("p50_us", 0.50), ("p99_us", 0.99), ("p999_us", 0.999)):
        if total == 0:
            result[name] = None
            continue
        rank = int(q * (total - 1)) + 1
        seen = 0
        for bucket, count in ordered:
            seen += count
            if seen >= rank:
                result[name] = min(bucket_upper(bucket, sub_bits), max_ns) / 1000
                break
    return result


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info():
    info = {
        "nproc": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": loadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()
        info["memory_gib"] = round(int(mem[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    gcc = command_output(["gcc", "--version"])
    info["gcc"] = gcc.splitlines()[0] if gcc else None
    try:
        text = Path("/usr/include/boost/version.hpp").read_text()
        info["boost"] = re.search(r'BOOST_LIB_VERSION "([^"]+)"', text).group(1).replace("_", ".")
    except (OSError, AttributeError):
        info["boost"] = None
    info["librdkafka"] = command_output(["pkg-config", "--modversion", "rdkafka"])
    commit = command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    info["git"] = f"{commit}{' (uncommitted changes)' if dirty else ''}" if commit else None
    try:
        info["open_files_hard_limit"] = int(command_output(["sh", "-c", "ulimit -Hn"]))
    except (TypeError, ValueError):
        pass
    return info


# ---------------------------------------------------------------------------------------------
# One run: a gateway (bench_gateway or bin/consumer), load clients, a source of events
# ---------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args, sizes):
        self.args = args
        self.sizes = sizes
        self.bin = Path(args.bin).resolve()
        self.out = Path(args.out).resolve()
        self.logs = self.out / "logs"
        self.runs = self.out / "runs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.runs.mkdir(parents=True, exist_ok=True)
        self.counter = 0
        self.frame_bytes = None
        self.wire_frame_bytes = None

    def tool(self, name):
        return self.bin / name

    def next_id(self, name):
        self.counter += 1
        return f"{self.counter:03d}-{name}"

    def say(self, text):
        stamp = datetime.datetime.now().strftime("%H:%M:%S")
        print(f"[{stamp}] {text}", flush=True)

    # -- processes ----------------------------------------------------------------------------

    def start_gateway(self, run_id, rate=0.0, compression="on", queue_size=1000,
                      devices=None, warmup=None, duration=None, config=None):
        argv = [self.tool("bench_gateway"), "--port", 0, "--rate", rate,
                "--worker-count", GATEWAY_WORKERS, "--queue-size", queue_size,
                "--compression", compression, "--devices", devices or self.sizes["devices"],
                "--warmup", f"{warmup if warmup is not None else self.sizes['warmup_s']}s",
                # The clients' window lies inside the injection: a little extra at the end.
                "--duration", f"{(duration or self.sizes['duration_s']) + 0.5}s",
                "--max-lifetime", "900s",
                "--json-out", self.runs / f"{run_id}-gateway.json"]
        if config is not None:
            argv += ["--config", config]
        if self.args.profile:
            # Software clock: hardware counters are often unavailable in VMs.
            profiles = self.out / "profiles"
            profiles.mkdir(exist_ok=True)
            argv = ["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-g",
                    "-o", profiles / f"{run_id}.perf.data", "--"] + argv
        gw = Child(f"{run_id}/bench_gateway", argv, self.logs / f"{run_id}-gateway.log")
        fields = parse_fields(gw.expect("LISTENING", 30))
        self.frame_bytes = int(fields["frame_bytes"])
        self.wire_frame_bytes = int(fields["wire_frame_bytes"])
        return gw, int(fields["port"])

    def start_clients(self, run_id, port, count, fraction, mode="fast", compression="off",
                      index_base=0, tag="clients", id_prefix="dev-", id_base=0, devices=None,
                      warmup=None, duration=None, extra=()):
        """Load-client processes of at most max_clients_per_process connections each."""
        per_process = self.sizes["max_clients_per_process"]
        children = []
        started = 0
        while started < count:
            n = min(per_process, count - started)
            name = f"{run_id}-{tag}{len(children)}"
            argv = [self.tool("bench_load_client"), "--addr", f"127.0.0.1:{port}",
                    "--connections", n, "--index-base", index_base + started,
                    "--match-fraction", fraction, "--devices", devices or self.sizes["devices"],
                    "--id-prefix", id_prefix, "--id-base", id_base, "--mode", mode,
                    "--compression", compression, "--threads", LOAD_CLIENT_THREADS,
                    "--connect-rate", self.sizes["connect_rate"] / 2,
                    "--warmup", f"{warmup if warmup is not None else self.sizes['warmup_s']}s",
                    "--duration", f"{duration or self.sizes['duration_s']}s",
                    "--wait-go", "--label", tag, "--json-out", self.runs / f"{name}.json",
                    *extra]
            children.append(Child(name, argv, self.logs / f"{name}.log"))
            started += n
        return children

    def wait_ready(self, clients, count):
        timeout = 60 + 2 * count / self.sizes["connect_rate"]
        ready = 0
        for c in clients:
            fields = parse_fields(c.expect("READY", timeout))
            ready += int(fields.get("ok", 0))
        if ready < count:
            raise ChildError(f"only {ready} of {count} connections came up")
        return ready

    def collect_clients(self, clients, timeout):
        results = []
        for c in clients:
            c.expect("DONE", timeout)
            results.append(load_json(self.runs / f"{c.name.split('/')[-1]}.json"))
        return results

    @staticmethod
    def summarise_clients(results):
        return {
            "connections": sum(r["connections_ready"] for r in results),
            "deliveries": sum(r["deliveries"] for r in results),
            "deliveries_per_s": sum(r["deliveries_per_s"] for r in results),
            "bytes_per_s": sum(r["bytes_per_s"] for r in results),
            "disconnected": sum(r["disconnected"] for r in results),
            "unparsed_timestamps": sum(r["unparsed_timestamps"] for r in results),
            "cpu_utilisation": sum(r.get("cpu_utilisation", 0) for r in results),
            "compression_negotiated": sum(r.get("compression_negotiated", 0) for r in results),
            "latency": merge_latency([r["latency"] for r in results]),
        }

    # -- a bench_gateway run ------------------------------------------------------------------

    def gateway_run(self, name, groups, rate, compression="on", warmup=None, duration=None,
                    devices=None, sampler=None):
        """groups: [(count, fraction, mode, client_compression, tag[, extra client argv])].
        sampler: a StatsSampler class, run against the gateway's /stats from go to DONE.
        Returns the run record."""
        run_id = self.next_id(name)
        warmup = warmup if warmup is not None else self.sizes["warmup_s"]
        duration = duration or self.sizes["duration_s"]
        children = []
        try:
            gw, port = self.start_gateway(run_id, rate=rate, compression=compression,
                                          warmup=warmup, duration=duration, devices=devices)
            children.append(gw)
            index = 0
            by_tag = {}
            for count, fraction, mode, client_compression, tag, *extra in groups:
                cs = self.start_clients(run_id, port, count, fraction, mode=mode,
                                        compression=client_compression, index_base=index,
                                        tag=tag, warmup=warmup, duration=duration,
                                        devices=devices, extra=extra[0] if extra else ())
                children.extend(cs)
                by_tag[tag] = (cs, count)
                index += count
            for cs, count in by_tag.values():
                self.wait_ready(cs, count)
            load_before = loadavg()
            watch = sampler(port) if sampler else None
            gw.send("go")
            for cs, _ in by_tag.values():
                for c in cs:
                    c.send("go")
            timeout = warmup + duration + 60
            clients = {tag: self.summarise_clients(self.collect_clients(cs, timeout))
                       for tag, (cs, _) in by_tag.items()}
            gateway = json.loads(gw.expect("DONE", timeout).split(" ", 1)[1])
            record = {"id": run_id, "rate": rate, "gateway": gateway, "clients": clients,
                      "loadavg": load_before}
            if watch:
                record["stats_samples"] = watch.finish()
            return record
        finally:
            for c in children:
                c.stop(timeout=10, quit_line="quit")

    def calibrate(self, name, count, fraction):
        """Events/s the gateway sustains for this shape (rate 0 = as fast as it drains)."""
        run = self.gateway_run(name, [(count, fraction, "fast", "off", "fast")], rate=0,
                               duration=self.sizes["calibration_duration_s"])
        return run

    # -- the probe ----------------------------------------------------------------------------

    def probe(self, connections, mode):
        """The best of two thread layouts: it is a ceiling."""
        best = None
        runs = []
        for senders, receivers in ((1, 1), (2, 2)):
            run_id = self.next_id(f"probe-{mode}-{connections}-{senders}x{receivers}")
            path = self.runs / f"{run_id}.json"
            argv = [self.tool("bench_ceiling_probe"), "--connections", connections,
                    "--frame-bytes", self.wire_frame_bytes, "--mode", mode, "--batch", 8,
                    "--sender-threads", senders, "--receiver-threads", receivers,
                    "--warmup", f"{self.sizes['probe_warmup_s']}s",
                    "--duration", f"{self.sizes['probe_duration_s']}s", "--json-out", path]
            child = Child(run_id, argv, self.logs / f"{run_id}.log", capture=False)
            try:
                child.proc.wait(timeout=self.sizes["probe_duration_s"] + 120)
            except subprocess.TimeoutExpired:
                raise ChildError(f"{run_id} did not finish")
            finally:
                child.stop(timeout=1)
            if child.proc.returncode != 0:
                raise ChildError(f"{run_id} failed (log: {child.log_path})")
            result = load_json(path)
            runs.append(result)
            if best is None or result["frames_per_s"] > best["frames_per_s"]:
                best = result
        return {"frames_per_s": best["frames_per_s"], "best": best, "layouts": runs}


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------

def scenario_frame_size(b):
    run_id = b.next_id("frame-size")
    gw, _ = b.start_gateway(run_id)
    gw.stop(timeout=5, quit_line="quit")
    return {"frame_bytes": b.frame_bytes, "wire_frame_bytes": b.wire_frame_bytes}


def throughput_summary(runs):
    """runs: [{"probe": ..., "gateway_run": ...}] paired repetitions."""
    dps = [r["gateway_run"]["clients"]["fast"]["deliveries_per_s"] for r in runs]
    ceil = [r["probe"]["frames_per_s"] for r in runs]
    pct = [100 * d / c for d, c in zip(dps, ceil) if c]
    g = [r["gateway_run"]["gateway"] for r in runs]
    c = [r["gateway_run"]["clients"]["fast"] for r in runs]
    return {
        "median_deliveries_per_s": median(dps),
        "range_deliveries_per_s": value_range(dps),
        "median_ceiling_frames_per_s": median(ceil),
        "range_ceiling_frames_per_s": value_range(ceil),
        "median_pct_of_ceiling": median(pct),
        "range_pct_of_ceiling": value_range(pct),
        "median_events_per_s": median([x["injected_per_s"] for x in g]),
        "median_gateway_cpu_utilisation": median([x["cpu_utilisation"] for x in g]),
        "median_client_cpu_utilisation": median([x.get("cpu_utilisation") for x in c]),
        "median_gateway_cpu_us_per_frame": median([x["cpu_us_per_frame"] for x in g]),
        "dropped_messages": sum(x["dropped_messages"] for x in g),
        "push_failures": sum(x["push_failures"] for x in g),
        "median_p99_us": median([x["latency"]["p99_us"] for x in c]),
    }


def paired_throughput(b, reps, label, clients, fraction, probe_mode):
    """Each repetition: the raw ceiling with as many sockets, then the gateway at max rate, so
    the ratio compares runs a few seconds apart on a machine whose load may drift."""
    runs = []
    for rep in range(reps):
        b.say(f"{label}: ceiling probe ({probe_mode}, {clients} sockets), rep {rep + 1}/{reps}")
        probe = b.probe(clients, probe_mode)
        b.say(f"{label}: gateway, {clients} clients, {fraction:.0%} match, max rate, "
              f"rep {rep + 1}/{reps}")
        run = b.gateway_run(f"{label}-{clients}", [(clients, fraction, "fast", "off", "fast")],
                            rate=0)
        runs.append({"probe": probe, "gateway_run": run})
    return runs


def scenario_sparse(b, reps):
    out = {}
    for n in b.sizes["sparse_clients"]:
        runs = paired_throughput(b, reps, "sparse", n, SPARSE_FRACTION, "send")
        out[str(n)] = {"clients": n, "match_fraction": SPARSE_FRACTION, "ceiling": "send",
                       "runs": runs, "summary": throughput_summary(runs)}
    return out


def scenario_dense(b, reps):
    n = b.sizes["dense_clients"]
    runs = paired_throughput(b, reps, "dense", n, 1.0, "writev")
    summary = throughput_summary(runs)
    # For reference: one send() per frame, as the gateway writes today.
    b.say(f"dense: reference send() ceiling with {n} sockets")
    send = b.probe(n, "send")
    summary["send_ceiling_frames_per_s"] = send["frames_per_s"]
    summary["pct_of_send_ceiling"] = 100 * summary["median_deliveries_per_s"] / send["frames_per_s"]
    return {"clients": n, "match_fraction": 1.0, "ceiling": "writev x8", "runs": runs,
            "send_probe": send, "summary": summary}


def latency_summary(runs, tag="fast"):
    p50 = [r["clients"][tag]["latency"]["p50_us"] for r in runs]
    p99 = [r["clients"][tag]["latency"]["p99_us"] for r in runs]
    p999 = [r["clients"][tag]["latency"]["p999_us"] for r in runs]
    mx = [r["clients"][tag]["latency"]["max_us"] for r in runs]
    return {"median_p50_us": median(p50), "range_p50_us": value_range(p50),
            "median_p99_us": median(p99), "range_p99_us": value_range(p99),
            "median_p999_us": median(p999), "median_max_us": median(mx),
            "median_deliveries_per_s": median([r["clients"][tag]["deliveries_per_s"]
                                               for r in runs])}


def scenario_gateway_leg(b, reps, rate):
    s = b.sizes
    runs = []
    for rep in range(reps):
        b.say(f"gateway leg: {s['latency_clients']} clients, {s['latency_fraction']:.0%} match, "
              f"{rate:.0f} events/s, rep {rep + 1}/{reps}")
        runs.append(b.gateway_run("gateway-leg",
                                  [(s["latency_clients"], s["latency_fraction"], "fast", "off",
                                    "fast")], rate=rate))
    summary = latency_summary(runs)
    summary["median_gateway_cpu_utilisation"] = median(
        [r["gateway"]["cpu_utilisation"] for r in runs])
    summary["median_fanout_p99_us"] = median(
        [r["gateway"]["fanout_latency_us"]["p99"] for r in runs])
    return {"rate": rate, "runs": runs, "summary": summary}


def scenario_slow_clients(b, reps, rate):
    """The judged comparison: 10 % of the clients stall, with the same filter scheme as the
    others. Then, once and for information, an overflow variant: stalled clients subscribing to
    the whole fleet, measured from just after go, through the filling of their kernel buffers,
    the overflow of their queues and the gateway's write_timeout closes."""
    s = b.sizes
    fast_n, slow_n = s["slow_fast_clients"], s["slow_stalled_clients"]
    fraction = s["latency_fraction"]
    without, with_slow = [], []
    for rep in range(reps):
        b.say(f"slow clients: {fast_n} fast, no stalled ones, rep {rep + 1}/{reps}")
        without.append(b.gateway_run("slow-without", [(fast_n, fraction, "fast", "off", "fast")],
                                     rate=rate))
        b.say(f"slow clients: {fast_n} fast + {slow_n} stalled, rep {rep + 1}/{reps}")
        with_slow.append(b.gateway_run(
            "slow-with", [(fast_n, fraction, "fast", "off", "fast"),
                          (slow_n, fraction, "stall", "off", "stalled")], rate=rate))
    a = latency_summary(without)
    w = latency_summary(with_slow)
    change = (100 * (w["median_p99_us"] / a["median_p99_us"] - 1)
              if a["median_p99_us"] and w["median_p99_us"] else None)
    per_rep = [100 * (y["clients"]["fast"]["latency"]["p99_us"] /
                      x["clients"]["fast"]["latency"]["p99_us"] - 1)
               for x, y in zip(without, with_slow)
               if x["clients"]["fast"]["latency"]["p99_us"] and
               y["clients"]["fast"]["latency"]["p99_us"]]
    queues = [r["gateway"].get("client_queues", {}) for r in with_slow]
    result = {"rate": rate, "without": without, "with": with_slow,
              "summary": {"without": a, "with": w, "p99_change_pct": change,
                          "range_p99_change_pct_paired": value_range(per_rep),
                          "dropped_with": sum(r["gateway"]["dropped_messages"]
                                              for r in with_slow),
                          "full_queues_with": median([q.get("full") for q in queues]),
                          "clients_closed_with": median(
                              [r["gateway"]["clients"] - r["gateway"].get("clients_at_end", 0)
                               for r in with_slow])}}
    overflow_warmup, overflow_window = (0.5, 2.0) if b.args.quick else (1.0, 20.0)
    variants = {}
    for label, groups in (
            ("without", [(fast_n, fraction, "fast", "off", "fast")]),
            ("with", [(fast_n, fraction, "fast", "off", "fast"),
                      (slow_n, 1.0, "stall", "off", "stalled")])):
        b.say(f"slow clients, overflow variant ({label} {slow_n} stalled clients subscribing to "
              f"everything), {overflow_window:.0f} s window")
        run = b.gateway_run(f"overflow-{label}", groups, rate=rate, warmup=overflow_warmup,
                            duration=overflow_window)
        variants[label] = {"run": run,
                           "p50_us": run["clients"]["fast"]["latency"]["p50_us"],
                           "p99_us": run["clients"]["fast"]["latency"]["p99_us"],
                           "p999_us": run["clients"]["fast"]["latency"]["p999_us"],
                           "dropped": run["gateway"]["dropped_messages"],
                           "frames_sent": run["gateway"]["frames_sent"],
                           "cpu_utilisation": run["gateway"]["cpu_utilisation"],
                           "clients_closed": run["gateway"]["clients"] -
                           run["gateway"].get("clients_at_end", 0),
                           "slow_disconnects": run["gateway"]["slow_disconnects"]}
    result["overflow_variant"] = {"warmup_s": overflow_warmup, "window_s": overflow_window,
                                  **variants}
    return result


class StatsSampler:
    """Reads the gateway's /stats every `interval` seconds on a thread until finish(): the
    deepest queue of a "latest" client and of any other client, and the last conflated_messages
    count. /stats is the gateway's own figure; the driver only reads it."""

    def __init__(self, port, interval=0.25):
        self.url = f"http://127.0.0.1:{port}/stats"
        self.interval = interval
        self.stop = threading.Event()
        self.samples = 0
        self.max_latest_depth = 0
        self.max_other_depth = 0
        self.latest_clients_seen = 0
        self.conflated_messages = None
        self.last = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(self.interval)

    def sample(self):
        status, text = http_get(self.url)
        if status != 200:
            return
        try:
            stats = json.loads(text)
        except ValueError:
            return
        self.samples += 1
        latest = [c for c in stats.get("clients", []) if c.get("delivery") == "latest"]
        others = [c for c in stats.get("clients", []) if c.get("delivery") != "latest"]
        self.latest_clients_seen = max(self.latest_clients_seen, len(latest))
        self.max_latest_depth = max([self.max_latest_depth] +
                                    [c.get("queue_depth", 0) for c in latest])
        self.max_other_depth = max([self.max_other_depth] +
                                   [c.get("queue_depth", 0) for c in others])
        self.conflated_messages = stats.get("conflated_messages")
        self.last = {"conflated_per_latest_client": sorted(c.get("conflated_messages", 0)
                                                           for c in latest),
                     "dropped_per_latest_client": sorted(c.get("dropped", 0) for c in latest),
                     "queue_depth_per_latest_client": sorted(c.get("queue_depth", 0)
                                                             for c in latest)}

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=10)
        self.sample()  # the figures at the end of the window
        return {"samples": self.samples, "max_latest_queue_depth": self.max_latest_depth,
                "max_other_queue_depth": self.max_other_depth,
                "latest_clients_seen": self.latest_clients_seen,
                "conflated_messages": self.conflated_messages, "at_end": self.last}


def scenario_stalled_latest(b, reps, rate):
    """slow_clients with the stalled clients asking for "delivery":"latest" and subscribing to
    every device of a fleet smaller than queue_size: conflation, not the overflow policy, must
    keep their queues at one frame per device, and the fast clients must not notice them."""
    s = b.sizes
    fast_n, slow_n, devices = (s["latest_fast_clients"], s["latest_stalled_clients"],
                               s["latest_devices"])
    fraction = s["latency_fraction"]
    warmup, duration = s["latest_warmup_s"], s["latest_duration_s"]
    without, with_slow = [], []
    for rep in range(reps):
        b.say(f"stalled latest: {fast_n} fast, no stalled ones, {devices} devices, "
              f"rep {rep + 1}/{reps}")
        without.append(b.gateway_run("latest-without",
                                     [(fast_n, fraction, "fast", "off", "fast")], rate=rate,
                                     warmup=warmup, duration=duration, devices=devices,
                                     sampler=StatsSampler))
        b.say(f"stalled latest: {fast_n} fast + {slow_n} stalled \"latest\" clients subscribing "
              f"to all {devices} devices, rep {rep + 1}/{reps}")
        with_slow.append(b.gateway_run(
            "latest-with", [(fast_n, fraction, "fast", "off", "fast"),
                            (slow_n, 1.0, "stall", "off", "stalled", ["--delivery", "latest"])],
            rate=rate, warmup=warmup, duration=duration, devices=devices, sampler=StatsSampler))
    a = latency_summary(without)
    w = latency_summary(with_slow)
    change = (100 * (w["median_p99_us"] / a["median_p99_us"] - 1)
              if a["median_p99_us"] and w["median_p99_us"] else None)
    per_rep = [100 * (y["clients"]["fast"]["latency"]["p99_us"] /
                      x["clients"]["fast"]["latency"]["p99_us"] - 1)
               for x, y in zip(without, with_slow)
               if x["clients"]["fast"]["latency"]["p99_us"] and
               y["clients"]["fast"]["latency"]["p99_us"]]
    samples = [r["stats_samples"] for r in with_slow]
    return {"rate": rate, "devices": devices, "fast_clients": fast_n, "stalled_clients": slow_n,
            "warmup_s": warmup, "window_s": duration, "without": without, "with": with_slow,
            "summary": {"without": a, "with": w, "p99_change_pct": change,
                        "range_p99_change_pct_paired": value_range(per_rep),
                        "max_latest_queue_depth": max(x["max_latest_queue_depth"]
                                                      for x in samples),
                        "latest_clients_seen": min(x["latest_clients_seen"] for x in samples),
                        "conflated_messages": median([x["conflated_messages"] for x in samples]),
                        "conflated_in_window": median([r["gateway"].get("conflated_messages")
                                                       for r in with_slow]),
                        "dropped_with": sum(r["gateway"]["dropped_messages"] for r in with_slow),
                        "fast_disconnected_with": sum(r["clients"]["fast"]["disconnected"]
                                                      for r in with_slow),
                        "clients_closed_with": median(
                            [r["gateway"]["clients"] - r["gateway"].get("clients_at_end", 0)
                             for r in with_slow])}}


def hostile_mix(total):
    """HOSTILE_MIX's shares of `total` connections, rounded so that they add up."""
    counts = {k: int(total * share) for k, share in HOSTILE_MIX.items()}
    for k in list(HOSTILE_MIX)[:total - sum(counts.values())]:
        counts[k] += 1
    return counts


def hostile_delta(start, end):
    """The hostile client's counts between two REPORTs, per kind (open_now as at the end)."""
    out = {}
    for kind, e in end["kinds"].items():
        st = start["kinds"].get(kind, {})
        row = {k: v - st.get(k, 0) for k, v in e.items()
               if isinstance(v, (int, float)) and k not in ("connections", "open_now",
                                                            "mean_handshake_held_ms")}
        row["connections"] = e["connections"]
        row["open_now"] = e["open_now"]
        row["mean_handshake_held_ms"] = e["mean_handshake_held_ms"]
        row["outcomes"] = {k: v - st.get("outcomes", {}).get(k, 0)
                           for k, v in e["outcomes"].items()
                           if v - st.get("outcomes", {}).get(k, 0)}
        out[kind] = row
    return out


def scenario_hostile(b, reps, rate):
    """`reps` runs of hostile_once(); medians over them, and the per-kind counts of the run whose
    p99 ratio is the median."""
    runs = []
    for rep in range(reps):
        b.say(f"hostile: run {rep + 1}/{reps}")
        runs.append(hostile_once(b, rate))
    ratios = [r["summary"]["p99_ratio"] for r in runs]
    known = sorted((x, i) for i, x in enumerate(ratios) if x is not None)
    shown = runs[known[(len(known) - 1) // 2][1]] if known else runs[-1]

    def med(key):
        return median([r["summary"][key] for r in runs])

    summary = {key: med(key) for key in (
        "p50_us_without", "p99_us_without", "p50_us_with", "p99_us_with", "p99_ratio",
        "good_deliveries_per_s_without", "good_deliveries_per_s_with", "gateway_cpu_without",
        "gateway_cpu_with", "gateway_refused_in_window", "gateway_accepted_in_window",
        "dropped_in_window", "hostile_client_cpu_in_window")}
    summary.update({
        "range_p99_ratio": value_range(ratios),
        "good_ready": min(r["summary"]["good_ready"] for r in runs),
        "good_disconnected": sum(r["summary"]["good_disconnected"] for r in runs),
        "good_disconnected_without": sum(r["baseline"]["clients"]["disconnected"] for r in runs),
        "kinds_from_run": shown["id"],
        "hostile_since_start": shown["summary"]["hostile_since_start"],
        "hostile_in_window": shown["summary"]["hostile_in_window"]})
    keys = ("rate", "good_clients", "hostile_connections", "mix", "warmup_s", "window_s", "ramp_s",
            "gateway_settings")
    return {**{k: runs[0][k] for k in keys}, "reps": reps, "runs": runs, "summary": summary}


def hostile_once(b, rate):
    """One gateway (auth.mode token) and one set of good clients, two windows: the good clients
    alone (their baseline), then with the hostile connections of bench_hostile_client."""
    s = b.sizes
    good_n, hostile_n = s["hostile_good_clients"], s["hostile_connections"]
    fraction = s["latency_fraction"]
    warmup, duration = s["hostile_warmup_s"], s["hostile_duration_s"]
    mix = hostile_mix(hostile_n)
    token = secrets.token_hex(24)
    run_id = b.next_id("hostile")
    config = b.runs / f"{run_id}-gateway.yaml"
    config.write_text(f"""# Generated by bench/run.py for the hostile scenario.
websocket:
  host: "127.0.0.1"
  port: 8081                    # bench_gateway --port 0 replaces it
  max_connections: 30000
  handshake_timeout: "{HOSTILE_HANDSHAKE_TIMEOUT_S}s"
  max_message_size: {HOSTILE_MAX_MESSAGE_SIZE}
  max_client_messages_per_second: {HOSTILE_MAX_MESSAGES_PER_S}
auth:
  mode: "token"
  tokens:
    - name: "bench-good"
      sha256: "{hashlib.sha256(token.encode()).hexdigest()}"
""")
    children = []
    good = []
    hostile = None
    try:
        gw, port = b.start_gateway(run_id, rate=rate, warmup=warmup, duration=duration,
                                   config=config)
        children.append(gw)
        good = b.start_clients(run_id, port, good_n, fraction, tag="good", warmup=warmup,
                               duration=duration, extra=["--token", token])
        b.wait_ready(good, good_n)
        timeout = warmup + duration + 60

        def window():
            load = loadavg()
            gw.send("go")
            for c in good:
                c.send("go")
            clients = b.summarise_clients(b.collect_clients(good, timeout))
            gateway = json.loads(gw.expect("DONE", timeout).split(" ", 1)[1])
            return {"clients": clients, "gateway": gateway, "loadavg": load}

        b.say(f"hostile: {good_n} good clients alone (baseline), {rate:.0f} events/s")
        baseline = window()
        b.say(f"hostile: starting {hostile_n} hostile connections {json.dumps(mix)}")
        name = f"{run_id}-hostile"
        hostile = Child(name, [
            b.tool("bench_hostile_client"), "--addr", f"127.0.0.1:{port}", "--token", token,
            "--mix", ",".join(f"{k}={v}" for k, v in mix.items() if v),
            "--connect-rate", s["connect_rate"] / 2, "--retry-pause", HOSTILE_RETRY_PAUSE,
            "--slowloris-interval", HOSTILE_SLOWLORIS_INTERVAL,
            "--oversize-bytes", HOSTILE_MAX_MESSAGE_SIZE + 4096,
            "--flood-rate", HOSTILE_FLOOD_RATE, "--max-lifetime", "900s"],
            b.logs / f"{name}.log")
        children.append(hostile)
        started = parse_fields(hostile.expect("STARTED", 60 + 2 * hostile_n / s["connect_rate"]))
        time.sleep(s["hostile_ramp_s"])
        hostile.send("report")
        at_start = json.loads(hostile.expect("REPORT", 30).split(" ", 1)[1])
        b.say(f"hostile: {good_n} good clients beside {hostile_n} hostile connections")
        under_attack = window()
        hostile.send("report")
        at_end = json.loads(hostile.expect("REPORT", 30).split(" ", 1)[1])
    finally:
        # The good clients first: a disconnect they saw before quitting is already counted.
        for c in good:
            c.stop(timeout=10, quit_line="quit")
        for c in reversed(children):
            c.stop(timeout=10, quit_line="quit")
    p99_base = baseline["clients"]["latency"]["p99_us"]
    p99_with = under_attack["clients"]["latency"]["p99_us"]
    return {
        "id": run_id, "rate": rate, "good_clients": good_n, "hostile_connections": hostile_n,
        "mix": mix,
        "warmup_s": warmup, "window_s": duration, "ramp_s": s["hostile_ramp_s"],
        "gateway_settings": {"handshake_timeout_s": HOSTILE_HANDSHAKE_TIMEOUT_S,
                             "max_message_size": HOSTILE_MAX_MESSAGE_SIZE,
                             "max_client_messages_per_second": HOSTILE_MAX_MESSAGES_PER_S,
                             "auth_mode": "token"},
        "hostile_started": started, "baseline": baseline, "with_hostile": under_attack,
        "hostile_report_at_window_start": at_start, "hostile_report_at_window_end": at_end,
        "summary": {
            "p50_us_without": baseline["clients"]["latency"]["p50_us"],
            "p99_us_without": p99_base,
            "p50_us_with": under_attack["clients"]["latency"]["p50_us"],
            "p99_us_with": p99_with,
            "p99_ratio": p99_with / p99_base if p99_base and p99_with else None,
            "good_ready": baseline["clients"]["connections"],
            "good_disconnected": under_attack["clients"]["disconnected"],
            "good_deliveries_per_s_without": baseline["clients"]["deliveries_per_s"],
            "good_deliveries_per_s_with": under_attack["clients"]["deliveries_per_s"],
            "gateway_cpu_without": baseline["gateway"]["cpu_utilisation"],
            "gateway_cpu_with": under_attack["gateway"]["cpu_utilisation"],
            "gateway_refused_in_window": under_attack["gateway"].get("connections_refused"),
            "gateway_accepted_in_window": under_attack["gateway"].get("connections_accepted"),
            "dropped_in_window": under_attack["gateway"]["dropped_messages"],
            "hostile_client_cpu_in_window": (
                (at_end["cpu_s"] - at_start["cpu_s"]) / (at_end["elapsed_s"] - at_start["elapsed_s"])
                if at_end["elapsed_s"] > at_start["elapsed_s"] else None),
            "hostile_since_start": at_end["kinds"],
            "hostile_in_window": hostile_delta(at_start, at_end),
        }}


def scenario_compression(b, reps, rate):
    s = b.sizes
    off, on = [], []
    for rep in range(reps):
        for label, runs in (("off", off), ("on", on)):
            b.say(f"compression {label}: {s['latency_clients']} clients, {rate:.0f} events/s, "
                  f"rep {rep + 1}/{reps}")
            runs.append(b.gateway_run(f"compression-{label}",
                                      [(s["latency_clients"], s["latency_fraction"], "fast",
                                        label, "fast")], rate=rate, compression="on"))

    def cpu_per_frame(runs):
        return [r["gateway"]["cpu_us_per_frame"] for r in runs]

    m_off, m_on = median(cpu_per_frame(off)), median(cpu_per_frame(on))
    paired = [y / x for x, y in zip(cpu_per_frame(off), cpu_per_frame(on)) if x]
    return {"rate": rate, "off": off, "on": on,
            "summary": {"median_cpu_us_per_frame_off": m_off,
                        "range_cpu_us_per_frame_off": value_range(cpu_per_frame(off)),
                        "median_cpu_us_per_frame_on": m_on,
                        "range_cpu_us_per_frame_on": value_range(cpu_per_frame(on)),
                        "ratio": m_on / m_off if m_off else None,
                        "range_ratio_paired": value_range(paired),
                        "connections_compressed_on": median(
                            [r["clients"]["fast"]["compression_negotiated"] for r in on]),
                        "median_p99_us_off": latency_summary(off)["median_p99_us"],
                        "median_p99_us_on": latency_summary(on)["median_p99_us"],
                        "median_bytes_per_s_off": median([r["gateway"]["bytes_sent"] /
                                                          r["gateway"]["window_s"] for r in off]),
                        "median_bytes_per_s_on": median([r["gateway"]["bytes_sent"] /
                                                         r["gateway"]["window_s"] for r in on])}}


def scenario_idle(b, reps, compression="off"):
    n = b.sizes["idle_clients"]
    runs = []
    for rep in range(reps):
        b.say(f"idle memory: {n} connections (client compression {compression}), "
              f"rep {rep + 1}/{reps}")
        run_id = b.next_id(f"idle-{compression}")
        children = []
        try:
            gw, port = b.start_gateway(run_id)
            children.append(gw)
            gw.send("rss-baseline")
            baseline = json.loads(gw.expect("RSS", 30).split(" ", 1)[1])
            clients = b.start_clients(run_id, port, n, 1.0, mode="idle", compression=compression)
            children.extend(clients)
            b.wait_ready(clients, n)
            gw.send(f"rss {n}")
            result = json.loads(gw.expect("RSS", 240).split(" ", 1)[1])
            result["baseline_at_start"] = baseline
            result["client_processes"] = len(clients)
            runs.append(result)
        finally:
            for c in reversed(children):
                c.stop(timeout=15, quit_line="quit")
    per = [r["rss_per_connection_bytes"] for r in runs]
    anon = [r["rss_anon_per_connection_bytes"] for r in runs]
    return {"connections": n, "client_compression": compression, "runs": runs,
            "summary": {"median_rss_per_connection_bytes": median(per),
                        "range_rss_per_connection_bytes": value_range(per),
                        "median_rss_anon_per_connection_bytes": median(anon),
                        "clients_attached": [r["clients"] for r in runs]}}


class Kafka:
    """A broker of our own, on ports nobody else uses, started by scripts/kafka.sh."""

    def __init__(self, b):
        self.b = b
        self.port = None
        self.env = None
        self.started = False

    def start(self, attempts=3):
        """scripts/kafka.sh start on a free port pair; a failed start is retried on new ports
        (its log is kept as kafka-start-N.log)."""
        for attempt in range(1, attempts + 1):
            self.port = None
            for _ in range(200):
                port = random.randint(20000, 28000)
                if port_is_free(port) and port_is_free(port + 1000):
                    self.port = port
                    break
            if self.port is None:
                raise ChildError("no free port pair for Kafka")
            self.env = dict(os.environ, IIOT_KAFKA_PORT=str(self.port),
                            IIOT_KAFKA_DATA=f"/tmp/iiot-bench-kafka-{self.port}")
            self.b.say(f"starting Kafka on 127.0.0.1:{self.port} (scripts/kafka.sh), "
                       f"attempt {attempt}/{attempts}")
            self.started = True
            log_path = self.b.logs / f"kafka-start-{attempt}.log"
            with open(log_path, "w") as log:
                rc = subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "start"], env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    timeout=600).returncode
            if rc == 0:
                return
            self.stop()
        raise ChildError(f"scripts/kafka.sh start failed {attempts} times "
                         f"(logs: {self.b.logs}/kafka-start-*.log)")

    def stop(self):
        if not self.started:
            return
        self.b.say("stopping Kafka (--wipe)")
        with open(self.b.logs / "kafka-stop.log", "a") as log:
            try:
                subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "stop", "--wipe"],
                               env=self.env, stdout=log, stderr=subprocess.STDOUT, timeout=120)
            except subprocess.TimeoutExpired:
                log.write("kafka.sh stop timed out\n")
        self.started = False


def http_get(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, ""
    except (OSError, ValueError):
        return None, ""


def scenario_broker_latency(b, reps, rate):
    s = b.sizes
    n, fraction, devices = s["latency_clients"], s["latency_fraction"], s["broker_devices"]
    kafka = Kafka(b)
    consumer = None
    runs = []
    warmup_summary = None
    try:
        kafka.start()
        ws_port = free_port()
        config = b.out / "consumer-bench.yaml"
        config.write_text(f"""# Generated by bench/run.py for the broker latency scenario.
websocket:
  host: "127.0.0.1"
  port: {ws_port}
  max_connections: 30000
kafka:
  brokers: ["127.0.0.1:{kafka.port}"]
  group_id: "iiot-bench-{os.getpid()}-{int(time.time())}"
  client_id: "iiot-bench"
  auto_offset_reset: "latest"
  properties:
    fetch.wait.max.ms: "5"   # as configs/development.yaml
log:
  level: "warn"
""")
        consumer = Child("consumer", [b.tool("consumer"), "-c", config],
                         b.logs / "consumer.log", capture=False)
        deadline = time.monotonic() + 120
        while http_get(f"http://127.0.0.1:{ws_port}/ready")[0] != 200:
            if not consumer.alive():
                raise ChildError(f"consumer exited (log: {consumer.log_path})")
            if time.monotonic() > deadline:
                raise ChildError("consumer not ready (Kafka group) within 120 s")
            time.sleep(0.5)
        # A fresh broker JVM (and consumer) answers slowly for its first seconds (JIT, log
        # segment creation): run the same traffic once, unmeasured.
        b.say(f"broker warm-up: {s['broker_warmup_s']:.0f} s of traffic, not measured")
        warm = Child("broker-warmup-simulator",
                     [b.tool("device_simulator"), "--brokers", f"127.0.0.1:{kafka.port}",
                      "--devices", devices, "--rate", rate, "--alert-rate", 0,
                      "--duration", f"{s['broker_warmup_s']}s", "--progress-interval", "0", "-q"],
                     b.logs / "broker-warmup-simulator.log")
        try:
            warmup_summary = warm.expect("", s["broker_warmup_s"] + 60)
        finally:
            warm.stop(timeout=10)
        for rep in range(reps):
            b.say(f"broker latency: {n} clients, {fraction:.0%} match, {rate:.0f} events/s "
                  f"through Kafka, rep {rep + 1}/{reps}")
            run_id = b.next_id("broker")
            children = []
            try:
                clients = b.start_clients(run_id, ws_port, n, fraction, id_prefix="sensor-",
                                          id_base=1, devices=devices)
                children.extend(clients)
                b.wait_ready(clients, n)
                total = s["warmup_s"] + s["duration_s"] + 1.0
                sim = Child(f"{run_id}-simulator",
                            [b.tool("device_simulator"), "--brokers", f"127.0.0.1:{kafka.port}",
                             "--devices", devices, "--rate", rate, "--alert-rate", 0,
                             "--duration", f"{total}s", "--progress-interval", "0", "-q"],
                            b.logs / f"{run_id}-simulator.log")
                children.append(sim)
                load_before = loadavg()
                for c in clients:
                    c.send("go")
                results = b.collect_clients(clients, s["warmup_s"] + s["duration_s"] + 60)
                summary_line = sim.expect("", total + 60)
                status, stats_text = http_get(f"http://127.0.0.1:{ws_port}/stats")
                stats = {}
                if status == 200:
                    full = json.loads(stats_text)
                    stats = {k: full.get(k) for k in ("total_messages", "push_success_count",
                                                      "push_failure_count", "dropped_messages",
                                                      "avg_push_latency_ms", "kafka")}
                runs.append({"id": run_id, "rate": rate,
                             "clients": {"fast": b.summarise_clients(results)},
                             "simulator": summary_line, "consumer_stats": stats,
                             "loadavg": load_before})
            finally:
                for c in children:
                    c.stop(timeout=10, quit_line="quit")
    finally:
        if consumer is not None:
            consumer.stop(timeout=20, sig=signal.SIGTERM)
        kafka.stop()
    return {"rate": rate, "clients": n, "match_fraction": fraction, "runs": runs,
            "broker_warmup": warmup_summary, "summary": latency_summary(runs)}


# ---------------------------------------------------------------------------------------------
# Peer comparison (--peer centrifugo): the same scenarios, through the same Kafka topics and the
# same producer, against the gateway (bin/consumer) and against a peer server, in one run
# ---------------------------------------------------------------------------------------------

PEERS = {"centrifugo": {"script": ROOT / "bench" / "peers" / "centrifugo.sh",
                        "config": ROOT / "bench" / "peers" / "centrifugo.json",
                        "version": "v6.9.1"}}
PEER_SCENARIOS = ["dense", "sparse", "idle", "latency"]
PEER_PAYLOAD_BYTES = 200  # every device-data record, padded by the simulator
# Channels of the Centrifugo records and subscriptions (bench/peers/README.md): every record is
# published to PEER_ALL_CHANNEL when the scenario's clients all match, else to its device's own
# channel PEER_DEVICE_CHANNEL + device id.
PEER_ALL_CHANNEL = "devices"
PEER_DEVICE_CHANNEL = "device."
PEER_FULL = {
    "reps": 3, "warmup_s": 5.0, "duration_s": 10.0, "devices": 1000,
    "dense": {"clients": 1000, "fraction": 1.0, "rate": 1000},
    "sparse": {"clients": 10000, "fraction": 0.01, "rate": 500},
    "latency": {"clients": 100, "fraction": 1.0, "rate": 200},
    "idle": {"clients": 19000},
}
# Quick: K = 100 devices, so that the 300 sparse clients are a whole multiple of K and every
# record matches exactly 1 % of them (device_fleet.h); with K = 1000 a 3 s window would see a
# part of the fleet whose share of subscribers depends on where the round robin stands.
PEER_QUICK = {
    "reps": 1, "warmup_s": 3.0, "duration_s": 3.0, "devices": 100,
    "dense": {"clients": 100, "fraction": 1.0, "rate": 200},
    "sparse": {"clients": 300, "fraction": 0.01, "rate": 200},
    "latency": {"clients": 50, "fraction": 1.0, "rate": 100},
    "idle": {"clients": 300},
}


def proc_cpu_s(pid):
    """utime + stime of every thread of a process, in seconds (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise ValueError(f"no VmRSS for pid {pid}")


class PeerBench:
    """Runs each selected scenario once per repetition against the gateway and the peer."""

    def __init__(self, b, peer, brokers, sizes, pin=True):
        self.b = b
        self.peer = peer
        self.brokers = brokers
        self.sizes = sizes
        self.tag = f"iiot-bench-{os.getpid()}-{int(time.time())}"
        self.alerts_topic = f"{self.tag}-alerts"
        self.peer_binary = None
        self.peer_module = None
        # The server on one CPU, clients and producer on the others (when there are others).
        cpus = sorted(os.sched_getaffinity(0))
        self.pin = (pin and len(cpus) >= 2 and
                    bool(command_output(["sh", "-c", "command -v taskset"])))
        self.server_cpus = str(cpus[0])
        self.other_cpus = ",".join(str(c) for c in cpus[1:])

    def pinned(self, argv, server):
        if not self.pin:
            return argv
        return ["taskset", "-c", self.server_cpus if server else self.other_cpus] + argv

    def prepare(self):
        b = self.b
        b.say(f"{self.peer}: bench/peers/{self.peer}.sh (builds once, then reuses the binary)")
        with open(b.logs / f"peer-{self.peer}-build.log", "w") as log:
            done = subprocess.run([str(PEERS[self.peer]["script"])], stdout=subprocess.PIPE,
                                  stderr=log, text=True, timeout=3600)
        if done.returncode != 0:
            raise ChildError(f"bench/peers/{self.peer}.sh failed (log: {log.name})")
        self.peer_binary = done.stdout.strip().splitlines()[-1]
        # `go install` leaves the binary's own version string empty; the module version is in
        # its build information.
        info = command_output(["go", "version", "-m", self.peer_binary]) or ""
        self.peer_module = next((" ".join(line.split()[1:3]) for line in info.splitlines()
                                 if line.split()[:1] == ["mod"]), None)
        self.prime(self.alerts_topic, "gateway", "prime-alerts")

    def simulator_argv(self, topic, record_format, channel, rate, duration=None, count=None,
                       devices=None):
        argv = [self.b.tool("device_simulator"), "--brokers", self.brokers,
                "--topic-data", topic, "--topic-alerts", self.alerts_topic,
                "--devices", devices or self.sizes["devices"], "--rate", rate,
                "--alert-rate", 0, "--payload-bytes", PEER_PAYLOAD_BYTES,
                "--record-format", record_format, "--centrifugo-channel", channel,
                "--progress-interval", "0", "-q"]
        if duration is not None:
            argv += ["--duration", f"{duration}s"]
        if count is not None:
            argv += ["--count", count]
        return argv

    def prime(self, topic, record_format, name):
        """Creates a topic (the broker creates it on the first record) before a server
        subscribes to it; the one record lands before any client is there."""
        child = Child(name, self.simulator_argv(topic, record_format, PEER_ALL_CHANNEL, 0,
                                                count=1, devices=1),
                      self.b.logs / f"{name}.log", capture=False)
        try:
            child.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise ChildError(f"{name}: the simulator did not finish")
        finally:
            child.stop(timeout=1)
        if child.proc.returncode != 0:
            raise ChildError(f"{name}: could not write to {topic} (log: {child.log_path})")

    def start_gateway(self, run_id, topic, port):
        b = self.b
        config = b.runs / f"{run_id}-consumer.yaml"
        config.write_text(f"""# Generated by bench/run.py --peer: the gateway side of the comparison.
websocket:
  host: "127.0.0.1"
  port: {port}
  max_connections: 30000
kafka:
  brokers: ["{self.brokers}"]
  group_id: "{run_id}-{self.tag}"
  client_id: "iiot-bench"
  topics:
    device_data: "{topic}"
    alerts: "{self.alerts_topic}"
    dead_letter: "{topic}-dead-letter"
  auto_offset_reset: "latest"
  properties:
    fetch.wait.max.ms: "5"   # as configs/development.yaml
log:
  level: "warn"
""")
        server = Child(f"{run_id}/consumer", self.pinned([b.tool("consumer"), "-c", config], True),
                       b.logs / f"{run_id}-consumer.log", capture=False)
        self.wait_http(server, f"http://127.0.0.1:{port}/ready", "consumer ready (Kafka group)")
        return server

    def start_peer(self, run_id, topic, port):
        b = self.b
        config = load_json(PEERS[self.peer]["config"])
        config["http_server"]["port"] = port
        kafka = config["consumers"][0]["kafka"]
        kafka["brokers"] = [self.brokers]
        kafka["topics"] = [topic]
        kafka["consumer_group"] = f"{run_id}-{self.tag}"
        path = b.runs / f"{run_id}-{self.peer}.json"
        path.write_text(json.dumps(config, indent=2) + "\n")
        server = Child(f"{run_id}/{self.peer}",
                       self.pinned([self.peer_binary, "--config", path], True),
                       b.logs / f"{run_id}-{self.peer}.log", capture=False)
        self.wait_http(server, f"http://127.0.0.1:{port}/health", f"{self.peer} healthy")
        return server

    @staticmethod
    def wait_http(server, url, what):
        deadline = time.monotonic() + 120
        while http_get(url)[0] != 200:
            if not server.alive():
                raise ChildError(f"{server.name} exited (log: {server.log_path})")
            if time.monotonic() > deadline:
                raise ChildError(f"{server.name}: not {what} within 120 s")
            time.sleep(0.3)

    def start_clients(self, run_id, server_kind, port, count, fraction, mode):
        s, b = self.sizes, self.b
        per_process = b.sizes["max_clients_per_process"]
        children = []
        started = 0
        while started < count:
            n = min(per_process, count - started)
            name = f"{run_id}-clients{len(children)}"
            argv = [b.tool("bench_load_client"), "--addr", f"127.0.0.1:{port}",
                    "--connections", n, "--index-base", started, "--match-fraction", fraction,
                    "--devices", s["devices"], "--id-prefix", "sensor-", "--id-base", 1,
                    "--mode", mode, "--threads", LOAD_CLIENT_THREADS,
                    "--connect-rate", b.sizes["connect_rate"] / 2,
                    "--warmup", f"{s['warmup_s']}s", "--duration", f"{s['duration_s']}s",
                    "--wait-go", "--label", server_kind, "--json-out", b.runs / f"{name}.json"]
            if server_kind == "gateway":
                argv += ["--protocol", "gateway"]
            else:
                argv += ["--protocol", "centrifugo", "--path", "/connection/websocket",
                         "--centrifugo-all-channel", PEER_ALL_CHANNEL,
                         "--centrifugo-device-prefix", PEER_DEVICE_CHANNEL]
            children.append(Child(name, self.pinned(argv, False), b.logs / f"{name}.log"))
            started += n
        return children

    def run_once(self, scenario, server_kind):
        """One scenario against one server; returns its figures."""
        s, b = self.sizes, self.b
        shape = s[scenario]
        run_id = b.next_id(f"peer-{scenario}-{server_kind}")
        topic = f"{self.tag}-{run_id}"
        record_format = "gateway" if server_kind == "gateway" else "centrifugo"
        fraction = shape.get("fraction", 1.0)
        channel = (PEER_ALL_CHANNEL if fraction >= 1.0
                   else PEER_DEVICE_CHANNEL + "{device_id}")
        port = free_port()
        children = []
        try:
            if scenario != "idle":
                self.prime(topic, record_format, f"{run_id}-prime")
            server = (self.start_gateway(run_id, topic, port) if server_kind == "gateway"
                      else self.start_peer(run_id, topic, port))
            children.append(server)
            pid = server.proc.pid
            if scenario == "idle":
                time.sleep(1.0)
                rss0 = proc_rss_kib(pid)
                clients = self.start_clients(run_id, server_kind, port, shape["clients"], 1.0,
                                             "idle")
                children.extend(clients)
                b.wait_ready(clients, shape["clients"])
                time.sleep(2.0)  # let the server settle
                rss1 = proc_rss_kib(pid)
                return {"id": run_id, "server": server_kind, "connections": shape["clients"],
                        "rss_before_kib": rss0, "rss_after_kib": rss1,
                        "rss_per_connection_bytes": (rss1 - rss0) * 1024 / shape["clients"]}
            clients = self.start_clients(run_id, server_kind, port, shape["clients"], fraction,
                                         "fast")
            children.extend(clients)
            b.wait_ready(clients, shape["clients"])
            total = s["warmup_s"] + s["duration_s"] + 1.0
            producer = Child(f"{run_id}-simulator",
                             self.pinned(self.simulator_argv(topic, record_format, channel,
                                                             shape["rate"], duration=total),
                                         False),
                             b.logs / f"{run_id}-simulator.log")
            children.append(producer)
            for c in clients:
                c.send("go")
            time.sleep(s["warmup_s"])
            cpu0, t0 = proc_cpu_s(pid), time.monotonic()
            time.sleep(s["duration_s"])
            cpu1, t1 = proc_cpu_s(pid), time.monotonic()
            results = b.collect_clients(clients, 120)
            summary_line = producer.expect("", total + 60)
            server_stats = None
            if server_kind == "gateway":
                status, text = http_get(f"http://127.0.0.1:{port}/stats")
                if status == 200:
                    full = json.loads(text)
                    server_stats = {k: full.get(k) for k in ("total_messages",
                                                             "push_success_count",
                                                             "push_failure_count",
                                                             "dropped_messages")}
            c = b.summarise_clients(results)
            effective = median([r["match_fraction_effective"] for r in results])
            expected = shape["rate"] * shape["clients"] * effective
            cpu_s = cpu1 - cpu0
            return {"id": run_id, "server": server_kind, "rate": shape["rate"],
                    "clients": shape["clients"], "match_fraction_effective": effective,
                    "expected_deliveries_per_s": expected,
                    "deliveries_per_s": c["deliveries_per_s"],
                    "delivered_pct": 100 * c["deliveries_per_s"] / expected if expected else None,
                    "server_cpu_utilisation": cpu_s / (t1 - t0),
                    "server_cpu_us_per_delivery": (1e6 * cpu_s / c["deliveries"]
                                                   if c["deliveries"] else None),
                    "p50_us": c["latency"]["p50_us"], "p99_us": c["latency"]["p99_us"],
                    "p999_us": c["latency"]["p999_us"],
                    "client_cpu_utilisation": c["cpu_utilisation"],
                    "disconnected": c["disconnected"],
                    "unparsed_timestamps": c["unparsed_timestamps"],
                    "simulator": summary_line, "server_stats": server_stats,
                    "loadavg": loadavg()}
        finally:
            for child in reversed(children):
                child.stop(timeout=10, quit_line="quit" if child is not children[0] else None,
                           sig=signal.SIGTERM if child is children[0] else None)

    def scenario(self, scenario, reps):
        shape = self.sizes[scenario]
        runs = {"gateway": [], self.peer: []}
        for rep in range(reps):
            # Alternate the order, so neither server always runs on a warmer machine.
            order = ["gateway", self.peer] if rep % 2 == 0 else [self.peer, "gateway"]
            for kind in order:
                self.b.say(f"peer comparison, {scenario} ({json.dumps(shape)}): {kind}, "
                           f"rep {rep + 1}/{reps}")
                runs[kind].append(self.run_once(scenario, kind))
        keys = (["rss_per_connection_bytes"] if scenario == "idle" else
                ["deliveries_per_s", "delivered_pct", "server_cpu_utilisation",
                 "server_cpu_us_per_delivery", "p50_us", "p99_us", "client_cpu_utilisation"])
        summary = {}
        for kind, rs in runs.items():
            summary[kind] = {f"median_{k}": median([r[k] for r in rs]) for k in keys}
            summary[kind].update({f"range_{k}": value_range([r[k] for r in rs]) for k in keys})
        ratio = {}
        for k in keys:
            g, p = summary["gateway"][f"median_{k}"], summary[self.peer][f"median_{k}"]
            ratio[k] = g / p if g is not None and p else None
        return {"shape": shape, "runs": runs, "summary": summary,
                "ratio_gateway_to_peer": ratio}


def peer_sizes(args):
    """PEER_FULL or PEER_QUICK, with --peer-clients SCENARIO=N,... applied."""
    sizes = json.loads(json.dumps(PEER_QUICK if args.quick else PEER_FULL))
    for item in filter(None, (args.peer_clients or "").split(",")):
        name, _, count = item.partition("=")
        if name not in PEER_SCENARIOS or not count.isdigit() or int(count) < 1:
            raise ValueError(f"--peer-clients: expected SCENARIO=N with SCENARIO one of "
                             f"{','.join(PEER_SCENARIOS)} (got {item})")
        sizes[name]["clients"] = int(count)
    return sizes


def run_peer_comparison(args, b, only, reps):
    sizes = peer_sizes(args)
    sparse = sizes["sparse"]
    if "sparse" in only and sparse["clients"] % sizes["devices"]:
        b.say(f"note: {sparse['clients']} sparse clients are not a multiple of the "
              f"{sizes['devices']} devices; records match unevenly (device_fleet.h)")
    reps = args.reps or sizes["reps"]
    result = {"peer": args.peer, "version": PEERS[args.peer]["version"], "sizes": sizes,
              "reps": reps, "payload_bytes": PEER_PAYLOAD_BYTES, "scenarios": {}}
    kafka = None
    brokers = args.brokers
    try:
        if not brokers:
            kafka = Kafka(b)
            kafka.start()
            brokers = f"127.0.0.1:{kafka.port}"
        result["brokers"] = brokers
        p = PeerBench(b, args.peer, brokers, sizes, pin=not args.no_pin)
        result["pinned"] = ({"server_cpus": p.server_cpus, "others": p.other_cpus}
                            if p.pin else None)
        p.prepare()
        result["peer_binary"] = p.peer_binary
        result["peer_module"] = p.peer_module
        for scenario in PEER_SCENARIOS:
            if scenario not in only:
                continue
            try:
                result["scenarios"][scenario] = p.scenario(scenario, reps)
            except (ChildError, OSError, ValueError, KeyError, TypeError, ZeroDivisionError,
                    subprocess.SubprocessError) as e:
                result["scenarios"][scenario] = {"error": f"{type(e).__name__}: {e}"}
                b.say(f"peer comparison, {scenario} failed: {e}")
            finally:
                Child.kill_all()
    finally:
        if kafka is not None:
            kafka.stop()
    return result


def render_peer_markdown(report):
    pc = report["peer_comparison"]
    peer = pc["peer"]
    lines = [
        f"# Peer comparison: the gateway and {peer} {pc['version']} "
        f"({'quick smoke run' if report['options']['quick'] else 'full run'})",
        "",
        f"Started {report['started']}, {report['elapsed_s']:.0f} s. {pc['reps']} repetition(s) "
        f"per scenario and server (medians, range over repetitions). Both servers consume the "
        f"same kind of Kafka topic (broker {pc.get('brokers')}), fed by bin/device_simulator "
        f"with {pc['payload_bytes']}-byte device records (for {peer}: the same record as the "
        f"data of a publish command), read by bench_load_client. Server CPU per delivery = the "
        f"server's CPU time in the window over the deliveries the clients counted in it. "
        f"Ratio = gateway / {peer}. {peer}: `{pc.get('peer_binary')}` "
        f"(module {pc.get('peer_module')}).",
        "",
    ]
    m = report["machine"]
    pin = pc.get("pinned")
    lines += [f"Machine: {m.get('cpu_model')}, {m.get('nproc')} CPUs; git {m.get('git')}; load "
              f"average at start / end {m.get('loadavg_at_start')} / {m.get('loadavg_at_end')}; "
              + (f"servers pinned to CPU {pin['server_cpus']}, clients and producer to "
                 f"{pin['others']}." if pin else "no CPU pinning."), ""]
    for scenario in PEER_SCENARIOS:
        x = pc["scenarios"].get(scenario)
        if x is None:
            continue
        if "error" in x:
            lines += [f"## {scenario}: did not run", "", x["error"], ""]
            continue
        shape = x["shape"]
        g, p, r = x["summary"]["gateway"], x["summary"][peer], x["ratio_gateway_to_peer"]
        if scenario == "idle":
            lines += [f"## idle: {shape['clients']} connections", "",
                      f"| | gateway | {peer} | ratio |", "|---|---|---|---|",
                      f"| RSS per connection | {fmt(g['median_rss_per_connection_bytes'], 0)} B "
                      f"({fmt_range(g['range_rss_per_connection_bytes'], 0)}) | "
                      f"{fmt(p['median_rss_per_connection_bytes'], 0)} B "
                      f"({fmt_range(p['range_rss_per_connection_bytes'], 0)}) | "
                      f"{fmt(r['rss_per_connection_bytes'], 2, 'x')} |", ""]
            continue
        label = "all subscribed" if shape["fraction"] >= 1 else f"{shape['fraction']:.0%} match"
        lines += [f"## {scenario}: {shape['clients']} clients, {label}, {shape['rate']} "
                  f"records/s", "", f"| | gateway | {peer} | ratio |", "|---|---|---|---|"]
        for key, what, render in (
                ("deliveries_per_s", "deliveries/s", lambda v: fmt(v)),
                ("delivered_pct", "delivered of expected", lambda v: fmt(v, 1, " %")),
                ("server_cpu_utilisation", "server CPU",
                 lambda v: fmt(v and 100 * v, 0, " %")),
                ("server_cpu_us_per_delivery", "server CPU per delivery",
                 lambda v: fmt(v, 2, " µs")),
                ("p50_us", "latency p50", lambda v: ms(v, 2)),
                ("p99_us", "latency p99", lambda v: ms(v, 2)),
                ("client_cpu_utilisation", "load clients' CPU",
                 lambda v: fmt(v and 100 * v, 0, " %"))):
            lines.append(f"| {what} | {render(g['median_' + key])} | "
                         f"{render(p['median_' + key])} | {fmt(r[key], 2, 'x')} |")
        dropped = [(r.get("server_stats") or {}).get("dropped_messages")
                   for r in x["runs"]["gateway"]]
        lines += ["", f"Gateway /stats after each run: dropped_messages "
                      f"{', '.join(fmt(d, 0) for d in dropped)}.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def fmt(value, digits=1, unit=""):
    if value is None:
        return "n/a"
    if isinstance(value, float) and abs(value) >= 1000:
        return f"{value:,.0f}{unit}"
    return f"{value:,.{digits}f}{unit}"


def fmt_range(r, digits=1, unit=""):
    return "n/a" if not r else f"{fmt(r[0], digits, unit)} – {fmt(r[1], digits, unit)}"


def ms(us, digits=2):
    return fmt(us / 1000 if us is not None else None, digits, " ms")


def ms_range(r, digits=2):
    return fmt_range([x / 1000 for x in r] if r else None, digits, " ms")


def evaluate_targets(sc):
    rows = []

    def add(key, what, measured, rng, met, note=""):
        rows.append({"scenario": key, "target": what, "median": measured, "range": rng,
                     "met": met, "note": note})

    def not_run(key, what, entry):
        add(key, what, "n/a", "n/a", None, entry.get("error") or entry.get("skipped") or "")

    sparse = sc.get("sparse_fanout", {})
    if "error" in sparse:
        not_run("sparse_fanout", "1 % match: >= 65 % of the send() ceiling", sparse)
    for n, s in sparse.items():
        if not isinstance(s, dict) or "summary" not in s:
            continue
        m = s["summary"]
        pct = m["median_pct_of_ceiling"]
        add(f"sparse_fanout_{n}", f"{n} clients, 1 % match: >= 65 % of send() ceiling",
            fmt(pct, 1, " %"), fmt_range(m["range_pct_of_ceiling"], 1, " %"),
            pct is not None and pct >= 65,
            f"{fmt(m['median_deliveries_per_s'])} deliveries/s vs "
            f"{fmt(m['median_ceiling_frames_per_s'])} frames/s (paired runs)")
    d = sc.get("dense_fanout", {})
    if "summary" in d:
        m = d["summary"]
        pct = m["median_pct_of_ceiling"]
        add("dense_fanout", f"{d['clients']} clients all matching: >= 70 % of writev ceiling",
            fmt(pct, 1, " %"), fmt_range(m["range_pct_of_ceiling"], 1, " %"),
            pct is not None and pct >= 70,
            f"{fmt(m['median_deliveries_per_s'])} deliveries/s vs "
            f"{fmt(m['median_ceiling_frames_per_s'])} frames/s; "
            f"{fmt(m.get('pct_of_send_ceiling'), 0)} % of the send() ceiling")
    elif d:
        not_run("dense_fanout", ">= 70 % of the writev ceiling", d)
    k = sc.get("broker_latency", {})
    if "summary" in k:
        m = k["summary"]
        add("broker_latency_p50", "producer -> client at 30 % load: p50 <= 3 ms",
            ms(m["median_p50_us"]), ms_range(m["range_p50_us"]),
            m["median_p50_us"] is not None and m["median_p50_us"] <= 3000)
        add("broker_latency_p99", "producer -> client at 30 % load: p99 <= 10 ms",
            ms(m["median_p99_us"]), ms_range(m["range_p99_us"]),
            m["median_p99_us"] is not None and m["median_p99_us"] <= 10000)
    elif k:
        not_run("broker_latency", "producer -> client p50 <= 3 ms, p99 <= 10 ms", k)
    g = sc.get("gateway_leg", {})
    if "summary" in g:
        m = g["summary"]
        add("gateway_leg_p99", "process() -> client at 30 % load: p99 <= 1 ms",
            ms(m["median_p99_us"], 3), ms_range(m["range_p99_us"], 3),
            m["median_p99_us"] is not None and m["median_p99_us"] <= 1000,
            f"p50 {ms(m['median_p50_us'], 3)}")
    elif g:
        not_run("gateway_leg", "p99 <= 1 ms", g)
    i = sc.get("idle_memory", {})
    if "summary" in i:
        m = i["summary"]
        v = m["median_rss_per_connection_bytes"]
        add("idle_memory", f"{i['connections']} idle connections: <= 2 KiB RSS each",
            fmt(v and v / 1024, 2, " KiB"),
            fmt_range(m["range_rss_per_connection_bytes"] and
                      [x / 1024 for x in m["range_rss_per_connection_bytes"]], 2, " KiB"),
            v is not None and v <= 2048,
            f"anonymous {fmt(m['median_rss_anon_per_connection_bytes'], 0)} B/connection")
    elif i:
        not_run("idle_memory", "<= 2 KiB RSS per connection", i)
    s = sc.get("slow_clients", {})
    if "summary" in s:
        m = s["summary"]
        ch = m["p99_change_pct"]
        add("slow_clients", "fast clients' p99 within +10 % with 10 % stalled clients",
            fmt(ch, 1, " %"), fmt_range(m["range_p99_change_pct_paired"], 1, " %"),
            ch is not None and ch <= 10,
            f"p99 {ms(m['without']['median_p99_us'], 3)} without, "
            f"{ms(m['with']['median_p99_us'], 3)} with")
    elif s:
        not_run("slow_clients", "p99 within +10 %", s)
    c = sc.get("compression", {})
    if "summary" in c:
        m = c["summary"]
        r = m["ratio"]
        add("compression", "server CPU per delivery, on <= 3x off", fmt(r, 2, "x"),
            fmt_range(m["range_ratio_paired"], 2, "x"), r is not None and r <= 3,
            f"{fmt(m['median_cpu_us_per_frame_off'], 2, ' µs')} off, "
            f"{fmt(m['median_cpu_us_per_frame_on'], 2, ' µs')} on")
    elif c:
        not_run("compression", "on <= 3x off", c)
    sl = sc.get("stalled_latest", {})
    if "summary" in sl:
        m = sl["summary"]
        ch = m["p99_change_pct"]
        depth = m["max_latest_queue_depth"]
        add("stalled_latest", "fast clients' p99 within +10 % with 10 % stalled \"latest\" "
            f"clients; their queues <= {sl['devices']} frames (one per device)",
            fmt(ch, 1, " %"), fmt_range(m["range_p99_change_pct_paired"], 1, " %"),
            ch is not None and ch <= 10 and depth <= sl["devices"] and
            m["latest_clients_seen"] > 0,
            f"p99 {ms(m['without']['median_p99_us'], 3)} without, "
            f"{ms(m['with']['median_p99_us'], 3)} with; deepest stalled queue {depth}; "
            f"conflated_messages {fmt(m['conflated_messages'], 0)}")
    elif sl:
        not_run("stalled_latest", "p99 within +10 %, queues bounded by the devices", sl)
    h = sc.get("hostile", {})
    if "summary" in h:
        m = h["summary"]
        r = m["p99_ratio"]
        add("hostile", f"good clients' p99 with {h['hostile_connections']} hostile connections "
            f"<= 2x without; 0 of {h['good_clients']} good clients disconnected",
            fmt(r, 2, "x"), fmt_range(m["range_p99_ratio"], 2, "x"),
            r is not None and r <= 2 and m["good_disconnected"] == 0 and
            m["good_ready"] == h["good_clients"],
            f"p99 {ms(m['p99_us_without'], 3)} without, {ms(m['p99_us_with'], 3)} with; "
            f"good clients disconnected: {m['good_disconnected']}")
    elif h:
        not_run("hostile", "p99 <= 2x baseline, no good client disconnected", h)
    return rows


def render_markdown(report):
    m = report["machine"]
    sc = report["scenarios"]
    lines = [
        f"# Benchmark report ({'quick smoke run' if report['options']['quick'] else 'full run'})",
        "",
        f"Started {report['started']}, {report['elapsed_s']:.0f} s. {report['options']['reps']} "
        f"repetition(s) per scenario; medians, and the range over repetitions.",
        "",
        "| machine | |",
        "|---|---|",
        f"| CPU | {m.get('cpu_model')}, {m.get('nproc')} logical CPUs, {m.get('memory_gib')} GiB |",
        f"| kernel | {m.get('kernel')} |",
        f"| gcc / Boost / librdkafka | {m.get('gcc')} / {m.get('boost')} / {m.get('librdkafka')} |",
        f"| git | {m.get('git')} |",
        f"| load average at start / end | {m.get('loadavg_at_start')} / {m.get('loadavg_at_end')} |",
        "",
        "## Targets",
        "",
        "| scenario | target | median | range | met | note |",
        "|---|---|---|---|---|---|",
    ]
    for t in report["targets"]:
        met = {True: "yes", False: "**no**", None: "not run"}[t["met"]]
        lines.append(f"| {t['scenario']} | {t['target']} | {t['median']} | {t['range']} | {met} "
                     f"| {t['note']} |")
    lines += ["", "## Details", ""]
    fs = sc.get("frame_size", {})
    if "frame_bytes" in fs:
        lines += [f"Typical device_data frame: {fs['frame_bytes']} bytes of JSON, "
                  f"{fs['wire_frame_bytes']} bytes on the wire (the probe's frame size).", ""]
    rows = []
    for n, s in sc.get("sparse_fanout", {}).items():
        if isinstance(s, dict) and "summary" in s:
            rows.append((f"sparse: {n} clients, 1 % match", "send()", s["summary"]))
    if "summary" in sc.get("dense_fanout", {}):
        d = sc["dense_fanout"]
        rows.append((f"dense: {d['clients']} clients, all match", "writev x8", d["summary"]))
    if rows:
        lines += ["Fan-out at maximum rate (each repetition paired with a ceiling run just before "
                  "it; latency here is queueing at saturation, not a target):", "",
                  "| scenario | events/s | deliveries/s (range) | ceiling | ceiling frames/s "
                  "(range) | % of ceiling (range) | gateway CPU | client CPU | gateway CPU/frame "
                  "| p99 | dropped |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for label, kind, x in rows:
            lines.append(
                f"| {label} | {fmt(x['median_events_per_s'])} | "
                f"{fmt(x['median_deliveries_per_s'])} ({fmt_range(x['range_deliveries_per_s'])}) | "
                f"{kind} | {fmt(x['median_ceiling_frames_per_s'])} "
                f"({fmt_range(x['range_ceiling_frames_per_s'])}) | "
                f"{fmt(x['median_pct_of_ceiling'])} % ({fmt_range(x['range_pct_of_ceiling'])}) | "
                f"{fmt(x['median_gateway_cpu_utilisation'] and 100 * x['median_gateway_cpu_utilisation'], 0)} % | "
                f"{fmt(x['median_client_cpu_utilisation'] and 100 * x['median_client_cpu_utilisation'], 0)} % | "
                f"{fmt(x['median_gateway_cpu_us_per_frame'], 2)} µs | {ms(x['median_p99_us'], 0)} | "
                f"{x['dropped_messages']} |")
        if "summary" in sc.get("dense_fanout", {}):
            x = sc["dense_fanout"]["summary"]
            lines += ["", f"Dense reference: one send() per frame with "
                          f"{sc['dense_fanout']['clients']} sockets moves "
                          f"{fmt(x.get('send_ceiling_frames_per_s'))} frames/s; the gateway "
                          f"reaches {fmt(x.get('pct_of_send_ceiling'), 0)} % of that."]
        lines.append("")
    cal = sc.get("calibration", {})
    if "events_per_s" in cal:
        lines += [f"Calibration ({cal['clients']} clients, {cal['match_fraction']:.0%} match, "
                  f"max rate): {fmt(cal['events_per_s'])} events/s, "
                  f"{fmt(cal['deliveries_per_s'])} deliveries/s; 30 % load = "
                  f"{fmt(cal['rate_30pct'], 0)} events/s.", ""]
    lat_rows = []
    if "summary" in sc.get("gateway_leg", {}):
        lat_rows.append(("gateway leg: process() -> client", sc["gateway_leg"]))
    if "summary" in sc.get("broker_latency", {}):
        lat_rows.append(("producer -> Kafka -> consumer -> client", sc["broker_latency"]))
    if lat_rows:
        lines += ["| latency at ~30 % load | events/s | p50 (range) | p99 (range) | p99.9 | max "
                  "| deliveries/s |", "|---|---|---|---|---|---|---|"]
        for label, s in lat_rows:
            x = s["summary"]
            lines.append(
                f"| {label} | {fmt(s['rate'], 0)} | {ms(x['median_p50_us'], 3)} "
                f"({ms_range(x['range_p50_us'], 3)}) | {ms(x['median_p99_us'], 3)} "
                f"({ms_range(x['range_p99_us'], 3)}) | {ms(x['median_p999_us'], 3)} | "
                f"{ms(x['median_max_us'])} | {fmt(x['median_deliveries_per_s'])} |")
        k = sc.get("broker_latency", {})
        for run in k.get("runs", []):
            lines.append(f"\nBroker run {run['id']}: simulator `{run.get('simulator')}`; consumer "
                         f"/stats {json.dumps(run.get('consumer_stats'))}")
        lines.append("")
    for key, label in (("idle_memory", "Idle memory"),
                       ("idle_memory_compression",
                        "Idle memory with the clients negotiating permessage-deflate")):
        i = sc.get(key, {})
        if "summary" in i:
            x = i["summary"]
            lines += [f"{label}: {i['connections']} connections in one process, "
                      f"{fmt(x['median_rss_per_connection_bytes'], 0)} bytes RSS per connection "
                      f"(range {fmt_range(x['range_rss_per_connection_bytes'], 0)}), "
                      f"{fmt(x['median_rss_anon_per_connection_bytes'], 0)} bytes of it "
                      f"anonymous (heap).", ""]
    s = sc.get("slow_clients", {})
    if "summary" in s:
        x = s["summary"]
        lines += [f"Slow clients at {fmt(s['rate'], 0)} events/s, 10 % stalled with the same "
                  f"filters: fast clients' p50/p99 {ms(x['without']['median_p50_us'], 3)} / "
                  f"{ms(x['without']['median_p99_us'], 3)} without, "
                  f"{ms(x['with']['median_p50_us'], 3)} / {ms(x['with']['median_p99_us'], 3)} with; "
                  f"stalled clients' queues full at the end (median): "
                  f"{fmt(x.get('full_queues_with'), 0)}, frames dropped: {x['dropped_with']}, "
                  f"clients closed by the gateway (median): "
                  f"{fmt(x.get('clients_closed_with'), 0)}.", ""]
        o = s.get("overflow_variant", {})
        if "with" in o:
            lines += [f"Overflow variant (for information, 1 run each, window {o['window_s']:.0f} s "
                      f"from {o['warmup_s']:.0f} s after go; the stalled clients subscribe to "
                      f"everything):", "",
                      "| | fast p50 | fast p99 | fast p99.9 | gateway CPU | frames written | "
                      "dropped | clients closed by the gateway |",
                      "|---|---|---|---|---|---|---|---|"]
            for label in ("without", "with"):
                v = o[label]
                lines.append(f"| {label} stalled clients | {ms(v['p50_us'], 3)} | "
                             f"{ms(v['p99_us'], 3)} | {ms(v['p999_us'], 3)} | "
                             f"{fmt(v['cpu_utilisation'] and 100 * v['cpu_utilisation'], 0)} % | "
                             f"{fmt(v['frames_sent'], 0)} | {v['dropped']} | "
                             f"{v['clients_closed']} |")
            lines.append("")
    c = sc.get("compression", {})
    if "summary" in c:
        x = c["summary"]
        lines += [f"Compression at {fmt(c['rate'], 0)} events/s: gateway CPU per frame "
                  f"{fmt(x['median_cpu_us_per_frame_off'], 2)} µs off "
                  f"({fmt_range(x['range_cpu_us_per_frame_off'], 2)}), "
                  f"{fmt(x['median_cpu_us_per_frame_on'], 2)} µs on "
                  f"({fmt_range(x['range_cpu_us_per_frame_on'], 2)}); connections that negotiated "
                  f"permessage-deflate: {fmt(x.get('connections_compressed_on'), 0)}; p99 "
                  f"{ms(x['median_p99_us_off'], 3)} off, {ms(x['median_p99_us_on'], 3)} on.", ""]
    sl = sc.get("stalled_latest", {})
    if "summary" in sl:
        x = sl["summary"]
        lines += [f"Stalled \"latest\" clients at {fmt(sl['rate'], 0)} events/s over "
                  f"{sl['devices']} devices ({sl['fast_clients']} fast clients, "
                  f"{sl['stalled_clients']} stalled ones subscribing to every device with "
                  f"`\"delivery\":\"latest\"`; warm-up {sl['warmup_s']:.0f} s, window "
                  f"{sl['window_s']:.0f} s): fast clients' p50/p99 "
                  f"{ms(x['without']['median_p50_us'], 3)} / "
                  f"{ms(x['without']['median_p99_us'], 3)} without, "
                  f"{ms(x['with']['median_p50_us'], 3)} / {ms(x['with']['median_p99_us'], 3)} "
                  f"with ({fmt(x['p99_change_pct'], 1, ' %')}); /stats conflated_messages at the "
                  f"end {fmt(x['conflated_messages'], 0)} ({fmt(x['conflated_in_window'], 0)} in "
                  f"the window); deepest queue of a stalled client (/stats, sampled every "
                  f"0.25 s): {x['max_latest_queue_depth']} frames for {sl['devices']} devices; "
                  f"frames dropped: {x['dropped_with']}; clients closed by the gateway (median): "
                  f"{fmt(x['clients_closed_with'], 0)}.", ""]
    h = sc.get("hostile", {})
    if "summary" in h:
        x = h["summary"]
        gws = h["gateway_settings"]
        lines += [f"Hostile clients at {fmt(h['rate'], 0)} events/s, auth.mode token, "
                  f"handshake_timeout {gws['handshake_timeout_s']} s, max_message_size "
                  f"{gws['max_message_size']}, max_client_messages_per_second "
                  f"{gws['max_client_messages_per_second']}; {h['good_clients']} good clients; "
                  f"{h['reps']} run(s) of two windows of {h['window_s']:.0f} s after "
                  f"{h['warmup_s']:.0f} s, the second {h['ramp_s']:.0f} s after the hostile "
                  f"connections started (medians over the runs):", "",
                  "| | good p50 | good p99 | good deliveries/s | good clients disconnected | "
                  "gateway CPU |", "|---|---|---|---|---|---|",
                  f"| without hostile connections | {ms(x['p50_us_without'], 3)} | "
                  f"{ms(x['p99_us_without'], 3)} | {fmt(x['good_deliveries_per_s_without'])} | "
                  f"{x['good_disconnected_without']} | "
                  f"{fmt(100 * x['gateway_cpu_without'], 0)} % |",
                  f"| with {h['hostile_connections']} hostile connections | "
                  f"{ms(x['p50_us_with'], 3)} | {ms(x['p99_us_with'], 3)} | "
                  f"{fmt(x['good_deliveries_per_s_with'])} | {x['good_disconnected']} | "
                  f"{fmt(100 * x['gateway_cpu_with'], 0)} % |", "",
                  f"p99 ratio {fmt(x['p99_ratio'], 2, 'x')} (range "
                  f"{fmt_range(x['range_p99_ratio'], 2, 'x')}). The hostile connections of run "
                  f"{x['kinds_from_run']} (the median ratio), from their "
                  f"start to the end of the second window (attempts: TCP connects; refused: a "
                  f"status other than 101; cut: the gateway hung up before the upgrade; closed: "
                  f"upgraded, then ended by the gateway):", "",
                  "| kind | connections | attempts | refused | cut before upgrade (mean time "
                  "held) | upgraded | closed | rate_limited errors | open at end | outcomes |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for kind, k in x["hostile_since_start"].items():
            outcomes = ", ".join(f"{what}: {n}" for what, n in
                                 sorted(k["outcomes"].items(), key=lambda item: -item[1]))
            lines.append(f"| {kind} | {k['connections']} | {k['attempts']} | {k['refused']} | "
                         f"{k['closed_before_upgrade']}"
                         + (f" ({fmt(k['mean_handshake_held_ms'] / 1000, 1, ' s')})"
                            if k['closed_before_upgrade'] else "") +
                         f" | {k['upgraded']} | {k['closed']} | "
                         f"{k['rate_limited_errors']} | {k['open_now']} | {outcomes} |")
        lines += ["", f"The gateway in the second window: {x['gateway_accepted_in_window']} "
                      f"connections accepted, {x['gateway_refused_in_window']} handshakes "
                      f"refused, {x['dropped_in_window']} frames dropped (never-reading "
                      f"clients' queues). The hostile client itself used "
                      f"{fmt(x['hostile_client_cpu_in_window'] and 100 * x['hostile_client_cpu_in_window'], 0)} "
                      f"% of a CPU of the same machine.", ""]
    problems = [(k, v.get("error") or v.get("skipped")) for k, v in sc.items()
                if isinstance(v, dict) and ("error" in v or "skipped" in v)]
    if problems:
        lines += ["## Scenarios that did not run", ""]
        lines += [f"- {k}: {why}" for k, why in problems]
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

SCENARIOS = ["sparse", "dense", "latency", "broker", "idle", "slow", "compression", "hostile",
             "stalled_latest"]
# Run only when named with --only, or with --all: they add a minute or more to a full run. The
# smoke run (ctest bench_smoke) names them with --all (about 30 s more with --quick).
OPT_IN_SCENARIOS = {"hostile", "stalled_latest"}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repetition: a smoke run")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"),
                        help="where report.json, report.md, logs/ and runs/ go")
    parser.add_argument("--bin", default=str(ROOT / "bin"),
                        help="folder of bench_*, consumer and device_simulator")
    parser.add_argument("--reps", type=int, help="repetitions (default 3; --quick 1)")
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(SCENARIOS) +
                        " (default: all but " + ",".join(sorted(OPT_IN_SCENARIOS)) + ")")
    parser.add_argument("--all", action="store_true",
                        help="every scenario, " + ",".join(sorted(OPT_IN_SCENARIOS)) +
                             " included (the smoke run uses it)")
    parser.add_argument("--skip-broker", action="store_true",
                        help="leave out the scenario that needs Kafka")
    parser.add_argument("--profile", action="store_true",
                        help="record each bench_gateway run with `perf record -e cpu-clock -g` "
                             "into OUT/profiles (perf report -i FILE --no-children)")
    parser.add_argument("--peer", choices=sorted(PEERS),
                        help="instead of the gateway-only scenarios, run " +
                             ",".join(PEER_SCENARIOS) + " through Kafka against the gateway "
                             "(bin/consumer) and this peer server, and report both and their "
                             "ratio (docs/performance.md)")
    parser.add_argument("--peer-clients",
                        help="with --peer: client counts instead of the defaults, e.g. "
                             "dense=500,sparse=2000,idle=5000")
    parser.add_argument("--no-pin", action="store_true",
                        help="with --peer: do not pin the server to the first CPU and the "
                             "clients and producer to the others")
    parser.add_argument("--brokers",
                        help="with --peer: an existing Kafka broker (host:port) to create the "
                             "run's topics on; default: start one with scripts/kafka.sh")
    args = parser.parse_args()

    sizes = QUICK if args.quick else FULL
    reps = args.reps or sizes["reps"]
    names = PEER_SCENARIOS if args.peer else SCENARIOS
    only = (set(args.only.split(",")) if args.only else
            set(names) - (set() if args.peer or args.all else OPT_IN_SCENARIOS))
    if args.all and (args.only or args.peer):
        parser.error("--all goes without --only and --peer")
    unknown = only - set(names)
    if unknown:
        parser.error(f"unknown scenarios{' for --peer' if args.peer else ''}: "
                     f"{', '.join(sorted(unknown))}")
    if args.skip_broker:
        only.discard("broker")
    if (args.brokers or args.peer_clients or args.no_pin) and not args.peer:
        parser.error("--brokers, --peer-clients and --no-pin go with --peer")
    if args.peer:
        try:
            peer_sizes(args)
        except ValueError as e:
            parser.error(str(e))

    b = Bench(args, sizes)
    if args.peer:
        return main_peer(args, b, only)
    needed = ["bench_gateway", "bench_load_client"]
    if only & {"sparse", "dense"}:
        needed.append("bench_ceiling_probe")
    if "broker" in only:
        needed += ["consumer", "device_simulator"]
    if "hostile" in only:
        needed.append("bench_hostile_client")
    missing = [n for n in needed if not b.tool(n).exists()]
    if missing:
        print(f"run.py: missing {', '.join(missing)} in {b.bin}; build first:\n"
              f"  cmake --preset release && cmake --build --preset release", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, on_signal)
    started = time.time()
    report = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine_info(),
              "options": {"quick": args.quick, "reps": reps, "sizes": sizes,
                          "scenarios": sorted(only),
                          "gateway_worker_count": GATEWAY_WORKERS,
                          "load_client_threads": LOAD_CLIENT_THREADS,
                          "load_fraction": LOAD_FRACTION,
                          "compression_load_fraction": COMPRESSION_LOAD_FRACTION},
              "targets_text": TARGETS,
              "scenarios": {}}
    sc = report["scenarios"]
    failed = False

    def attempt(key, fn):
        nonlocal failed
        try:
            sc[key] = fn()
        except (ChildError, OSError, ValueError, KeyError, TypeError, ZeroDivisionError,
                subprocess.SubprocessError) as e:
            failed = True
            sc[key] = {"error": f"{type(e).__name__}: {e}"}
            b.say(f"{key} failed: {e}")
        finally:
            Child.kill_all()

    try:
        attempt("frame_size", lambda: scenario_frame_size(b))
        if "sparse" in only:
            attempt("sparse_fanout", lambda: scenario_sparse(b, reps))
        if "dense" in only:
            attempt("dense_fanout", lambda: scenario_dense(b, reps))

        rate = None
        if only & {"latency", "broker", "slow", "compression", "hostile", "stalled_latest"}:
            def calibration():
                b.say(f"calibration: {sizes['latency_clients']} clients, "
                      f"{sizes['latency_fraction']:.0%} match, max rate")
                run = b.calibrate("calibration", sizes["latency_clients"],
                                  sizes["latency_fraction"])
                return {"clients": sizes["latency_clients"],
                        "match_fraction": sizes["latency_fraction"],
                        "events_per_s": run["gateway"]["injected_per_s"],
                        "deliveries_per_s": run["clients"]["fast"]["deliveries_per_s"],
                        "rate_30pct": LOAD_FRACTION * run["gateway"]["injected_per_s"],
                        "run": run}
            attempt("calibration", calibration)
            rate = sc["calibration"].get("rate_30pct")
        if rate:
            if "latency" in only:
                attempt("gateway_leg", lambda: scenario_gateway_leg(b, reps, rate))
            if "broker" in only:
                attempt("broker_latency", lambda: scenario_broker_latency(b, reps, rate))
        if "idle" in only:
            attempt("idle_memory", lambda: scenario_idle(b, reps))
            attempt("idle_memory_compression", lambda: scenario_idle(b, 1, compression="on"))
        if rate:
            if "slow" in only:
                attempt("slow_clients", lambda: scenario_slow_clients(b, reps, rate))
            if "compression" in only:
                attempt("compression", lambda: scenario_compression(
                    b, reps, rate * COMPRESSION_LOAD_FRACTION / LOAD_FRACTION))
            if "stalled_latest" in only:
                attempt("stalled_latest", lambda: scenario_stalled_latest(b, reps, rate))
            if "hostile" in only:
                attempt("hostile", lambda: scenario_hostile(b, reps, rate))
        if args.skip_broker:
            sc["broker_latency"] = {"skipped": "--skip-broker"}
    except KeyboardInterrupt as e:
        failed = True
        report["interrupted"] = str(e) or "interrupted"
        print("run.py: interrupted; cleaning up", file=sys.stderr)
    finally:
        Child.kill_all()

    report["machine"]["loadavg_at_end"] = loadavg()
    report["elapsed_s"] = time.time() - started
    report["targets"] = evaluate_targets(sc)
    (b.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(report)
    (b.out / "report.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nwritten: {b.out / 'report.json'}, {b.out / 'report.md'}")
    return 1 if failed else 0


def main_peer(args, b, only):
    needed = ["bench_load_client", "consumer", "device_simulator"]
    missing = [n for n in needed if not b.tool(n).exists()]
    if missing:
        print(f"run.py: missing {', '.join(missing)} in {b.bin}; build first:\n"
              f"  cmake --preset release && cmake --build --preset release --target "
              f"{' '.join(needed)}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_signal)
    started = time.time()
    report = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine_info(),
              "options": {"quick": args.quick, "peer": args.peer, "scenarios": sorted(only),
                          "load_client_threads": LOAD_CLIENT_THREADS}}
    failed = False
    try:
        report["peer_comparison"] = run_peer_comparison(args, b, only, args.reps)
        failed = any("error" in x for x in report["peer_comparison"]["scenarios"].values())
    except (ChildError, OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        failed = True
        report["peer_comparison"] = {"error": f"{type(e).__name__}: {e}"}
        b.say(f"peer comparison failed: {e}")
    except KeyboardInterrupt as e:
        failed = True
        report["interrupted"] = str(e) or "interrupted"
        print("run.py: interrupted; cleaning up", file=sys.stderr)
    finally:
        Child.kill_all()
    report["machine"]["loadavg_at_end"] = loadavg()
    report["elapsed_s"] = time.time() - started
    (b.out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    pc = report.get("peer_comparison", {})
    if "scenarios" in pc:
        markdown = render_peer_markdown(report)
    else:
        markdown = (f"# Peer comparison did not run\n\n"
                    f"{pc.get('error') or report.get('interrupted')}")
    (b.out / "report.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nwritten: {b.out / 'report.json'}, {b.out / 'report.md'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
