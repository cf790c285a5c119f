#!/usr/bin/env bash
# Runs every test: formatting check, release build + unit tests, asan-ubsan build + unit tests,
# then the integration and end-to-end tests against a real Kafka broker started by
# scripts/kafka.sh, and a smoke run of the benchmark driver. Installs missing packages first.
#
#   scripts/test.sh            everything
#   IIOT_TEST_SKIP_ASAN=1      skip the sanitizer build (local iterations)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${IIOT_BUILD_JOBS:-$(nproc)}

step() { printf '\n==> %s\n' "$*"; }

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
ctest --test-dir build/release -L integration --output-on-failure

step "benchmark driver smoke run (tiny sizes; figures are not checked)"
ctest --test-dir build/release -L bench --output-on-failure

step "all tests passed"
