"""Merges the load clients' latency histograms with the bucket arithmetic of
bench/support/latency_recorder.cpp."""


def bucket_upper(bucket, sub_bits):
    """The upper bound of a LatencyRecorder bucket (bench/support/latency_recorder.cpp)."""
    if bucket < (2 << sub_bits):
        return bucket
    shift = (bucket >> sub_bits) - 1
    sub = bucket & ((1 << sub_bits) - 1)
    lower = ((1 << sub_bits) | sub) << shift
    return lower + (1 << shift) - 1


def merge_latency(latencies):
    """Merges the histograms of several load-client processes; percentiles in microseconds."""
    counts = {}
    total = 0
    max_ns = 0.0
    sub_bits = 5
    for lat in latencies:
        sub_bits = lat.get("sub_bits", sub_bits)
        max_ns = max(max_ns, lat.get("max_us", 0) * 1000)
        for bucket, count in lat.get("buckets", []):
            counts[bucket] = counts.get(bucket, 0) + count
            total += count
    result = {"count": total, "max_us": max_ns / 1000}
    ordered = sorted(counts.items())
    for name, q in (("p50_us", 0.50), ("p99_us", 0.99), ("p999_us", 0.999)):
        if total == 0:
            result[name] = None
            continue
        rank = int(q * (total - 1)) + 1
        seen = 0
        for bucket, count in ordered:
            seen += count
            if seen >= rank:
                result[name] = min(bucket_upper(bucket, sub_bits), max_ns) / 1000
                break
    return result
