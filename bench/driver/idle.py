"""The idle memory scenario: RSS per idle connection in one gateway process."""

import json

from driver.repetitions import median, value_range


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
