"""The targets of docs/performance.md and whether a run met them."""

from driver.formatting import fmt, fmt_range, ms, ms_range


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
