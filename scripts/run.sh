#!/usr/bin/env bash
# The main job on the embedded default, for a fresh machine: builds arcgw and runs `arcgw demo`:
# the ZAS simulator and the gateway on loopback over mutual TLS (certificates made for the run),
# SQLite in a temporary directory, announcements of every key group and every simulator outcome
# submitted through the HTTP API, and a table of the states they reached.
# Arguments go to `arcgw demo` (e.g. --serve, --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release -- demo "$@"
