#!/usr/bin/env bash
# Installs the Debian 12 packages the gateway needs to build, test and run its demo, when any is
# missing. Java and Maven are used only by scripts/kafka.sh to fetch and run the Kafka broker.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libsimdjson-dev
  libyaml-cpp-dev libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev
  libssl-dev libjwt-dev clang-format ccache python3 python3-websockets curl jq
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
read -r -a missing <<<"${missing[*]}"

if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
