"""A Kafka broker of the run's own, started and stopped by scripts/kafka.sh."""

import os
import random
import subprocess

from driver import ROOT
from driver.children import ChildError
from driver.loopback import port_is_free


class Kafka:
    """A broker of our own, on ports nobody else uses, started by scripts/kafka.sh."""

    def __init__(self, b):
        self.b = b
        self.port = None
        self.env = None
        self.started = False

    def start(self, attempts=3):
        """scripts/kafka.sh start on a free port pair; a failed start is retried on new ports
        (its log is kept as kafka-start-N.log)."""
        for attempt in range(1, attempts + 1):
            self.port = None
            for _ in range(200):
                port = random.randint(20000, 28000)
                if port_is_free(port) and port_is_free(port + 1000):
                    self.port = port
                    break
            if self.port is None:
                raise ChildError("no free port pair for Kafka")
            self.env = dict(os.environ, IIOT_KAFKA_PORT=str(self.port),
                            IIOT_KAFKA_DATA=f"/tmp/iiot-bench-kafka-{self.port}")
            self.b.say(f"starting Kafka on 127.0.0.1:{self.port} (scripts/kafka.sh), "
                       f"attempt {attempt}/{attempts}")
            self.started = True
            log_path = self.b.logs / f"kafka-start-{attempt}.log"
            with open(log_path, "w") as log:
                rc = subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "start"], env=self.env,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    timeout=600).returncode
            if rc == 0:
                return
            self.stop()
        raise ChildError(f"scripts/kafka.sh start failed {attempts} times "
                         f"(logs: {self.b.logs}/kafka-start-*.log)")

    def stop(self):
        if not self.started:
            return
        self.b.say("stopping Kafka (--wipe)")
        with open(self.b.logs / "kafka-stop.log", "a") as log:
            try:
                subprocess.run([str(ROOT / "scripts" / "kafka.sh"), "stop", "--wipe"],
                               env=self.env, stdout=log, stderr=subprocess.STDOUT, timeout=120)
            except subprocess.TimeoutExpired:
                log.write("kafka.sh stop timed out\n")
        self.started = False
