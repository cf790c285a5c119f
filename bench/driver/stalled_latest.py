"""The stalled "latest" clients scenario, and the /stats sampler that watches their queues."""

import json
import threading

from driver.loopback import http_get
from driver.repetitions import median, p99_change, value_range


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
    a, w, change, per_rep = p99_change(without, with_slow)
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
