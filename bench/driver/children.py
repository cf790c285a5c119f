"""Child processes: each in its own process group, its stdout lines read by a thread, stopped
with a quit line or a signal and killed at the end whatever happened; and the key=value lines
and JSON files the children write."""

import json
import os
import queue
import re
import signal
import subprocess
import threading
import time


class ChildError(RuntimeError):
    pass


class Child:
    """A child process in its own process group; stdout lines are read by a thread."""

    registry = []

    def __init__(self, name, argv, log_path, env=None, capture=True):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.log.write("$ " + " ".join(str(a) for a in argv) + "\n")
        self.log.flush()
        self.proc = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE if capture else self.log,
            stderr=self.log,
            text=True,
            bufsize=1,
            start_new_session=True,
            env=env,
        )
        Child.registry.append(self)
        self.lines = queue.Queue()
        if capture:
            threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        try:
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))
        finally:
            self.lines.put(None)

    def expect(self, prefix, timeout):
        """The next stdout line starting with prefix (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChildError(f"{self.name}: no '{prefix}' within {timeout:.0f}s "
                                 f"(log: {self.log_path})")
            try:
                line = self.lines.get(timeout=min(left, 1.0))
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise ChildError(f"{self.name} exited with {self.proc.returncode} before "
                                 f"'{prefix}' (log: {self.log_path})")
            if line.startswith(prefix):
                return line

    def send(self, text):
        try:
            self.proc.stdin.write(text + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def alive(self):
        return self.proc.poll() is None

    def signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout=10.0, quit_line=None, sig=None):
        """Ends the child: a quit line or a signal, then SIGTERM, then SIGKILL."""
        if self.alive():
            if quit_line is not None:
                self.send(quit_line)
            if sig is not None:
                self.signal_group(sig)
            self.close_stdin()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    pass
        # Whatever the child left in its group goes too.
        self.signal_group(signal.SIGKILL)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()

    @classmethod
    def kill_all(cls):
        for child in cls.registry:
            if child.alive():
                child.signal_group(signal.SIGKILL)
        for child in cls.registry:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        cls.registry.clear()


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def parse_fields(line):
    return dict(re.findall(r"(\w+)=(\S+)", line))


def load_json(path):
    with open(path) as f:
        return json.load(f)
