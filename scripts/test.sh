#!/usr/bin/env bash
# Runs arcgw's whole test suite: SQLite always, PostgreSQL too (a local server is used when one
# answers, else Debian's postgresql is installed and started). Installs xmllint, Chromium with
# ChromeDriver and pdftotext when missing.
# Usage: scripts/test.sh [cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v xmllint >/dev/null || apt_install libxml2-utils
# The dashboard tests drive Debian's Chromium through ChromeDriver; the letter tests read PDFs
# back with pdftotext.
command -v chromium >/dev/null && command -v chromedriver >/dev/null ||
  apt_install chromium chromium-driver
command -v pdftotext >/dev/null || apt_install poppler-utils

pg_answers() { command -v psql >/dev/null && psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if [ -n "${ARCGW_TEST_PG_URL:-}" ]; then return; fi
  local url
  for url in postgres://postgres@127.0.0.1:5432/test postgres://root@127.0.0.1:5432/test \
             postgres://postgres:arcgw@127.0.0.1:5432/arcgw_test; do
    if pg_answers "$url"; then export ARCGW_TEST_PG_URL=$url; return; fi
  done
  echo "scripts/test.sh: no PostgreSQL answers on 127.0.0.1:5432; installing and starting Debian's" >&2
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  as_root su postgres -c "psql -qc \"ALTER ROLE postgres PASSWORD 'arcgw'\"" >/dev/null
  as_root su postgres -c "createdb arcgw_test" 2>/dev/null || true
  export ARCGW_TEST_PG_URL=postgres://postgres:arcgw@127.0.0.1:5432/arcgw_test
  pg_answers "$ARCGW_TEST_PG_URL" || { echo "scripts/test.sh: PostgreSQL did not start" >&2; exit 1; }
}

ensure_postgres
echo "scripts/test.sh: PostgreSQL tests against ${ARCGW_TEST_PG_URL%%@*}@…"
# Four tests at a time on any machine: most of a test's time is spent waiting (child processes,
# PostgreSQL, Chromium, timeouts). On 2 cores the integration tests took 174 s two at a time,
# 119 s four at a time, 109 s eight at a time (where logins began to wait for the password
# hashing, which runs one at a time). RUST_TEST_THREADS set by the caller wins.
export RUST_TEST_THREADS=${RUST_TEST_THREADS:-4}
cargo test --locked "$@"
