#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ (the `fuzz` preset: clang-14, ASan and UBSan) and runs each
# for the given time on its seed corpus fuzz/corpus/<target>/. Inputs that reach new code go to
# build/fuzz/corpus/<target>/ (not committed), crashing inputs to build/fuzz/artifacts/. Prints
# each target's final statistics; exits non-zero when a target crashed.
#
#   scripts/fuzz.sh [seconds] [target...]   default 60 s, every target
#   IIOT_FUZZ_JOBS=n                        targets run n at a time (default: the number of cores)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(device_data_fuzz alert_fuzz client_frame_fuzz config_fuzz)
fi
jobs=${IIOT_FUZZ_JOBS:-$(nproc)}
build=build/fuzz

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${IIOT_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"

mkdir -p "$build/artifacts" "$build/logs"
run_one() {
  local target=$1
  mkdir -p "$build/corpus/$target"
  "$build/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
    -artifact_prefix="$build/artifacts/$target-" \
    "$build/corpus/$target" "fuzz/corpus/$target" >"$build/logs/$target.log" 2>&1
}

declare -A pid_of=()
failed=()
wait_for() {
  local target=$1
  if ! wait "${pid_of[$target]}"; then failed+=("$target"); fi
  local done_line
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$build/logs/$target.log" | tail -n 1 || true)
  printf '%-18s %s\n' "$target" "${done_line:-(no final line)}"
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$build/logs/$target.log" | sed 's/^/    /' || true
}

running=()
for target in "${targets[@]}"; do
  if ((${#running[@]} >= jobs)); then
    wait_for "${running[0]}"
    running=("${running[@]:1}")
  fi
  run_one "$target" &
  pid_of[$target]=$!
  running+=("$target")
done
for target in "${running[@]}"; do wait_for "$target"; done

if ((${#failed[@]} > 0)); then
  for target in "${failed[@]}"; do
    printf '\n==> %s failed; end of %s:\n' "$target" "$build/logs/$target.log"
    tail -n 60 "$build/logs/$target.log"
  done
  exit 1
fi
