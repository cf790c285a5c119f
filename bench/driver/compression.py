"""The compression scenario: server CPU per delivery with permessage-deflate on and off."""

from driver.repetitions import latency_summary, median, value_range


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
