"""The machine a run measures: load average, CPU, memory, compiler and library versions, git
commit; each read best-effort (None where unknown)."""

import os
import platform
import re
import subprocess
from pathlib import Path

from driver import ROOT


def loadavg():
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return None


def command_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info():
    info = {
        "nproc": os.cpu_count(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "loadavg_at_start": loadavg(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().split("\n")[0].split()
        info["memory_gib"] = round(int(mem[1]) / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    gcc = command_output(["gcc", "--version"])
    info["gcc"] = gcc.splitlines()[0] if gcc else None
    try:
        text = Path("/usr/include/boost/version.hpp").read_text()
        info["boost"] = re.search(r'BOOST_LIB_VERSION "([^"]+)"', text).group(1).replace("_", ".")
    except (OSError, AttributeError):
        info["boost"] = None
    info["librdkafka"] = command_output(["pkg-config", "--modversion", "rdkafka"])
    commit = command_output(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"])
    info["git"] = f"{commit}{' (uncommitted changes)' if dirty else ''}" if commit else None
    try:
        info["open_files_hard_limit"] = int(command_output(["sh", "-c", "ulimit -Hn"]))
    except (TypeError, ValueError):
        pass
    return info
