"""Latency scenarios at ~30 % load: the gateway leg (process() -> client), slow clients, and
producer -> Kafka -> consumer -> client through a broker of the run's own."""

import json
import os
import signal
import time

from driver.children import Child, ChildError
from driver.kafka import Kafka
from driver.loopback import free_port, http_get
from driver.machine import loadavg
from driver.repetitions import latency_summary, median, p99_change, value_range


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
    a, w, change, per_rep = p99_change(without, with_slow)
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
