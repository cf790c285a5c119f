"""report.md of a peer comparison (--peer)."""

from driver.formatting import fmt, fmt_range, ms
from driver.peer import PEER_SCENARIOS


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


def render_peer_report(report):
    """report.md of --peer: the comparison, or why it did not run."""
    pc = report.get("peer_comparison", {})
    if "scenarios" in pc:
        return render_peer_markdown(report)
    return (f"# Peer comparison did not run\n\n"
            f"{pc.get('error') or report.get('interrupted')}")
