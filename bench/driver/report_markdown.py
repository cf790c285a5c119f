"""report.md of a gateway run: the machine, the targets table and each scenario's details."""

import json

from driver.formatting import fmt, fmt_range, ms, ms_range


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
    t = sc.get("tls", {})
    if "summary" in t:
        x = t["summary"]
        lines += [f"TLS at {fmt(t['rate'], 0)} events/s, {t['clients']} clients, "
                  f"{fmt(100 * t['match_fraction'], 0)} % match: gateway CPU per delivery "
                  f"{fmt(x['median_cpu_us_per_frame_plain'], 2)} µs over ws:// "
                  f"({fmt_range(x['range_cpu_us_per_frame_plain'], 2)}), "
                  f"{fmt(x['median_cpu_us_per_frame_tls'], 2)} µs over wss:// "
                  f"({fmt_range(x['range_cpu_us_per_frame_tls'], 2)}): "
                  f"{fmt(x['ratio'], 2)}x (paired {fmt_range(x['range_ratio_paired'], 2)}); "
                  f"p99 {ms(x['median_p99_us_plain'], 3)} plain, "
                  f"{ms(x['median_p99_us_tls'], 3)} TLS.", ""]
    elif t:
        lines += [f"TLS: not run ({t.get('error', t)}).", ""]
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
