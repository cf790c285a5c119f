#!/usr/bin/env bash
# Runs clang-tidy (the repository's .clang-tidy) on the C++ files changed between a base commit
# and HEAD, with the release build's compile commands; fails on any finding. Headers and files the
# release build does not compile (fuzz/) borrow the flags of a neighbouring source file. Findings
# are reported in the changed files and in the project headers they include.
#
#   scripts/tidy.sh                       files changed by the last commit
#   IIOT_TIDY_BASE=main scripts/tidy.sh   files this branch changed since it left main
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
base=${IIOT_TIDY_BASE:-HEAD~1}
tidy=${IIOT_CLANG_TIDY:-clang-tidy-14}
jobs=${IIOT_BUILD_JOBS:-$(nproc)}

if ! git rev-parse --verify -q "$base^{commit}" >/dev/null; then
  echo "tidy: base commit $base not found (a shallow clone? fetch more history or set IIOT_TIDY_BASE)" >&2
  exit 2
fi
mapfile -t files < <(git diff --name-only --diff-filter=d "$base"...HEAD -- '*.cpp' '*.h')
if ((${#files[@]} == 0)); then
  echo "tidy: no C++ file changed since $base"
  exit 0
fi
echo "tidy: ${#files[@]} file(s) changed since $base"

# The compile commands come from configuring a preset; nothing needs to be built. fuzz/ is
# compiled by the fuzz preset only.
db_of() {
  case $1 in
    fuzz/*) echo build/fuzz ;;
    *) echo build/release ;;
  esac
}
for f in "${files[@]}"; do
  db=$(db_of "$f")
  if [[ ! -f $db/compile_commands.json ]]; then
    cmake --preset "${db#build/}" >/dev/null
  fi
done

# A component's headers are included through forwarding headers in the build tree
# (cmake/module_boundaries.cmake), so clang-tidy sees them as <build>/include/.../../src/...
header_filter="^$root/((.*/)?\.\./)?(src|tools|bench|tests|fuzz)/"
for f in "${files[@]}"; do printf '%s\0%s\0' "$(db_of "$f")" "$f"; done |
  xargs -0 -n 2 -P "$jobs" sh -c '"$0" -p "$2" "$3" --quiet --header-filter="$1" \
    --warnings-as-errors="*"' "$tidy" "$header_filter"
echo "tidy: no findings"
