#!/usr/bin/env bash
# Builds the Debian package, checks its systemd unit, installs it on this machine with dpkg -i,
# validates the installed configuration, runs the installed service briefly against the Kafka
# broker as the service user (the unit's ExecStart line, run with runuser: containers have no
# systemd as PID 1), and removes the package again (purge). Needs root (dpkg) and a running
# broker (scripts/kafka.sh start; IIOT_TEST_BROKERS names it, default 127.0.0.1:9092).
set -euo pipefail
cd "$(dirname "$0")/.."

brokers=${IIOT_TEST_BROKERS:-127.0.0.1:9092}
jobs=${IIOT_JOBS:-2}
step() { printf '\n==> %s\n' "$*"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
  fail "run as root (dpkg -i, adduser, runuser)"
fi
if dpkg-query -W -f='${Status}' iiot-gateway 2>/dev/null | grep -q "install ok installed"; then
  fail "iiot-gateway is already installed on this machine; remove it first (dpkg --purge iiot-gateway)"
fi

step "build the .deb (preset package: prefix /usr)"
cmake --preset package >/dev/null
cmake --build --preset package -j "$jobs" --target consumer device_simulator websocket_client
rm -f build/package/iiot-gateway_*.deb
(cd build/package && cpack -G DEB >/dev/null)
deb=$(ls build/package/iiot-gateway_*.deb)
echo "$deb"
dpkg-deb --info "$deb" | sed -n '/Package:/,/Description:/p'
contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/consumer ./usr/bin/device_simulator ./usr/bin/websocket_client \
  ./etc/iiot-gateway/gateway.yaml ./usr/lib/systemd/system/iiot-gateway.service; do
  grep -q " $path\$" <<<"$contents" || fail "$deb lacks $path"
done
depends=$(dpkg-deb --field "$deb" Depends)
for lib in librdkafka libyaml-cpp libspdlog adduser; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

workdir=$(mktemp -d /tmp/iiot-package-test-XXXXXX)
chmod 755 "$workdir"
service_pid=
installed=0
cleanup() {
  if [[ -n $service_pid ]] && kill -0 "$service_pid" 2>/dev/null; then kill -KILL "$service_pid" || true; fi
  if [[ $installed == 1 ]]; then dpkg --purge iiot-gateway >/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

step "install with dpkg -i"
dpkg -i "$deb"
installed=1
getent passwd iiot-gateway >/dev/null || fail "postinst did not create the user iiot-gateway"
[[ $(getent passwd iiot-gateway | cut -d: -f7) == */nologin || $(getent passwd iiot-gateway | cut -d: -f7) == /bin/false ]] ||
  fail "the service user has a login shell"
[[ $(stat -c '%U:%G %a' /etc/iiot-gateway/gateway.yaml) == "root:iiot-gateway 640" ]] ||
  fail "gateway.yaml is $(stat -c '%U:%G %a' /etc/iiot-gateway/gateway.yaml), expected root:iiot-gateway 640"
unit=/usr/lib/systemd/system/iiot-gateway.service

step "systemd-analyze verify $unit"
if verify_out=$(systemd-analyze verify "$unit" 2>&1); then
  echo "${verify_out:-unit ok}"
else
  echo "$verify_out"
  fail "systemd-analyze verify rejected the unit"
fi
if command -v systemd-analyze >/dev/null && systemd-analyze security --help >/dev/null 2>&1; then
  # Exposure score of the hardening options (offline; informational).
  systemd-analyze security --offline=true "$unit" 2>/dev/null | tail -1 || true
fi

step "consumer --check-config as the service user"
runuser -u iiot-gateway -- /usr/bin/consumer --check-config -c /etc/iiot-gateway/gateway.yaml

step "run the unit's ExecStart as the service user against $brokers"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ -n $exec_start ]] || fail "no ExecStart in $unit"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
suffix=$$-$(date +%s)
data_topic=iiot-pkg-data-$suffix
alert_topic=iiot-pkg-alerts-$suffix
# The topics come into being with the first records (the broker auto-creates them).
/usr/bin/device_simulator --brokers "$brokers" --devices 2 --count 2 --topic-data "$data_topic" \
  --topic-alerts "$alert_topic" --alert-rate 1 --duration 2s -q >/dev/null
# The service's own environment overrides (CONTRACT section 4) point it at the test's topics
# and port; everything else comes from the installed /etc/iiot-gateway/gateway.yaml.
# shellcheck disable=SC2086
runuser -u iiot-gateway -- env IIOT_WEBSOCKET_PORT="$port" IIOT_WEBSOCKET_HOST=127.0.0.1 \
  IIOT_KAFKA_BROKERS="$brokers" IIOT_KAFKA_TOPICS_DEVICE_DATA="$data_topic" \
  IIOT_KAFKA_TOPICS_ALERTS="$alert_topic" IIOT_KAFKA_TOPICS_DEAD_LETTER="iiot-pkg-dlq-$suffix" \
  IIOT_KAFKA_AUTO_OFFSET_RESET=earliest \
  $exec_start >"$workdir/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break
  kill -0 "$service_pid" 2>/dev/null || { cat "$workdir/service.log"; fail "the service exited"; }
  sleep 0.1
done
curl -fs "http://127.0.0.1:$port/ready" >/dev/null || { cat "$workdir/service.log"; fail "/ready never 200"; }
# runuser forks: the service is its child (env execs into consumer).
consumer_pid=$(pgrep -P "$service_pid" -x consumer) || fail "no consumer process under runuser"
[[ $(ps -o user= -p "$consumer_pid" | tr -d ' ') == iiot-gateway ]] ||
  fail "the service does not run as iiot-gateway"
for _ in $(seq 1 300); do
  consumed=$(curl -fs "http://127.0.0.1:$port/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_messages"])')
  ((consumed >= 2)) && break
  sleep 0.1
done
((consumed >= 2)) || fail "the installed service consumed $consumed records, expected at least the 2 device records"
metrics=$(curl -fs "http://127.0.0.1:$port/metrics")
grep -q '^iiot_kafka_to_client_latency_seconds_count ' <<<"$metrics" ||
  fail "/metrics lacks the latency histograms"
echo "the installed service consumed $consumed records on port $port"
# SIGTERM to the service itself (as systemd sends it); runuser passes its exit status on.
kill -TERM "$consumer_pid"
status=0
wait "$service_pid" || status=$?
service_pid=
((status == 0)) || { cat "$workdir/service.log"; fail "the service exited with $status after SIGTERM"; }
grep -q "group iiot-gateway-$(hostname)-$port" "$workdir/service.log" ||
  fail "group_id was not expanded: $(grep 'as group' "$workdir/service.log")"

step "remove the package"
dpkg --purge iiot-gateway
installed=0
[[ ! -e /usr/bin/consumer && ! -e "$unit" && ! -e /etc/iiot-gateway ]] || fail "files left after purge"
echo "package test passed: $deb"
