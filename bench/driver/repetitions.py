"""Figures over the repetitions of a scenario: medians, ranges, latency summaries."""

import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def value_range(values):
    values = [v for v in values if v is not None]
    return [min(values), max(values)] if values else None


def latency_summary(runs, tag="fast"):
    p50 = [r["clients"][tag]["latency"]["p50_us"] for r in runs]
    p99 = [r["clients"][tag]["latency"]["p99_us"] for r in runs]
    p999 = [r["clients"][tag]["latency"]["p999_us"] for r in runs]
    mx = [r["clients"][tag]["latency"]["max_us"] for r in runs]
    return {"median_p50_us": median(p50), "range_p50_us": value_range(p50),
            "median_p99_us": median(p99), "range_p99_us": value_range(p99),
            "median_p999_us": median(p999), "median_max_us": median(mx),
            "median_deliveries_per_s": median([r["clients"][tag]["deliveries_per_s"]
                                               for r in runs])}


def p99_change(without, with_slow):
    """The fast clients' latency without and with the stalled ones: both summaries, the change
    of the median p99 in %, and the change of each paired repetition."""
    a = latency_summary(without)
    w = latency_summary(with_slow)
    change = (100 * (w["median_p99_us"] / a["median_p99_us"] - 1)
              if a["median_p99_us"] and w["median_p99_us"] else None)
    per_rep = [100 * (y["clients"]["fast"]["latency"]["p99_us"] /
                      x["clients"]["fast"]["latency"]["p99_us"] - 1)
               for x, y in zip(without, with_slow)
               if x["clients"]["fast"]["latency"]["p99_us"] and
               y["clients"]["fast"]["latency"]["p99_us"]]
    return a, w, change, per_rep
