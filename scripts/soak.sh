#!/usr/bin/env bash
# scripts/soak.sh - a long run of the gateway under steady load, watching for leaks (not in CI).
#
# Runs bin/consumer against a Kafka broker (or cluster) already running, fed by
# bin/device_simulator at a fixed record rate, with bin/bench_load_client holding the WebSocket
# clients: most of them read everything they get, a share of them stall (connect, subscribe,
# then never read again), as a plant's frozen dashboards do. Samples the gateway's resident
# memory (VmRSS of /proc/<pid>/status), open descriptors (/proc/<pid>/fd) and threads at the
# start, every --sample-every and at the end; prints every /stats counter at the end and the
# drift of memory and descriptors in percent:
#   from start     first sample (clients connected, records flowing) to the last one
#   from baseline  the first sample at least --settle after the start, and once the resume ring
#                  is full (/stats resume.ring_bytes at 90 % of ring_capacity_bytes), to the last
#                  one: the leak figure. By then the stalled clients are gone (with the default
#                  timeouts a client that stops reading stops answering pings, and is closed
#                  ping_interval 54 s + client_timeout 60 s after it stalled) and memory has grown
#                  to its working size: the ring (resume.memory_bytes, 64 MiB by default) fills in
#                  about 7 minutes at 100 records/s, the device state store with the first
#                  record of each device. A run with no such sample but the last has no
#                  baseline: only the drift from the start.
# Exit status 0 if the gateway ran to the end and the baseline drift of memory and descriptors
# is within --max-drift percent, 1 otherwise, 2 for a usage error.
#
# Usage:
#   scripts/soak.sh [--minutes 30] [--rate 100] [--clients 1000] [--stall-percent 10]
#                   [--match-fraction 0.1] [--devices 1000] [--alert-rate 1]
#                   [--brokers 127.0.0.1:9092] [--sample-every 60] [--settle 300]
#                   [--max-drift 5] [--out DIR]
#
#   --minutes         length of the run (records flow the whole time)
#   --rate            device-data records per second (the simulator paces them)
#   --clients         WebSocket clients in all; --stall-percent of them stall
#   --match-fraction  share of the devices each client's filter selects (>= 1: every event)
#   --brokers         bootstrap servers; the topics (uniquely named, 4 partitions) are created
#                     through scripts/kafka.sh on the port of the first one
#   --out             logs, configuration, samples.tsv, stats.json (default /tmp/iiot-soak-<time>)
# Needs curl and jq (scripts/install-deps.sh). IIOT_BIN_DIR (default <repo>/bin) holds consumer,
# device_simulator and bench_load_client (cmake --build --preset release --target consumer
# device_simulator bench_load_client).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${IIOT_BIN_DIR:-$root/bin}

minutes=30 rate=100 clients=1000 stall_percent=10 match_fraction=0.1 devices=1000 alert_rate=1
brokers=127.0.0.1:9092 sample_every=60 settle=300 max_drift=5 out=""

log() { printf 'soak: %s\n' "$*"; }
die() { printf 'soak: error: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '/^# Usage:/,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --minutes) minutes=${2:-} ;;
    --rate) rate=${2:-} ;;
    --clients) clients=${2:-} ;;
    --stall-percent) stall_percent=${2:-} ;;
    --match-fraction) match_fraction=${2:-} ;;
    --devices) devices=${2:-} ;;
    --alert-rate) alert_rate=${2:-} ;;
    --brokers) brokers=${2:-} ;;
    --sample-every) sample_every=${2:-} ;;
    --settle) settle=${2:-} ;;
    --max-drift) max_drift=${2:-} ;;
    --out) out=${2:-} ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift 2 || die "$1 needs a value"
done
for n in minutes rate clients stall_percent devices alert_rate sample_every settle max_drift; do
  [[ ${!n} =~ ^[0-9]+$ ]] || die "--${n//_/-} must be a whole number (got '${!n}')"
done
((minutes > 0 && clients > 0 && sample_every > 0)) || die "--minutes, --clients and --sample-every must be positive"
((stall_percent <= 100)) || die "--stall-percent must be 0..100 (got $stall_percent)"
[[ $match_fraction =~ ^[0-9]*\.?[0-9]+$ ]] || die "--match-fraction must be a number (got '$match_fraction')"
for tool in consumer device_simulator bench_load_client; do
  [[ -x $bin/$tool ]] || die "$bin/$tool is missing: cmake --build --preset release --target consumer device_simulator bench_load_client"
done

stamp=$(date +%Y%m%d-%H%M%S)
out=${out:-/tmp/iiot-soak-$stamp}
mkdir -p "$out"
stalled=$((clients * stall_percent / 100))
readers=$((clients - stalled))
duration_s=$((minutes * 60))
first_broker=${brokers%%,*}
kafka_port=${first_broker##*:}

# ---------------------------------------------------------------------------------------------
# Set-up: topics, gateway, clients, simulator. Everything started here is stopped on the way out.
# ---------------------------------------------------------------------------------------------

pids=()
gateway_pid=""
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  if [[ -n $gateway_pid ]] && kill -0 "$gateway_pid" 2>/dev/null; then
    kill -TERM "$gateway_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$gateway_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$gateway_pid" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

topic_prefix="soak-$stamp-$$"
data_topic=$topic_prefix.device-data
alerts_topic=$topic_prefix.alerts
dead_letter_topic=$topic_prefix.dead-letter
log "topics $topic_prefix.* on $brokers"
for topic in "$data_topic" "$alerts_topic" "$dead_letter_topic"; do
  IIOT_KAFKA_PORT=$kafka_port "$root/scripts/kafka.sh" create-topic "$topic" 4 >>"$out/topics.log" 2>&1 ||
    { cat "$out/topics.log" >&2; die "cannot create topic $topic on $brokers (is a broker running? scripts/kafka.sh start)"; }
done

ws_port=$(free_port)
yaml_brokers=$(sed 's/[^,][^,]*/"&"/g; s/,/, /g' <<<"$brokers")
cat >"$out/consumer.yaml" <<EOF
# Generated by scripts/soak.sh.
websocket:
  host: "127.0.0.1"
  port: $ws_port
  max_connections: $((clients + 100))
kafka:
  brokers: [$yaml_brokers]
  group_id: "iiot-soak-$stamp-$$"
  client_id: "iiot-soak"
  topics: {device_data: "$data_topic", alerts: "$alerts_topic", dead_letter: "$dead_letter_topic"}
  auto_offset_reset: "latest"
  properties:
    fetch.wait.max.ms: "5"
log:
  level: "warn"
EOF

# A thousand clients need a thousand descriptors in the gateway and in the load clients.
ulimit -n "$(ulimit -Hn)"
"$bin/consumer" -c "$out/consumer.yaml" >"$out/consumer.log" 2>&1 &
gateway_pid=$!
log "gateway pid $gateway_pid on 127.0.0.1:$ws_port (log $out/consumer.log)"
deadline=$((SECONDS + 120))
until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$ws_port/ready" || true) == 200 ]]; do
  kill -0 "$gateway_pid" 2>/dev/null || { tail -20 "$out/consumer.log" >&2; die "the gateway exited during start-up"; }
  ((SECONDS < deadline)) || die "the gateway was not ready within 120 s (log $out/consumer.log)"
  sleep 0.5
done

# The clients stay connected a little longer than the records flow.
client_duration=$((duration_s + 5 * sample_every + 120))
start_clients() { # name connections mode index_base
  "$bin/bench_load_client" --addr "127.0.0.1:$ws_port" --connections "$2" --mode "$3" \
    --index-base "$4" --match-fraction "$match_fraction" --devices "$devices" \
    --id-prefix sensor- --id-base 1 --connect-rate 500 --warmup 0s --duration "${client_duration}s" \
    --label "$1" --json-out "$out/$1.json" >"$out/$1.log" 2>&1 &
  pids+=($!)
  groups+=("$1")
}
groups=()
((readers == 0)) || start_clients readers "$readers" fast 0
((stalled == 0)) || start_clients stalled "$stalled" stall "$readers"
for name in "${groups[@]}"; do
  deadline=$((SECONDS + 60 + clients / 100))
  until grep -qs '^READY' "$out/$name.log"; do
    ((SECONDS < deadline)) || die "the $name clients did not connect in time (log $out/$name.log)"
    sleep 0.5
  done
  log "$name clients: $(grep '^READY' "$out/$name.log")"
done

"$bin/device_simulator" --brokers "$brokers" --devices "$devices" --rate "$rate" \
  --alert-rate "$alert_rate" --duration "${duration_s}s" --progress-interval 0 \
  --topic-data "$data_topic" --topic-alerts "$alerts_topic" -q >"$out/simulator.log" 2>&1 &
simulator_pid=$!
pids+=("$simulator_pid")
log "$minutes min at $rate records/s (+ $alert_rate alerts/s), $readers reading and $stalled stalled clients, match fraction $match_fraction"

# ---------------------------------------------------------------------------------------------
# Sampling
# ---------------------------------------------------------------------------------------------

proc_value() { # key of /proc/<pid>/status, in its unit
  awk -v k="$1:" '$1 == k { print $2 }' "/proc/$gateway_pid/status"
}
stat_counter() { # a top-level /stats number
  jq -r ".$1 // \"?\"" <<<"$2"
}
samples=()
t_start=$SECONDS
printf 'elapsed_s\trss_kib\tfds\tthreads\tactive_clients\ttotal_messages\tdropped_messages\tring_full\n' >"$out/samples.tsv"
sample() {
  kill -0 "$gateway_pid" 2>/dev/null || return 1
  local rss fds threads stats
  rss=$(proc_value VmRSS)
  threads=$(proc_value Threads)
  fds=$(find "/proc/$gateway_pid/fd" -mindepth 1 -maxdepth 1 | wc -l)
  stats=$(curl -s --max-time 10 "http://127.0.0.1:$ws_port/stats" || echo '{}')
  local line
  # 1 once the ring holds 90 % of its budget (or there is no ring): memory at working size.
  local ring_full
  ring_full=$(jq -r '.resume as $r | if ($r.ring_capacity_bytes // 0) == 0 then 1
    elif $r.ring_bytes >= 0.9 * $r.ring_capacity_bytes then 1 else 0 end' <<<"$stats" 2>/dev/null ||
    echo 0)
  line=$(printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$((SECONDS - t_start))" "$rss" "$fds" "$threads" \
    "$(stat_counter active_clients "$stats")" "$(stat_counter total_messages "$stats")" \
    "$(stat_counter dropped_messages "$stats")" "$ring_full")
  printf '%s\n' "$line" >>"$out/samples.tsv"
  samples+=("$line")
  printf 'soak: t=%5ss rss=%s KiB fds=%s threads=%s active_clients=%s total_messages=%s dropped=%s ring_full=%s\n' \
    $line
}

sample || die "the gateway died"
next=$((t_start + sample_every))
gateway_alive=1
while kill -0 "$simulator_pid" 2>/dev/null; do
  if ((SECONDS >= next)); then
    sample || { gateway_alive=0; break; }
    next=$((next + sample_every))
  fi
  sleep 1
done
simulator_status=0
wait "$simulator_pid" || simulator_status=$?
running=()
for pid in "${pids[@]}"; do [[ $pid == "$simulator_pid" ]] || running+=("$pid"); done
pids=("${running[@]}")
log "simulator: $(tail -n 3 "$out/simulator.log" | grep 'data_sent=' || echo "exit status $simulator_status")"
if ((gateway_alive)); then
  sleep 2 # the last records reach the clients
  sample || gateway_alive=0
fi

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

status=0
if ((!gateway_alive)); then
  log "FAILED: the gateway exited during the run (log $out/consumer.log):"
  tail -n 20 "$out/consumer.log"
  exit 1
fi
curl -s --max-time 10 "http://127.0.0.1:$ws_port/stats" >"$out/stats.json"
log "every /stats counter at the end (the per-client list is in $out/stats.json):"
jq -r 'del(.clients) | paths(scalars) as $p | "  \($p | map(tostring) | join(".")) = \(getpath($p))"' "$out/stats.json"
jq -r '.clients // [] | "  clients listed: \(length), sent \(map(.sent // 0) | add // 0), dropped \(map(.dropped // 0) | add // 0), queued bytes \(map(.queue_bytes // 0) | add // 0)"' "$out/stats.json"

# Field n (1-based) of the first sample at or after t seconds, and of the last sample.
field_at() { printf '%s\n' "${samples[@]}" | awk -F'\t' -v t="$1" -v n="$2" '$1 >= t { print $n; exit }'; }
field_last() { printf '%s\n' "${samples[-1]}" | cut -f"$1"; }
drift() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%+.1f", (b - a) * 100 / a; else print "n/a" }'; }
within() { awk -v d="$1" -v m="$max_drift" 'BEGIN { d = d < 0 ? -d : d; exit !(d <= m) }'; }

# The baseline: the first sample at least --settle in with the ring full, if it is not the last.
baseline_t=$(printf '%s\n' "${samples[@]::${#samples[@]}-1}" |
  awk -F'\t' -v t="$settle" '$1 >= t && $8 == 1 { print $1; exit }')
if [[ -n $baseline_t ]]; then
  log "samples: $out/samples.tsv; baseline at t=${baseline_t}s (the first sample at least ${settle}s in with the resume ring full)"
else
  log "samples: $out/samples.tsv; no baseline: no sample but the last was at least --settle ${settle}s in with the resume ring full"
fi
for metric in "rss_kib 2" "fds 3"; do
  read -r name n <<<"$metric"
  first=$(field_at 0 "$n")
  last=$(field_last "$n")
  from_start=$(drift "$first" "$last")
  if [[ -z $baseline_t ]]; then
    log "$name: start $first, end $last; drift from start ${from_start}%"
    continue
  fi
  base=$(field_at "$baseline_t" "$n")
  from_base=$(drift "$base" "$last")
  verdict="within ${max_drift}%"
  within "$from_base" || { verdict="ABOVE ${max_drift}%"; status=1; }
  log "$name: start $first, baseline $base, end $last; drift from start ${from_start}%, from baseline ${from_base}% ($verdict)"
done
exit "$status"
