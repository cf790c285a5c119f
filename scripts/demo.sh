#!/usr/bin/env bash
# The end-to-end demo: installs what is missing, builds, starts a real Kafka broker, the gateway
# (bin/consumer), the device simulator, and shows live events arriving in bin/websocket_client.
# Ends after IIOT_DEMO_SECONDS (default 30) with the gateway's /stats, and stops what it started.
#
#   scripts/demo.sh                    run the demo
#   IIOT_DEMO_SECONDS=120 scripts/demo.sh
#   IIOT_DEMO_FILTER="--alert-levels critical,error" scripts/demo.sh   (client filter flags)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${IIOT_DEMO_SECONDS:-30}
ws_port=${IIOT_WEBSOCKET_PORT:-8081}
kafka_port=${IIOT_KAFKA_PORT:-9092}
work=$(mktemp -d /tmp/iiot-demo.XXXXXX)
pids=()
broker_started=0

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $broker_started == 1 ]]; then IIOT_KAFKA_PORT=$kafka_port scripts/kafka.sh stop --wipe || true; fi
}
trap cleanup EXIT

echo "==> installing missing packages"
scripts/install-deps.sh

echo "==> building (release)"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target consumer device_simulator websocket_client

echo "==> starting Kafka on 127.0.0.1:$kafka_port"
if ! IIOT_KAFKA_PORT=$kafka_port scripts/kafka.sh status >/dev/null 2>&1; then
  IIOT_KAFKA_PORT=$kafka_port scripts/kafka.sh start
  broker_started=1
fi

echo "==> starting the gateway: bin/consumer -c configs/development.yaml (log: $work/consumer.log)"
IIOT_KAFKA_BROKERS=127.0.0.1:$kafka_port IIOT_WEBSOCKET_PORT=$ws_port \
  bin/consumer -c configs/development.yaml >"$work/consumer.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  if curl -fs "http://127.0.0.1:$ws_port/ready" >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fs "http://127.0.0.1:$ws_port/ready" >/dev/null || {
  echo "the gateway did not become ready; its log:"; tail -20 "$work/consumer.log"; exit 1; }
echo "    ready: http://127.0.0.1:$ws_port/health /ready /stats /metrics, ws://127.0.0.1:$ws_port/ws"

echo "==> starting the device simulator: 25 devices, 20 records/s, 1 alert/s (log: $work/simulator.log)"
bin/device_simulator --brokers "127.0.0.1:$kafka_port" --devices 25 --rate 20 --alert-rate 1 \
  --duration "$((seconds + 5))s" >"$work/simulator.log" 2>&1 &
pids+=($!)

echo "==> live events in bin/websocket_client for ${seconds}s"
# shellcheck disable=SC2086
bin/websocket_client --addr "127.0.0.1:$ws_port" --path /ws --duration "${seconds}s" \
  ${IIOT_DEMO_FILTER:-} || true

echo "==> gateway /stats"
curl -fs "http://127.0.0.1:$ws_port/stats" | python3 -m json.tool | head -40
