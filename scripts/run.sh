#!/usr/bin/env bash
# The main job on the embedded default, for a fresh machine: builds arcgw, validates the shipped
# example announcements (every key group) and renders them as one DT XML transmission, then
# checks that transmission against the XSD when xmllint is there.
# (Once `arcgw demo` exists, this runs the full demo: simulator and gateway on loopback.)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --release
arcgw=target/release/arcgw
examples=config/examples/announcements.json
out=${ARCGW_OUT:-$(mktemp -d)}

echo "== arcgw validate $examples"
"$arcgw" validate "$examples"
echo
echo "== arcgw validate config/examples/invalid.json (a clerk's mistakes; exit status 1 expected)"
"$arcgw" validate config/examples/invalid.json && exit 1 || [ $? -eq 1 ]
echo
echo "== arcgw render $examples > $out/transmission.xml"
"$arcgw" render "$examples" > "$out/transmission.xml"
head -n 20 "$out/transmission.xml"
echo "   … ($(wc -l < "$out/transmission.xml") lines)"
if command -v xmllint >/dev/null; then
  xmllint --noout --schema schemas/arc-transmission-1.xsd "$out/transmission.xml"
fi
echo
echo "== arcgw avs check 756.1234.5678.97"
"$arcgw" avs check 756.1234.5678.97
echo
echo "== arcgw workdays add 2026-12-22 7 --explain"
"$arcgw" workdays add 2026-12-22 7 --explain
