#!/usr/bin/env bash
# scripts/kafka.sh - a real, local, single-node Apache Kafka 4.x broker for development and tests.
#
# The broker jars come from Maven Central (scripts/kafka/pom.xml, `mvn dependency:copy-dependencies`)
# and are cached outside the build tree, in $IIOT_KAFKA_CACHE (default
# ~/.cache/iiot-gateway/kafka-<version>); once cached, nothing is downloaded again. The broker is
# ONE KRaft process (broker + controller) listening on 127.0.0.1 only, with single-node settings
# (replication factor 1 everywhere), its data, pid file and logs in $IIOT_KAFKA_DATA.
#
# Usage:
#   scripts/kafka.sh start                     fetch (first time), format (first time), start, wait,
#                                              create iiot.device-data, iiot.alerts, iiot.dead-letter
#   scripts/kafka.sh stop [--wipe]             SIGTERM, SIGKILL after a timeout; --wipe deletes the data
#   scripts/kafka.sh status                    exit 0 if our broker runs and accepts connections
#   scripts/kafka.sh wait                      wait until a broker on the port answers requests
#   scripts/kafka.sh create-topic NAME [PARTITIONS]   idempotent
#   scripts/kafka.sh fetch                     only download the jars into the cache
#
# Environment (all optional):
#   IIOT_KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   IIOT_KAFKA_CONTROLLER_PORT  KRaft controller port, default IIOT_KAFKA_PORT + 1000
#   IIOT_KAFKA_DATA             data/log/pid directory, default /tmp/iiot-kafka-$IIOT_KAFKA_PORT
#   IIOT_KAFKA_PARTITIONS       partitions of the topics created by `start`, default 4
#   IIOT_KAFKA_VERSION          org.apache.kafka:kafka_2.13 version, default 4.1.1
#   IIOT_KAFKA_CACHE            jar cache, default ~/.cache/iiot-gateway/kafka-$IIOT_KAFKA_VERSION
#   IIOT_KAFKA_HEAP             broker heap options, default "-Xms128m -Xmx512m"
#   IIOT_KAFKA_START_TIMEOUT    seconds `start`/`wait` wait for the broker, default 90
#   IIOT_KAFKA_STOP_TIMEOUT     seconds `stop` waits after SIGTERM before SIGKILL, default 30
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAFKA_DIR="$SCRIPT_DIR/kafka"

VERSION=${IIOT_KAFKA_VERSION:-4.1.1}
PORT=${IIOT_KAFKA_PORT:-9092}
CONTROLLER_PORT=${IIOT_KAFKA_CONTROLLER_PORT:-$((PORT + 1000))}
DATA=${IIOT_KAFKA_DATA:-/tmp/iiot-kafka-$PORT}
PARTITIONS=${IIOT_KAFKA_PARTITIONS:-4}
CACHE=${IIOT_KAFKA_CACHE:-${HOME:-/tmp}/.cache/iiot-gateway/kafka-$VERSION}
HEAP=${IIOT_KAFKA_HEAP:--Xms128m -Xmx512m}
START_TIMEOUT=${IIOT_KAFKA_START_TIMEOUT:-90}
STOP_TIMEOUT=${IIOT_KAFKA_STOP_TIMEOUT:-30}

# Absolute paths: the pid check matches the broker's command line, whatever the caller's cwd.
DATA=$(realpath -m -- "$DATA")
CACHE=$(realpath -m -- "$CACHE")

HOST=127.0.0.1
TOPICS=(iiot.device-data iiot.alerts iiot.dead-letter)
PID_FILE="$DATA/kafka.pid"
LOG_DIR="$DATA/logs"
LOG_FILE="$LOG_DIR/server.log"
OUT_FILE="$LOG_DIR/kafka.out"
CONFIG="$DATA/server.properties"
LOG_DIRS="$DATA/kraft-logs"
MARKER="$CACHE/.complete"

log() { printf 'kafka.sh: %s\n' "$*"; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------
# Prerequisites and the jar cache
# ---------------------------------------------------------------------------------------------

ensure_prereqs() {
  local missing=()
  command -v java >/dev/null 2>&1 || [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]] ||
    missing+=(openjdk-17-jre-headless)
  if ! cache_ok && ! command -v mvn >/dev/null 2>&1; then missing+=(maven); fi
  if ((${#missing[@]})); then
    [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; install them (apt-get install -y ${missing[*]})"
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  JAVA=java
  [[ -n ${JAVA_HOME:-} && -x ${JAVA_HOME}/bin/java ]] && JAVA="$JAVA_HOME/bin/java"
  local major
  major=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [[ -n $major && $major -ge 17 ]] || die "Kafka $VERSION needs Java 17 or newer ($JAVA is '${major:-unknown}')"
}

# What the cache was built from: a changed pom or version means fetching again.
cache_stamp() {
  printf 'kafka %s\npom %s\n' "$VERSION" "$(sha256sum "$KAFKA_DIR/pom.xml" | cut -d' ' -f1)"
}

cache_ok() {
  [[ -f $MARKER && $(cat "$MARKER") == "$(cache_stamp)" ]]
}

fetch() {
  cache_ok && return 0
  log "downloading Kafka $VERSION jars from Maven Central into $CACHE (first run only)"
  local tmp="$CACHE.partial.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! mvn -q -B -Dstyle.color=never -f "$KAFKA_DIR/pom.xml" \
      -Dkafka.version="$VERSION" \
      -DincludeScope=runtime -DoutputDirectory="$tmp/libs" \
      -DoverWriteReleases=false -DoverWriteSnapshots=false \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "mvn could not fetch org.apache.kafka:kafka_2.13:$VERSION (try another IIOT_KAFKA_VERSION)"
  fi
  ls "$tmp"/libs/kafka_2.13-"$VERSION".jar >/dev/null || die "kafka_2.13-$VERSION.jar missing after mvn"
  rm -f "$tmp/mvn.log"
  cache_stamp >"$tmp/.complete"
  rm -rf "$CACHE"
  mv "$tmp" "$CACHE"
  log "cached $(ls "$CACHE/libs" | wc -l) jars ($(du -sh "$CACHE" | cut -f1))"
}

# Runs a Kafka command-line tool (quiet logging, small heap, fast JVM start);
# TOOL_TIMEOUT=seconds bounds its run time.
kafka_tool() {
  local limit=()
  [[ -n ${TOOL_TIMEOUT:-} ]] && limit=(timeout "$TOOL_TIMEOUT")
  "${limit[@]}" "$JAVA" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_DIR/tools-log4j2.properties" \
    -cp "$CACHE/libs/*" "$@"
}

# ---------------------------------------------------------------------------------------------
# Process and port checks
# ---------------------------------------------------------------------------------------------

# The pid of our broker for this data dir, if it is alive (guards against pid reuse).
broker_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "kafka.Kafka $CONFIG" || return 1
  echo "$pid"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

print_log_tail() {
  local f
  for f in "$OUT_FILE" "$LOG_FILE"; do
    [[ -s $f ]] || continue
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2
  done
}

# Waits for the broker we just started: alive, port open, "Kafka Server started" logged
# after byte offset $1 of server.log.
wait_started() {
  local offset=$1 deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    # Only liveness here: right after the launch, /proc/<pid>/cmdline may still show the
    # setsid/nohup wrapper rather than the JVM it is about to exec.
    kill -0 "$(cat "$PID_FILE" 2>/dev/null)" 2>/dev/null ||
      { print_log_tail; die "the broker exited during start-up"; }
    if port_open "$PORT" && [[ -f $LOG_FILE ]]; then
      local size
      size=$(stat -c %s "$LOG_FILE")
      ((size >= offset)) || offset=0 # the log rolled over
      tail -c +"$((offset + 1))" "$LOG_FILE" | grep -q 'Kafka Server started' && return 0
    fi
    sleep 0.5
  done
  print_log_tail
  die "the broker did not start within ${START_TIMEOUT}s"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

write_config() {
  cat >"$CONFIG" <<EOF
# Written by scripts/kafka.sh at every start; edits are lost.
# One combined KRaft broker + controller on loopback, single-node settings.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

num.partitions=$PARTITIONS
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF
}

new_cluster_id() {
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

cmd_start() {
  local pid
  if pid=$(broker_pid); then
    log "already running on $HOST:$PORT (pid $pid, data $DATA)"
    return 0
  fi
  port_open "$PORT" && die "port $PORT is in use by another process (set IIOT_KAFKA_PORT)"
  port_open "$CONTROLLER_PORT" &&
    die "controller port $CONTROLLER_PORT is in use by another process (set IIOT_KAFKA_CONTROLLER_PORT)"

  local t0=$SECONDS
  ensure_prereqs
  fetch
  mkdir -p "$DATA" "$LOG_DIR"
  rm -f "$PID_FILE"
  write_config

  if [[ ! -f $LOG_DIRS/meta.properties ]]; then
    local id
    id=$(new_cluster_id)
    log "formatting KRaft storage in $LOG_DIRS (cluster id $id)"
    kafka_tool kafka.tools.StorageTool format --ignore-formatted -t "$id" -c "$CONFIG" >"$LOG_DIR/format.out" 2>&1 ||
      { cat "$LOG_DIR/format.out" >&2; die "formatting the storage failed"; }
    echo "$id" >"$DATA/cluster.id"
  fi

  local offset=0
  [[ -f $LOG_FILE ]] && offset=$(stat -c %s "$LOG_FILE")
  log "starting Kafka $VERSION on $HOST:$PORT (controller $CONTROLLER_PORT, data $DATA)"
  local setsid=()
  command -v setsid >/dev/null 2>&1 && setsid=(setsid) # detach from the caller's terminal/Ctrl-C
  # shellcheck disable=SC2086 # HEAP holds several options
  "${setsid[@]}" nohup "$JAVA" $HEAP \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$CACHE/libs/*" kafka.Kafka "$CONFIG" </dev/null >>"$OUT_FILE" 2>&1 &
  echo $! >"$PID_FILE"

  wait_started "$offset"
  log "broker up (pid $(cat "$PID_FILE")) after $((SECONDS - t0))s"
  ensure_topics
  log "ready: bootstrap.servers=$HOST:$PORT ($((SECONDS - t0))s)"
}

create_topic() {
  local name=$1 partitions=$2 out
  if ! out=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" \
      --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor 1 2>&1); then
    # --if-not-exists covers most races; a concurrent creator can still win.
    grep -q 'TopicExistsException\|already exists' <<<"$out" || { echo "$out" >&2; die "creating topic $name failed"; }
  fi
  if grep -q '^Created topic' <<<"$out"; then
    log "topic $name: created ($partitions partitions)"
  else
    log "topic $name: already exists"
  fi
}

# Creates the gateway's topics that do not exist yet (one JVM per missing topic, in parallel).
ensure_topics() {
  local existing topic pid pids=() failed=0
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" --list 2>&1) ||
    { echo "$existing" >&2; die "listing topics failed"; }
  for topic in "${TOPICS[@]}"; do
    if grep -qxF "$topic" <<<"$existing"; then
      log "topic $topic: exists"
    else
      create_topic "$topic" "$PARTITIONS" &
      pids+=($!)
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "creating topics failed"
}

cmd_create_topic() {
  [[ $# -ge 1 && -n $1 ]] || die "usage: kafka.sh create-topic NAME [PARTITIONS]"
  local partitions=${2:-$PARTITIONS}
  [[ $partitions =~ ^[1-9][0-9]*$ ]] || die "PARTITIONS must be a positive number"
  port_open "$PORT" || die "no broker on $HOST:$PORT (run: scripts/kafka.sh start)"
  ensure_prereqs
  fetch
  create_topic "$1" "$partitions"
}

cmd_stop() {
  local wipe=0 arg
  for arg in "$@"; do
    case $arg in
      --wipe) wipe=1 ;;
      *) die "usage: kafka.sh stop [--wipe]" ;;
    esac
  done
  local pid
  if pid=$(broker_pid); then
    log "stopping broker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      log "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    log "stopped"
  else
    log "not running (data $DATA)"
  fi
  rm -f "$PID_FILE"
  if ((wipe)) && [[ -d $DATA ]]; then
    # Only delete a directory that looks like ours.
    [[ $DATA != / && ( -f $CONFIG || -d $LOG_DIRS || -d $LOG_DIR ) ]] ||
      die "refusing to wipe $DATA: it does not look like a kafka.sh data directory"
    rm -rf -- "$DATA"
    log "wiped $DATA"
  fi
}

cmd_status() {
  local pid
  if pid=$(broker_pid); then
    if port_open "$PORT"; then
      log "running: pid $pid, $HOST:$PORT, data $DATA"
      return 0
    fi
    log "process $pid is alive but $HOST:$PORT does not accept connections"
    return 1
  fi
  if port_open "$PORT"; then
    log "not running from $DATA, but another process listens on $HOST:$PORT"
  else
    log "not running (port $PORT, data $DATA)"
  fi
  return 3
}

# Waits until a broker on the port (ours or not) answers a metadata request.
cmd_wait() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$PORT"; do
    ((SECONDS < deadline)) || die "nothing listens on $HOST:$PORT after ${START_TIMEOUT}s"
    sleep 0.5
  done
  ensure_prereqs
  fetch
  local left=$((deadline - SECONDS))
  ((left > 5)) || left=5
  TOOL_TIMEOUT=$left kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$HOST:$PORT" --list >/dev/null ||
    die "the broker on $HOST:$PORT did not answer within ${START_TIMEOUT}s"
  log "broker on $HOST:$PORT answers requests"
}

main() {
  [[ $PORT =~ ^[0-9]+$ && $CONTROLLER_PORT =~ ^[0-9]+$ ]] || die "IIOT_KAFKA_PORT must be a number"
  [[ $PARTITIONS =~ ^[1-9][0-9]*$ ]] || die "IIOT_KAFKA_PARTITIONS must be a positive number"
  local cmd=${1:-}
  shift || true
  case $cmd in
    start) cmd_start ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    create-topic) cmd_create_topic "$@" ;;
    fetch) ensure_prereqs && fetch && log "jars cached in $CACHE" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
