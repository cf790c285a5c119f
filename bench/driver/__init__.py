"""The pieces of the benchmark driver, bench/run.py: child processes, the harness that starts
the gateway, load clients and producers, one module per scenario family, the peer comparison, and
the report (targets, Markdown). run.py parses the command line and runs them in order."""

from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent.parent  # the repository
