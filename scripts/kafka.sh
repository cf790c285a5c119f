#!/usr/bin/env bash
# scripts/kafka.sh - a real, local Apache Kafka 4.x broker (or a small cluster of them) for
# development and tests.
#
# The broker jars come from Maven Central (scripts/kafka/pom.xml, `mvn dependency:copy-dependencies`)
# and are cached outside the build tree, in $IIOT_KAFKA_CACHE (default
# ~/.cache/iiot-gateway/kafka-<version>); once cached, nothing is downloaded again.
#
# By default the broker is ONE KRaft process (broker + controller) listening on 127.0.0.1 only,
# with single-node settings (replication factor 1 everywhere), its data, pid file and logs in
# $IIOT_KAFKA_DATA. `start --brokers N` starts a cluster instead: N combined broker + controller
# processes (node ids 1..N, all of them controller quorum voters) on consecutive ports,
# client port IIOT_KAFKA_PORT + N - 1 and controller port IIOT_KAFKA_CONTROLLER_PORT + N - 1 for
# node N, each in $IIOT_KAFKA_DATA/node-N; replication factor min(N, 3) for every topic
# (default.replication.factor, the internal topics and the topics created here) and
# min.insync.replicas 2 from 3 brokers on. The size is remembered in $IIOT_KAFKA_DATA/brokers:
# the other commands act on every node of the cluster.
#
# Usage:
#   scripts/kafka.sh start [--brokers N] [--no-topics]
#                                              fetch (first time), format (first time), start, wait,
#                                              create iiot.device-data, iiot.alerts, iiot.dead-letter
#                                              (unless --no-topics); on a cluster, also restarts the
#                                              nodes that are down
#   scripts/kafka.sh stop [--wipe]             SIGTERM, SIGKILL after a timeout; --wipe deletes the data
#                                              (a cluster's nodes then get SIGKILL at once: nothing
#                                              of theirs is kept, so nothing needs an orderly close)
#   scripts/kafka.sh status                    exit 0 if every node runs and accepts connections,
#                                              1 if some do not, 3 if none runs
#   scripts/kafka.sh wait                      wait until a broker on the port answers requests
#   scripts/kafka.sh create-topic NAME [PARTITIONS]   idempotent
#   scripts/kafka.sh kill-node N               SIGKILL node N (1 for the single broker): a crash
#   scripts/kafka.sh start-node N              start node N again and wait until it serves
#   scripts/kafka.sh bootstrap                 print the bootstrap servers (host:port,...)
#   scripts/kafka.sh fetch                     only download the jars into the cache
#
# Environment (all optional):
#   IIOT_KAFKA_PORT             client (PLAINTEXT) port (of node 1), default 9092
#   IIOT_KAFKA_CONTROLLER_PORT  KRaft controller port (of node 1), default IIOT_KAFKA_PORT + 1000
#   IIOT_KAFKA_DATA             data/log/pid directory, default /tmp/iiot-kafka-$IIOT_KAFKA_PORT
#   IIOT_KAFKA_PARTITIONS       partitions of the topics created by `start`, default 4
#   IIOT_KAFKA_VERSION          org.apache.kafka:kafka_2.13 version, default 4.1.1
#   IIOT_KAFKA_CACHE            jar cache, default ~/.cache/iiot-gateway/kafka-$IIOT_KAFKA_VERSION
#   IIOT_KAFKA_HEAP             broker heap options, default "-Xms128m -Xmx512m"
#   IIOT_KAFKA_JVM_OPTS         more broker JVM options; default none for the single broker and
#                               "-XX:TieredStopAtLevel=1" for a cluster's nodes (the quick JIT
#                               only: on a 2-core machine three nodes start in about half the
#                               time, and a local cluster needs no peak throughput)
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
BROKERS_FILE="$DATA/brokers"
MARKER="$CACHE/.complete"

log() { printf 'kafka.sh: %s\n' "$*"; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# ---------------------------------------------------------------------------------------------
# Nodes: the single broker is node 1 with its files directly in $DATA; node N of a cluster has
# its files in $DATA/node-N and the ports IIOT_KAFKA_PORT + N - 1, IIOT_KAFKA_CONTROLLER_PORT + N - 1.
# ---------------------------------------------------------------------------------------------

# The number of nodes: what `start --brokers` recorded, 1 for a single broker.
recorded_brokers() {
  local n=1
  [[ -f $BROKERS_FILE ]] && n=$(cat "$BROKERS_FILE")
  [[ $n =~ ^[1-9]$ ]] || die "$BROKERS_FILE holds '$n', not a number of brokers (stop --wipe and start again)"
  echo "$n"
}

# Sets BROKERS and what follows from it: the replication settings and the bootstrap servers.
set_brokers() {
  BROKERS=$1
  REPLICATION=$((BROKERS < 3 ? BROKERS : 3))
  MIN_ISR=$((REPLICATION >= 3 ? 2 : 1))
  local i servers=() voters=()
  for ((i = 1; i <= BROKERS; i++)); do
    servers+=("$HOST:$((PORT + i - 1))")
    voters+=("$i@$HOST:$((CONTROLLER_PORT + i - 1))")
  done
  BOOTSTRAP=$(IFS=,; echo "${servers[*]}")
  VOTERS=$(IFS=,; echo "${voters[*]}")
}

# Selects node $1: its id, ports and files.
select_node() {
  NODE=$1
  NODE_PORT=$((PORT + NODE - 1))
  NODE_CONTROLLER_PORT=$((CONTROLLER_PORT + NODE - 1))
  if ((BROKERS == 1)); then NODE_DIR=$DATA; else NODE_DIR=$DATA/node-$NODE; fi
  PID_FILE="$NODE_DIR/kafka.pid"
  LOG_DIR="$NODE_DIR/logs"
  LOG_FILE="$LOG_DIR/server.log"
  OUT_FILE="$LOG_DIR/kafka.out"
  CONFIG="$NODE_DIR/server.properties"
  LOG_DIRS="$NODE_DIR/kraft-logs"
  # "node N: " in front of messages about one node of a cluster.
  NODE_TAG=""
  ((BROKERS == 1)) || NODE_TAG="node $NODE: "
}

# The node number argument of kill-node/start-node.
node_argument() {
  [[ ${1:-} =~ ^[1-9]$ ]] || die "usage: kafka.sh $2 N (N = 1..$BROKERS)"
  (($1 <= BROKERS)) || die "node $1 does not exist: $DATA holds $BROKERS broker(s)"
  select_node "$1"
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

# The pid of the selected node's broker, if it is alive (guards against pid reuse).
broker_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -qF -- "kafka.Kafka $CONFIG" < <(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
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

# Waits for the selected node we just started: alive, port open, "Kafka Server started" logged
# after byte offset $1 of its server.log.
wait_started() {
  local offset=$1 deadline=$((SECONDS + START_TIMEOUT))
  while ((SECONDS < deadline)); do
    # Only liveness here: right after the launch, /proc/<pid>/cmdline may still show the
    # setsid/nohup wrapper rather than the JVM it is about to exec.
    kill -0 "$(cat "$PID_FILE" 2>/dev/null)" 2>/dev/null ||
      { print_log_tail; die "${NODE_TAG}the broker exited during start-up"; }
    if port_open "$NODE_PORT" && [[ -f $LOG_FILE ]]; then
      local size
      size=$(stat -c %s "$LOG_FILE")
      ((size >= offset)) || offset=0 # the log rolled over
      # Not `tail | grep -q`: grep leaves at the first match, tail dies of SIGPIPE when more log
      # follows, and pipefail turns the match into a failure.
      grep -q 'Kafka Server started' < <(tail -c +"$((offset + 1))" "$LOG_FILE") && return 0
    fi
    sleep 0.5
  done
  print_log_tail
  die "${NODE_TAG}the broker did not start within ${START_TIMEOUT}s"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

write_config() {
  if ((BROKERS == 1)); then
    cat >"$CONFIG" <<CONF
# Written by scripts/kafka.sh at every start; edits are lost.
# One combined KRaft broker + controller on loopback, single-node settings.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
CONF
  else
    cat >"$CONFIG" <<CONF
# Written by scripts/kafka.sh at every start; edits are lost.
# Node $NODE of a cluster of $BROKERS combined KRaft brokers + controllers on loopback.
process.roles=broker,controller
node.id=$NODE
controller.quorum.voters=$VOTERS
# A crashed node is fenced, and its partitions led by another replica, within 6 s.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=6000
# Only an in-sync replica may become leader: acknowledged records are never lost.
unclean.leader.election.enable=false
CONF
  fi
  cat >>"$CONFIG" <<CONF
listeners=PLAINTEXT://$HOST:$NODE_PORT,CONTROLLER://$HOST:$NODE_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$NODE_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

num.partitions=$PARTITIONS
default.replication.factor=$REPLICATION
min.insync.replicas=$MIN_ISR
auto.create.topics.enable=true
offsets.topic.replication.factor=$REPLICATION
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$REPLICATION
transaction.state.log.min.isr=$MIN_ISR
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=$REPLICATION
share.coordinator.state.topic.min.isr=$MIN_ISR
group.initial.rebalance.delay.ms=0

num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
CONF
}

new_cluster_id() {
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding, not starting with '-'.
  local id
  while :; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
    [[ $id != -* ]] && { echo "$id"; return; }
  done
}

# Writes the selected node's config and formats its storage the first time (with cluster id $1).
prepare_node() {
  mkdir -p "$NODE_DIR" "$LOG_DIR"
  write_config
  [[ -f $LOG_DIRS/meta.properties ]] && return 0
  log "${NODE_TAG}formatting KRaft storage in $LOG_DIRS (cluster id $1)"
  kafka_tool kafka.tools.StorageTool format --ignore-formatted -t "$1" -c "$CONFIG" >"$LOG_DIR/format.out" 2>&1 ||
    { cat "$LOG_DIR/format.out" >&2; die "${NODE_TAG}formatting the storage failed"; }
}

# Launches the selected node's JVM, detached; LAUNCH_OFFSET is the size of its server.log before.
launch_node() {
  LAUNCH_OFFSET=0
  [[ -f $LOG_FILE ]] && LAUNCH_OFFSET=$(stat -c %s "$LOG_FILE")
  rm -f "$PID_FILE"
  log "${NODE_TAG}starting Kafka $VERSION on $HOST:$NODE_PORT (controller $NODE_CONTROLLER_PORT, data $NODE_DIR)"
  local setsid=()
  command -v setsid >/dev/null 2>&1 && setsid=(setsid) # detach from the caller's terminal/Ctrl-C
  local jvm_opts=""
  ((BROKERS == 1)) || jvm_opts="-XX:TieredStopAtLevel=1"
  jvm_opts=${IIOT_KAFKA_JVM_OPTS-$jvm_opts}
  # shellcheck disable=SC2086 # HEAP and jvm_opts hold several options
  "${setsid[@]}" nohup "$JAVA" $HEAP $jvm_opts \
    -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$KAFKA_DIR/log4j2.properties" \
    -cp "$CACHE/libs/*" kafka.Kafka "$CONFIG" </dev/null >>"$OUT_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

# Both ports of the selected node must be free before it starts.
check_node_ports() {
  port_open "$NODE_PORT" && die "${NODE_TAG}port $NODE_PORT is in use by another process (set IIOT_KAFKA_PORT)"
  port_open "$NODE_CONTROLLER_PORT" &&
    die "${NODE_TAG}controller port $NODE_CONTROLLER_PORT is in use by another process (set IIOT_KAFKA_CONTROLLER_PORT)"
  return 0
}

cmd_start() {
  local requested="" topics=1
  while (($#)); do
    case $1 in
      --brokers)
        [[ ${2:-} =~ ^[1-9]$ ]] || die "--brokers needs a number of brokers from 1 to 9"
        requested=$2
        shift 2
        ;;
      --no-topics) topics=0 && shift ;;
      *) die "usage: kafka.sh start [--brokers N] [--no-topics]" ;;
    esac
  done
  local recorded
  recorded=$(recorded_brokers)
  if [[ -n $requested && $requested != "$recorded" ]]; then
    # A data directory holds one layout: a single broker's files or a cluster's node-N folders.
    if [[ -f $DATA/server.properties || -d $DATA/kraft-logs || -f $BROKERS_FILE ]]; then
      die "$DATA holds a $recorded-broker setup; run \`scripts/kafka.sh stop --wipe\` first (or set IIOT_KAFKA_DATA)"
    fi
  fi
  set_brokers "${requested:-$recorded}"

  local i pid down=()
  for ((i = 1; i <= BROKERS; i++)); do
    select_node "$i"
    if pid=$(broker_pid); then
      log "${NODE_TAG}already running on $HOST:$NODE_PORT (pid $pid, data $NODE_DIR)"
    else
      check_node_ports
      down+=("$i")
    fi
  done
  ((${#down[@]})) || return 0

  local t0=$SECONDS
  ensure_prereqs
  fetch
  mkdir -p "$DATA"
  ((BROKERS == 1)) || echo "$BROKERS" >"$BROKERS_FILE"
  # One cluster id for every node: the recorded one, else that of a formatted node, else new.
  local id="" meta
  if [[ -f $DATA/cluster.id ]]; then
    id=$(cat "$DATA/cluster.id")
  else
    for meta in "$DATA"/kraft-logs/meta.properties "$DATA"/node-*/kraft-logs/meta.properties; do
      [[ -f $meta ]] && id=$(sed -n 's/^cluster\.id=//p' "$meta") && [[ -n $id ]] && break
    done
    [[ -n $id ]] || id=$(new_cluster_id)
  fi
  # Formatting starts a JVM per node: in parallel.
  local pids=() failed=0
  for i in "${down[@]}"; do
    select_node "$i"
    prepare_node "$id" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "formatting the storage failed"
  echo "$id" >"$DATA/cluster.id"

  # All nodes at once: a cluster's brokers wait for the controller quorum, which needs a majority.
  local offsets=()
  for i in "${down[@]}"; do
    select_node "$i"
    launch_node
    offsets[i]=$LAUNCH_OFFSET
  done
  for i in "${down[@]}"; do
    select_node "$i"
    wait_started "${offsets[i]}"
    log "${NODE_TAG}broker up (pid $(cat "$PID_FILE")) after $((SECONDS - t0))s"
  done
  ((topics == 0)) || ensure_topics
  log "ready: bootstrap.servers=$BOOTSTRAP ($((SECONDS - t0))s)"
}

create_topic() {
  local name=$1 partitions=$2 out
  if ! out=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
      --create --if-not-exists --topic "$name" --partitions "$partitions" --replication-factor "$REPLICATION" 2>&1); then
    # --if-not-exists covers most races; a concurrent creator can still win.
    grep -q 'TopicExistsException\|already exists' <<<"$out" || { echo "$out" >&2; die "creating topic $name failed"; }
  fi
  local rf=""
  ((REPLICATION == 1)) || rf=", replication factor $REPLICATION"
  if grep -q '^Created topic' <<<"$out"; then
    log "topic $name: created ($partitions partitions$rf)"
  else
    log "topic $name: already exists"
  fi
}

# Creates the gateway's topics that do not exist yet (one JVM per missing topic, in parallel).
ensure_topics() {
  local existing topic pid pids=() failed=0
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list 2>&1) ||
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
  set_brokers "$(recorded_brokers)"
  # Every node at once: a cluster's last brokers would otherwise wait for controllers
  # that are already gone.
  local i pid pids=()
  for ((i = 1; i <= BROKERS; i++)); do
    select_node "$i"
    pid=$(broker_pid) || continue
    if ((wipe && BROKERS > 1)); then
      log "${NODE_TAG}killing broker (pid $pid)"
      kill -KILL "$pid" 2>/dev/null || true
    else
      log "${NODE_TAG}stopping broker (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    pids+=("$pid")
  done
  if ((${#pids[@]})); then
    local deadline=$((SECONDS + STOP_TIMEOUT))
    for pid in "${pids[@]}"; do
      while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
      if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid still running after ${STOP_TIMEOUT}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
      fi
    done
    log "stopped"
  else
    log "not running (data $DATA)"
  fi
  for ((i = 1; i <= BROKERS; i++)); do
    select_node "$i"
    rm -f "$PID_FILE"
  done
  if ((wipe)) && [[ -d $DATA ]]; then
    # Only delete a directory that looks like ours.
    [[ $DATA != / && ( -f $DATA/server.properties || -d $DATA/kraft-logs || -d $DATA/logs || -f $BROKERS_FILE ) ]] ||
      die "refusing to wipe $DATA: it does not look like a kafka.sh data directory"
    rm -rf -- "$DATA"
    log "wiped $DATA"
  fi
}

# Status of the selected node: 0 running, 1 alive but not accepting connections, 3 not running.
node_status() {
  local pid
  if pid=$(broker_pid); then
    if port_open "$NODE_PORT"; then
      log "${NODE_TAG}running: pid $pid, $HOST:$NODE_PORT, data $NODE_DIR"
      return 0
    fi
    log "${NODE_TAG}process $pid is alive but $HOST:$NODE_PORT does not accept connections"
    return 1
  fi
  if port_open "$NODE_PORT"; then
    log "${NODE_TAG}not running from $NODE_DIR, but another process listens on $HOST:$NODE_PORT"
  else
    log "${NODE_TAG}not running (port $NODE_PORT, data $NODE_DIR)"
  fi
  return 3
}

cmd_status() {
  set_brokers "$(recorded_brokers)"
  if ((BROKERS == 1)); then
    select_node 1
    node_status
    return
  fi
  local i rc running=0
  for ((i = 1; i <= BROKERS; i++)); do
    select_node "$i"
    rc=0
    node_status || rc=$?
    ((rc == 0)) && running=$((running + 1))
  done
  log "$running of $BROKERS brokers running (bootstrap.servers=$BOOTSTRAP)"
  ((running == BROKERS)) && return 0
  ((running > 0)) && return 1
  return 3
}

cmd_kill_node() {
  set_brokers "$(recorded_brokers)"
  node_argument "${1:-}" kill-node
  local pid
  pid=$(broker_pid) || die "${NODE_TAG}not running (data $NODE_DIR)"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  log "${NODE_TAG}killed (SIGKILL, pid $pid)"
}

cmd_start_node() {
  set_brokers "$(recorded_brokers)"
  node_argument "${1:-}" start-node
  [[ -f $LOG_DIRS/meta.properties ]] || die "${NODE_TAG}no formatted storage in $LOG_DIRS (run: scripts/kafka.sh start)"
  local pid
  if pid=$(broker_pid); then
    log "${NODE_TAG}already running on $HOST:$NODE_PORT (pid $pid)"
    return 0
  fi
  check_node_ports
  local t0=$SECONDS
  ensure_prereqs
  write_config
  launch_node
  wait_started "$LAUNCH_OFFSET"
  log "${NODE_TAG}broker up (pid $(cat "$PID_FILE")) after $((SECONDS - t0))s"
}

# Waits until a broker on the port (ours or not) answers a metadata request.
cmd_wait() {
  set_brokers "$(recorded_brokers)"
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$PORT"; do
    ((SECONDS < deadline)) || die "nothing listens on $HOST:$PORT after ${START_TIMEOUT}s"
    sleep 0.5
  done
  ensure_prereqs
  fetch
  local left=$((deadline - SECONDS))
  ((left > 5)) || left=5
  TOOL_TIMEOUT=$left kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list >/dev/null ||
    die "the broker on $BOOTSTRAP did not answer within ${START_TIMEOUT}s"
  log "broker on $BOOTSTRAP answers requests"
}

main() {
  [[ $PORT =~ ^[0-9]+$ && $CONTROLLER_PORT =~ ^[0-9]+$ ]] || die "IIOT_KAFKA_PORT must be a number"
  [[ $PARTITIONS =~ ^[1-9][0-9]*$ ]] || die "IIOT_KAFKA_PARTITIONS must be a positive number"
  local cmd=${1:-}
  shift || true
  case $cmd in
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status ;;
    wait) cmd_wait ;;
    create-topic) set_brokers "$(recorded_brokers)" && cmd_create_topic "$@" ;;
    kill-node) cmd_kill_node "$@" ;;
    start-node) cmd_start_node "$@" ;;
    bootstrap) set_brokers "$(recorded_brokers)" && echo "$BOOTSTRAP" ;;
    fetch) ensure_prereqs && fetch && log "jars cached in $CACHE" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
