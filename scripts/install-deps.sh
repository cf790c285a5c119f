#!/usr/bin/env bash
# Installs the Debian 12 packages the gateway needs to build, test and run its demo, when any is
# missing. clang-14 and its fuzzer runtime build the fuzz preset (scripts/fuzz.sh), clang-tidy-14
# checks changed files (scripts/tidy.sh). Java and Maven are used only by scripts/kafka.sh to fetch
# and run the Kafka broker.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libsimdjson-dev
  libyaml-cpp-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  libssl-dev openssl libjwt-dev clang-format ccache python3 python3-websockets curl jq
  prometheus haproxy chromium nodejs npm
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-tidy-14
  openjdk-17-jre-headless maven
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A JDK from elsewhere (e.g. Temurin) is fine for the broker.
if command -v java >/dev/null 2>&1; then
  missing=("${missing[@]/openjdk-17-jre-headless}")
fi
if command -v mvn >/dev/null 2>&1; then
  missing=("${missing[@]/maven}")
fi
# So is a Node.js 18+ with npm from elsewhere (e.g. NodeSource) for the browser test.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}")
  missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]} > 0)); then
  echo "installing: ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The dashboard's browser test: playwright-core from npm, pinned by its package-lock.json, into
# the test's own folder. It drives Debian's chromium; no browser is downloaded.
browser_test_dir="$(dirname "$0")/../tests/ops/browser"
if [[ ! -d "$browser_test_dir/node_modules/playwright-core" ]]; then
  (cd "$browser_test_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
