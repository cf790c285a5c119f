#!/usr/bin/env python3
"""The benchmark driver: runs every scenario of docs/performance.md and writes report.json and
report.md.

    python3 bench/run.py [--quick] [--out bench/results]
    python3 bench/run.py --only hostile,stalled_latest,tls [--quick]  (not in the default set)
    python3 bench/run.py --all [--quick]                           (every scenario)
    python3 bench/run.py --peer centrifugo [--only dense,sparse,idle,latency] [--quick]
                         [--peer-clients dense=N,sparse=N,...] [--brokers HOST:PORT]

It builds nothing: run `cmake --preset release && cmake --build --preset release` first (the
binaries are taken from bin/, or --bin). Loopback only. Every child process runs in its own
process group and is killed when its run ends, and again at exit, whatever happened; every wait
has a deadline. Python 3 standard library only.
"""

import argparse
import datetime
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

# The driver's modules sit beside this file, in bench/driver/, whatever the working directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from driver import ROOT  # noqa: E402
from driver.children import Child, ChildError, on_signal  # noqa: E402
from driver.compression import scenario_compression  # noqa: E402
from driver.harness import Bench  # noqa: E402
from driver.hostile import scenario_hostile  # noqa: E402
from driver.idle import scenario_idle  # noqa: E402
from driver.latency import (scenario_broker_latency, scenario_gateway_leg,  # noqa: E402
                            scenario_slow_clients)
from driver.machine import loadavg, machine_info  # noqa: E402
from driver.peer import PEER_SCENARIOS, PEERS, peer_sizes, run_peer_comparison  # noqa: E402
from driver.peer_markdown import render_peer_report  # noqa: E402
from driver.report_markdown import render_markdown  # noqa: E402
from driver.sizes import (COMPRESSION_LOAD_FRACTION, FULL, GATEWAY_WORKERS,  # noqa: E402
                          LOAD_CLIENT_THREADS, LOAD_FRACTION, QUICK)
from driver.stalled_latest import scenario_stalled_latest  # noqa: E402
from driver.targets import TARGETS, evaluate_targets  # noqa: E402
from driver.throughput import scenario_dense, scenario_frame_size, scenario_sparse  # noqa: E402
from driver.tls import scenario_tls  # noqa: E402


SCENARIOS = ["sparse", "dense", "latency", "broker", "idle", "slow", "compression", "hostile",
             "stalled_latest", "tls"]
# Run only when named with --only, or with --all: they add a minute or more to a full run. The
# smoke run (ctest bench_smoke) names them with --all (about 30 s more with --quick).
OPT_IN_SCENARIOS = {"hostile", "stalled_latest", "tls"}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repetition: a smoke run")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"),
                        help="where report.json, report.md, logs/ and runs/ go")
    parser.add_argument("--bin", default=str(ROOT / "bin"),
                        help="folder of bench_*, consumer and device_simulator")
    parser.add_argument("--reps", type=int, help="repetitions (default 3; --quick 1)")
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(SCENARIOS) +
                        " (default: all but " + ",".join(sorted(OPT_IN_SCENARIOS)) + ")")
    parser.add_argument("--all", action="store_true",
                        help="every scenario, " + ",".join(sorted(OPT_IN_SCENARIOS)) +
                             " included (the smoke run uses it)")
    parser.add_argument("--skip-broker", action="store_true",
                        help="leave out the scenario that needs Kafka")
    parser.add_argument("--profile", action="store_true",
                        help="record each bench_gateway run with `perf record -e cpu-clock -g` "
                             "into OUT/profiles (perf report -i FILE --no-children)")
    parser.add_argument("--peer", choices=sorted(PEERS),
                        help="instead of the gateway-only scenarios, run " +
                             ",".join(PEER_SCENARIOS) + " through Kafka against the gateway "
                             "(bin/consumer) and this peer server, and report both and their "
                             "ratio (docs/performance.md)")
    parser.add_argument("--peer-clients",
                        help="with --peer: client counts instead of the defaults, e.g. "
                             "dense=500,sparse=2000,idle=5000")
    parser.add_argument("--no-pin", action="store_true",
                        help="with --peer: do not pin the server to the first CPU and the "
                             "clients and producer to the others")
    parser.add_argument("--brokers",
                        help="with --peer: an existing Kafka broker (host:port) to create the "
                             "run's topics on; default: start one with scripts/kafka.sh")
    args = parser.parse_args()

    sizes = QUICK if args.quick else FULL
    reps = args.reps or sizes["reps"]
    names = PEER_SCENARIOS if args.peer else SCENARIOS
    only = (set(args.only.split(",")) if args.only else
            set(names) - (set() if args.peer or args.all else OPT_IN_SCENARIOS))
    if args.all and (args.only or args.peer):
        parser.error("--all goes without --only and --peer")
    unknown = only - set(names)
    if unknown:
        parser.error(f"unknown scenarios{' for --peer' if args.peer else ''}: "
                     f"{', '.join(sorted(unknown))}")
    if args.skip_broker:
        only.discard("broker")
    if (args.brokers or args.peer_clients or args.no_pin) and not args.peer:
        parser.error("--brokers, --peer-clients and --no-pin go with --peer")
    if args.peer:
        try:
            peer_sizes(args)
        except ValueError as e:
            parser.error(str(e))

    b = Bench(args, sizes)
    if args.peer:
        return main_peer(args, b, only)
    needed = ["bench_gateway", "bench_load_client"]
    if only & {"sparse", "dense"}:
        needed.append("bench_ceiling_probe")
    if "broker" in only:
        needed += ["consumer", "device_simulator"]
    if "hostile" in only:
        needed.append("bench_hostile_client")
    missing = [n for n in needed if not b.tool(n).exists()]
    if missing:
        print(f"run.py: missing {', '.join(missing)} in {b.bin}; build first:\n"
              f"  cmake --preset release && cmake --build --preset release", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, on_signal)
    started = time.time()
    report = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine_info(),
              "options": {"quick": args.quick, "reps": reps, "sizes": sizes,
                          "scenarios": sorted(only),
                          "gateway_worker_count": GATEWAY_WORKERS,
                          "load_client_threads": LOAD_CLIENT_THREADS,
                          "load_fraction": LOAD_FRACTION,
                          "compression_load_fraction": COMPRESSION_LOAD_FRACTION},
              "targets_text": TARGETS,
              "scenarios": {}}
    sc = report["scenarios"]
    failed = False

    def attempt(key, fn):
        nonlocal failed
        try:
            sc[key] = fn()
        except (ChildError, OSError, ValueError, KeyError, TypeError, ZeroDivisionError,
                subprocess.SubprocessError) as e:
            failed = True
            sc[key] = {"error": f"{type(e).__name__}: {e}"}
            b.say(f"{key} failed: {e}")
        finally:
            Child.kill_all()

    try:
        attempt("frame_size", lambda: scenario_frame_size(b))
        if "sparse" in only:
            attempt("sparse_fanout", lambda: scenario_sparse(b, reps))
        if "dense" in only:
            attempt("dense_fanout", lambda: scenario_dense(b, reps))

        rate = None
        if only & {"latency", "broker", "slow", "compression", "hostile", "stalled_latest",
                   "tls"}:
            def calibration():
                b.say(f"calibration: {sizes['latency_clients']} clients, "
                      f"{sizes['latency_fraction']:.0%} match, max rate")
                run = b.calibrate("calibration", sizes["latency_clients"],
                                  sizes["latency_fraction"])
                return {"clients": sizes["latency_clients"],
                        "match_fraction": sizes["latency_fraction"],
                        "events_per_s": run["gateway"]["injected_per_s"],
                        "deliveries_per_s": run["clients"]["fast"]["deliveries_per_s"],
                        "rate_30pct": LOAD_FRACTION * run["gateway"]["injected_per_s"],
                        "run": run}
            attempt("calibration", calibration)
            rate = sc["calibration"].get("rate_30pct")
        if rate:
            if "latency" in only:
                attempt("gateway_leg", lambda: scenario_gateway_leg(b, reps, rate))
            if "broker" in only:
                attempt("broker_latency", lambda: scenario_broker_latency(b, reps, rate))
        if "idle" in only:
            attempt("idle_memory", lambda: scenario_idle(b, reps))
            attempt("idle_memory_compression", lambda: scenario_idle(b, 1, compression="on"))
        if rate:
            if "slow" in only:
                attempt("slow_clients", lambda: scenario_slow_clients(b, reps, rate))
            if "compression" in only:
                attempt("compression", lambda: scenario_compression(
                    b, reps, rate * COMPRESSION_LOAD_FRACTION / LOAD_FRACTION))
            if "stalled_latest" in only:
                attempt("stalled_latest", lambda: scenario_stalled_latest(b, reps, rate))
            if "hostile" in only:
                attempt("hostile", lambda: scenario_hostile(b, reps, rate))
            if "tls" in only:
                attempt("tls", lambda: scenario_tls(
                    b, reps, rate * COMPRESSION_LOAD_FRACTION / LOAD_FRACTION))
        if args.skip_broker:
            sc["broker_latency"] = {"skipped": "--skip-broker"}
    except KeyboardInterrupt as e:
        failed = True
        report["interrupted"] = str(e) or "interrupted"
        print("run.py: interrupted; cleaning up", file=sys.stderr)
    finally:
        Child.kill_all()

    report["machine"]["loadavg_at_end"] = loadavg()
    report["elapsed_s"] = time.time() - started
    report["targets"] = evaluate_targets(sc)
    write_report(b.out, report, render_markdown)
    return 1 if failed else 0


def main_peer(args, b, only):
    needed = ["bench_load_client", "consumer", "device_simulator"]
    missing = [n for n in needed if not b.tool(n).exists()]
    if missing:
        print(f"run.py: missing {', '.join(missing)} in {b.bin}; build first:\n"
              f"  cmake --preset release && cmake --build --preset release --target "
              f"{' '.join(needed)}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, on_signal)
    started = time.time()
    report = {"started": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine_info(),
              "options": {"quick": args.quick, "peer": args.peer, "scenarios": sorted(only),
                          "load_client_threads": LOAD_CLIENT_THREADS}}
    failed = False
    try:
        report["peer_comparison"] = run_peer_comparison(args, b, only, args.reps)
        failed = any("error" in x for x in report["peer_comparison"]["scenarios"].values())
    except (ChildError, OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
        failed = True
        report["peer_comparison"] = {"error": f"{type(e).__name__}: {e}"}
        b.say(f"peer comparison failed: {e}")
    except KeyboardInterrupt as e:
        failed = True
        report["interrupted"] = str(e) or "interrupted"
        print("run.py: interrupted; cleaning up", file=sys.stderr)
    finally:
        Child.kill_all()
    report["machine"]["loadavg_at_end"] = loadavg()
    report["elapsed_s"] = time.time() - started
    write_report(b.out, report, render_peer_report)
    return 1 if failed else 0


def write_report(out, report, render):
    """report.json, then report.md from render(report), also on stdout: the JSON is written even
    when the Markdown cannot be."""
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = render(report)
    (out / "report.md").write_text(markdown + "\n")
    print(markdown)
    print(f"\nwritten: {out / 'report.json'}, {out / 'report.md'}")


if __name__ == "__main__":
    sys.exit(main())
