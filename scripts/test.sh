#!/usr/bin/env bash
# Runs every test: formatting check, release build + unit tests, asan-ubsan build + unit tests,
# then the integration and end-to-end tests against a real Kafka broker started by
# scripts/kafka.sh, the cluster tests against a 3-broker cluster of its own, and a smoke run of
# the benchmark driver. Installs missing packages first.
#
#   scripts/test.sh            everything
#   scripts/test.sh cluster    only the cluster tests (after a release build)
#   IIOT_TEST_SKIP_ASAN=1      skip the sanitizer build (local iterations)
#   IIOT_TEST_CLUSTER_PORT     client port of the cluster's node 1, default 29092 (nodes 2 and 3
#                              on the next ports, controllers 1000 above)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${IIOT_BUILD_JOBS:-$(nproc)}

step() { printf '\n==> %s\n' "$*"; }

# The tests labelled "cluster" against a 3-broker KRaft cluster on ports apart from the single
# broker's, started here (and stopped and wiped on the way out) unless one already runs there.
cluster_tests() {
  step "cluster tests (3 brokers)"
  local t0=$SECONDS
  export IIOT_KAFKA_PORT=${IIOT_TEST_CLUSTER_PORT:-29092}
  unset IIOT_KAFKA_CONTROLLER_PORT IIOT_KAFKA_DATA
  cluster_started=0
  if ! scripts/kafka.sh status >/dev/null 2>&1; then
    trap 'scripts/kafka.sh stop --wipe || true' EXIT
    cluster_started=1
    scripts/kafka.sh stop --wipe >/dev/null # leftovers of an interrupted run
    scripts/kafka.sh start --brokers 3 --no-topics
  fi
  IIOT_TEST_CLUSTER_BROKERS=$(scripts/kafka.sh bootstrap) \
    ctest --test-dir build/release -L cluster --output-on-failure
  if [[ $cluster_started == 1 ]]; then
    scripts/kafka.sh stop --wipe
    trap - EXIT
  fi
  printf 'cluster tests: %ds\n' "$((SECONDS - t0))"
}

if [[ ${1:-} == cluster ]]; then
  cluster_tests
  exit 0
fi

step "dependencies"
scripts/install-deps.sh

step "clang-format check"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run -Werror "${sources[@]}"

step "release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

step "unit tests (release)"
ctest --preset unit -j "$jobs"

if [[ "${IIOT_TEST_SKIP_ASAN:-0}" != 1 ]]; then
  step "asan-ubsan build and unit tests"
  cmake --preset asan-ubsan >/dev/null
  # Only the unit-test binaries: the sanitizer run is about the code under unit test.
  cmake --build --preset asan-ubsan -j "$jobs" --target config_test model_test \
    observability_test processing_test push_test ingest_test device_simulator_test \
    websocket_client_test
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --preset asan-ubsan -j "$jobs"
fi

step "Kafka broker"
broker_started=0
if ! scripts/kafka.sh status >/dev/null 2>&1; then
  scripts/kafka.sh start
  broker_started=1
fi
cleanup() {
  if [[ $broker_started == 1 ]]; then scripts/kafka.sh stop --wipe || true; fi
}
trap cleanup EXIT

step "integration and end-to-end tests (real broker)"
ctest --test-dir build/release -L integration -LE cluster --output-on-failure

# Runs the installed service against the single broker, so before that broker is stopped.
step "Debian package: build, systemd-analyze verify, dpkg -i, run as the service user, purge"
if [[ $(id -u) -eq 0 ]]; then
  scripts/package-test.sh
else
  echo "skipped: scripts/package-test.sh installs a package and needs root"
fi

# The single broker has done its part: its memory and CPU go to the cluster.
cleanup
broker_started=0

(cluster_tests)

step "benchmark driver smoke run (tiny sizes; figures are not checked)"
ctest --test-dir build/release -L bench --output-on-failure

step "all tests passed"
