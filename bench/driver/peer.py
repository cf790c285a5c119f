"""Peer comparison (--peer centrifugo): the same scenarios, through the same Kafka topics and the
same producer, against the gateway (bin/consumer) and against a peer server, in one run."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from driver import ROOT
from driver.children import Child, ChildError, load_json
from driver.kafka import Kafka
from driver.loopback import free_port, http_get
from driver.machine import command_output, loadavg
from driver.repetitions import median, value_range


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
        s = self.sizes
        if server_kind == "gateway":
            protocol = ["--protocol", "gateway"]
        else:
            protocol = ["--protocol", "centrifugo", "--path", "/connection/websocket",
                        "--centrifugo-all-channel", PEER_ALL_CHANNEL,
                        "--centrifugo-device-prefix", PEER_DEVICE_CHANNEL]
        return self.b.start_clients(run_id, port, count, fraction, mode, id_prefix="sensor-",
                                    id_base=1, devices=s["devices"], warmup=s["warmup_s"],
                                    duration=s["duration_s"], extra=protocol, label=server_kind,
                                    wrap=lambda argv: self.pinned(argv, False))

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
