#!/usr/bin/env bash
# Prints the path of the Centrifugo binary the benchmark compares the gateway with, building it
# on first use: `go install github.com/centrifugal/centrifugo/v6@v6.9.1` into a cache directory
# outside the repository (nothing of Centrifugo is kept in the repository but its config here).
#
#   bench/peers/centrifugo.sh            # the binary's path on stdout; build output on stderr
#
# Environment: IIOT_BENCH_PEERS_DIR  the cache (default ${XDG_CACHE_HOME:-$HOME/.cache}/iiot-bench/peers)
#              CENTRIFUGO_VERSION    default v6.9.1
set -euo pipefail

version="${CENTRIFUGO_VERSION:-v6.9.1}"
cache="${IIOT_BENCH_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iiot-bench/peers}"
dir="$cache/centrifugo-$version"
binary="$dir/centrifugo"

if [[ ! -x "$binary" ]]; then
  command -v go >/dev/null || { echo "centrifugo.sh: go is not installed" >&2; exit 2; }
  mkdir -p "$dir"
  echo "centrifugo.sh: building Centrifugo $version into $dir (takes minutes, once)" >&2
  # A temporary GOBIN, renamed when complete, so an interrupted build never leaves a binary.
  tmp="$(mktemp -d "$dir/build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  GOBIN="$tmp" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/centrifugal/centrifugo/v6@$version" >&2
  mv "$tmp/centrifugo" "$binary"
fi
"$binary" version >/dev/null 2>&1 || { echo "centrifugo.sh: $binary does not run" >&2; exit 1; }
echo "$binary"
