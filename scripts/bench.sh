#!/usr/bin/env bash
# Runs arcgw's benchmarks in release mode and prints the machine, then each benchmark's Markdown
# table (also written to target/bench-<name>.md): intake through the HTTP API, then end to end
# through the ZAS simulator. SQLite always; PostgreSQL too when a server answers
# (ARCGW_TEST_PG_URL, or the local servers scripts/test.sh looks for; none is installed here).
# The practical limit on SQLite is measured in the intake benchmark itself (prepared statements
# on the SQLite library the gateway links).
# Usage: scripts/bench.sh [intake|e2e|deadline_scan|login_flood|probe|dtxml ...]
# (default: intake and e2e; the e2e run takes several minutes). deadline_scan: the deadline scan
# over 1 000 000 pending announcements; login_flood: the fund API's latency under 50 logins/s;
# probe: the hostile-request probe of the README's security section; dtxml: writing and reading
# the DT XML of 1 000 entries.
# Sizes: ARCGW_BENCH_SCALE=0.1 shrinks intake to a tenth; e2e reads ARCGW_BENCH_N and others
# (see benches/e2e.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_answers() { command -v psql >/dev/null && psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

# The discovery of scripts/test.sh, without installing a server.
find_postgres() {
  if [ -n "${ARCGW_TEST_PG_URL:-}" ]; then return; fi
  local url
  for url in postgres://postgres@127.0.0.1:5432/test postgres://root@127.0.0.1:5432/test \
             postgres://postgres:arcgw@127.0.0.1:5432/arcgw_test; do
    if pg_answers "$url"; then export ARCGW_TEST_PG_URL=$url; return; fi
  done
  echo "scripts/bench.sh: no PostgreSQL answers on 127.0.0.1:5432; SQLite only" >&2
}

# `scripts/bench.sh floor`: CI's guard against a regression: end to end, 20 000 announcements,
# engine batch 1 000, on SQLite and PostgreSQL (required), each at least 1 500/s.
if [ "${1:-}" = floor ]; then
  find_postgres
  [ -n "${ARCGW_TEST_PG_URL:-}" ] || { echo "scripts/bench.sh floor: PostgreSQL is required" >&2; exit 1; }
  cargo bench --locked --bench e2e --no-run
  echo "== end-to-end floor: $(nproc) CPUs, load $(cut -d ' ' -f 1 /proc/loadavg), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  ARCGW_BENCH_N=20000 ARCGW_BENCH_BATCHES=1000 ARCGW_BENCH_DATABASES=sqlite,postgres \
    ARCGW_BENCH_FLOOR=1500 cargo bench --locked --bench e2e
  exit
fi

benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(intake e2e)
bench_args=()
for name in "${benches[@]}"; do
  case $name in
    intake | e2e | deadline_scan | login_flood | probe | dtxml) bench_args+=(--bench "$name") ;;
    *) echo "scripts/bench.sh: no benchmark $name (intake, e2e, deadline_scan, login_flood, probe, dtxml)" >&2; exit 2 ;;
  esac
done

find_postgres
cargo bench --locked "${bench_args[@]}" --no-run

echo "## Machine"
echo
echo "- $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1)"
echo "- $(free -h | awk '/^Mem:/ {print $2}') memory; $(df -hT "${TMPDIR:-/tmp}" | awk 'NR == 2 {print $2 " on " $1}') for the database files (${TMPDIR:-/tmp})"
if [ -n "${ARCGW_TEST_PG_URL:-}" ]; then
  echo "- PostgreSQL $(psql "$ARCGW_TEST_PG_URL" -Atqc 'show server_version') at ${ARCGW_TEST_PG_URL##*@}"
fi
for name in "${benches[@]}"; do
  echo
  cargo bench --locked --bench "$name"
done
