"""Bench: one run of a scenario: a gateway (bench_gateway), load clients (bench_load_client) and
the ceiling probe (bench_ceiling_probe), with their command lines, logs and JSON results under
--out."""

import datetime
import json
import subprocess
from pathlib import Path

from driver.children import Child, ChildError, load_json, parse_fields
from driver.latency_histogram import merge_latency
from driver.machine import loadavg
from driver.sizes import GATEWAY_WORKERS, LOAD_CLIENT_THREADS


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
                      warmup=None, duration=None, extra=(), label=None, wrap=None):
        """Load-client processes of at most max_clients_per_process connections each. label
        (default: tag) names them in their reports; wrap(argv) may prefix their command line."""
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
                    "--wait-go", "--label", label or tag, "--json-out", self.runs / f"{name}.json",
                    *extra]
            if wrap:
                argv = wrap(argv)
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
                    devices=None, sampler=None, config=None):
        """groups: [(count, fraction, mode, client_compression, tag[, extra client argv])].
        sampler: a StatsSampler class, run against the gateway's /stats from go to DONE.
        config: a gateway configuration file for bench_gateway --config.
        Returns the run record."""
        run_id = self.next_id(name)
        warmup = warmup if warmup is not None else self.sizes["warmup_s"]
        duration = duration or self.sizes["duration_s"]
        children = []
        try:
            gw, port = self.start_gateway(run_id, rate=rate, compression=compression,
                                          warmup=warmup, duration=duration, devices=devices,
                                          config=config)
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
