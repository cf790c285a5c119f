#!/usr/bin/env bash
# Runs every check of the project, as CI does: formatting, clang-tidy on the changed files, the
# release build and its unit tests, the plain CMake build a packager runs, the fuzz targets, the
# asan-ubsan and tsan builds with their unit tests, then against a real Kafka broker started by
# scripts/kafka.sh: the integration and end-to-end tests of the release build and of asan-ubsan,
# the end-to-end tests of tsan,
# the package test, the cluster tests against a 3-broker cluster
# of its own, and a smoke run of the benchmark driver. Installs missing packages first. Each step
# prints how long it took.
#
#   scripts/test.sh            everything
#   scripts/test.sh cluster    only the cluster tests (after a release build)
#   IIOT_TEST_SKIP_SANITIZERS=1  skip the asan-ubsan and tsan builds and runs (local iterations;
#                              IIOT_TEST_SKIP_ASAN=1 is the older spelling)
#   IIOT_TEST_SKIP_FUZZ=1      skip the fuzz targets
#   IIOT_TIDY_BASE=<commit>    what clang-tidy compares HEAD with (default HEAD~1)
#   IIOT_FUZZ_SECONDS=<n>      time per fuzz target (default 60)
#   IIOT_TEST_CLUSTER_PORT     client port of the cluster's node 1, default 29092 (nodes 2 and 3
#                              on the next ports, controllers 1000 above)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
jobs=${IIOT_BUILD_JOBS:-$(nproc)}
# ccache keys on paths relative to the checkout, so every clone shares one cache.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1

sanitizers=1
if [[ "${IIOT_TEST_SKIP_SANITIZERS:-${IIOT_TEST_SKIP_ASAN:-0}}" == 1 ]]; then sanitizers=0; fi

step_started=$SECONDS
step_name=""
step_done() {
  if [[ -n $step_name ]]; then
    printf '<== %s: %d s\n' "$step_name" $((SECONDS - step_started))
  fi
}
step() {
  step_done
  step_name=$*
  step_started=$SECONDS
  printf '\n==> %s\n' "$*"
}

# The tests labelled "cluster" against a 3-broker KRaft cluster on ports apart from the single
# broker's, started here (and stopped and wiped on the way out) unless one already runs there.
# Run in a subshell (its exports and its trap stay there) after the caller has opened the step, so
# that the step's time is printed by the caller.
cluster_tests() {
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
  step "cluster tests (3 brokers)"
  (cluster_tests)
  step_done
  exit 0
fi

step "dependencies"
scripts/install-deps.sh

step "clang-format check"
mapfile -t sources < <(git ls-files '*.cpp' '*.h')
clang-format --dry-run -Werror "${sources[@]}"

step "clang-tidy on the C++ files changed since ${IIOT_TIDY_BASE:-HEAD~1}"
cmake --preset release >/dev/null
IIOT_BUILD_JOBS=$jobs scripts/tidy.sh

step "release build"
cmake --build --preset release -j "$jobs"

step "unit tests (release)"
ctest --preset unit -j "$jobs"

# What a packager or a user runs: no preset, the default generator, Release flags (-O3), warnings
# not fatal (IIOT_WERROR is for the presets), with and without the tests. ccache makes the second
# configuration, and later runs, cheap.
step "plain CMake Release build, with and without tests"
cmake -S . -B build/plain -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/plain -j "$jobs"
cmake -S . -B build/plain-no-tests -DCMAKE_BUILD_TYPE=Release -DIIOT_BUILD_TESTS=OFF \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build/plain-no-tests -j "$jobs"

if [[ "${IIOT_TEST_SKIP_FUZZ:-0}" != 1 ]]; then
  step "fuzz targets, ${IIOT_FUZZ_SECONDS:-60} s each"
  IIOT_BUILD_JOBS=$jobs scripts/fuzz.sh "${IIOT_FUZZ_SECONDS:-60}"
fi

if [[ $sanitizers == 1 ]]; then
  # Everything: asan-ubsan runs the unit, integration and end-to-end suites. The integration and
  # end-to-end tests run this build's own bin/consumer (build/asan-ubsan/bin/consumer).
  step "asan-ubsan build and unit tests"
  cmake --preset asan-ubsan >/dev/null
  cmake --build --preset asan-ubsan -j "$jobs"
  ctest --preset asan-ubsan -j "$jobs"

  # The unit tests here; the end-to-end suite (against build/tsan/bin/consumer) once the broker
  # runs. The tsan presets preload tests/sanitizers' C11-threads library, through which TSan sees
  # librdkafka's threads and locks.
  step "tsan build and unit tests"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target unit_tests consumer e2e_tests
  ctest --preset tsan -j "$jobs"

fi

step "Kafka broker"
broker_started=0
if ! scripts/kafka.sh status >/dev/null 2>&1; then
  scripts/kafka.sh stop --wipe >/dev/null # leftovers of an interrupted run: start from empty
  scripts/kafka.sh start
  broker_started=1
fi
cleanup() {
  if [[ $broker_started == 1 ]]; then scripts/kafka.sh stop --wipe || true; fi
}
trap cleanup EXIT

step "integration and end-to-end tests (release, real broker)"
ctest --test-dir build/release -L integration -LE cluster --output-on-failure

if [[ $sanitizers == 1 ]]; then
  step "integration and end-to-end tests (asan-ubsan, real broker)"
  ctest --preset asan-ubsan-kafka
fi

if [[ $sanitizers == 1 ]]; then
  step "end-to-end tests (tsan, real broker)"
  ctest --preset tsan-e2e
fi

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

step "cluster tests (3 brokers)"
(cluster_tests)

step "benchmark driver smoke run (tiny sizes; figures are not checked)"
ctest --test-dir build/release -L bench --output-on-failure

step_done
printf '\n==> all tests passed (%d s)\n' "$SECONDS"
