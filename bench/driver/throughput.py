"""Throughput scenarios: sparse and dense fan-out at maximum rate, each repetition paired with
a raw ceiling run; and the size of a typical frame."""

from driver.repetitions import median, value_range
from driver.sizes import SPARSE_FRACTION


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
