#!/usr/bin/env bash
# Start N Crossflow replicas on one host, all on one database, in the foreground.
#
#   CROSSFLOW_DATABASE_URL=postgresql://crossflow:PASSWORD@db.internal:5432/crossflow \
#   STREAMLIT_SERVER_COOKIE_SECRET="$(cat /etc/crossflow/cookie-secret)" \
#   CROSSFLOW_REPLICAS=3 deploy/run_replicas.sh
#
# 1. migrates the database once (`python -m redesign migrate`), and stops if that fails;
# 2. starts replica i on port CROSSFLOW_BASE_PORT+i (i = 0..N-1), each restarted after
#    a crash, with the same database URL and the same cookie secret;
# 3. waits until every replica answers /_stcore/health, then prints the nginx line
#    to render (deploy/render_nginx.py) and keeps running; Ctrl+C or SIGTERM stops all.
#
# For a real service prefer systemd (deploy/crossflow@.service), which supervises,
# logs to the journal and starts on boot; this script is for one host and for trying.
#
# Environment (every setting; see deploy/README.md):
#   CROSSFLOW_DATABASE_URL          required; postgresql://... (or sqlite:///path: one host only)
#   STREAMLIT_SERVER_COOKIE_SECRET  required when N > 1; the same on every replica
#   CROSSFLOW_REPLICAS              number of replicas (default 2)
#   CROSSFLOW_BASE_PORT             port of the first replica (default 8501)
#   CROSSFLOW_BIND                  address the replicas listen on (default 127.0.0.1: only nginx reaches them)
#   CROSSFLOW_PYTHON                the interpreter with Crossflow's requirements (default <repo>/.venv/bin/python)
#   CROSSFLOW_LOG_DIR               one log file per replica (default <repo>/logs)
#   CROSSFLOW_POLL_SECONDS          passed through to the app (default 2.5)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
cd "$REPO"

N="${CROSSFLOW_REPLICAS:-2}"
BASE="${CROSSFLOW_BASE_PORT:-8501}"
BIND="${CROSSFLOW_BIND:-127.0.0.1}"
PY="${CROSSFLOW_PYTHON:-$REPO/.venv/bin/python}"
LOGS="${CROSSFLOW_LOG_DIR:-$REPO/logs}"

die() { echo "run_replicas.sh: $*" >&2; exit 2; }
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "CROSSFLOW_REPLICAS must be a positive whole number, not '$N'"
[[ "$BASE" =~ ^[1-9][0-9]*$ ]] && (( BASE + N - 1 < 65536 )) || die "CROSSFLOW_BASE_PORT '$BASE' leaves no room for $N ports"
[ -x "$PY" ] || die "no Python at $PY: run scripts/setup, or set CROSSFLOW_PYTHON"
[ -n "${CROSSFLOW_DATABASE_URL:-}" ] || die "set CROSSFLOW_DATABASE_URL (postgresql://user:password@host:5432/dbname)"
if (( N > 1 )) && [ -z "${STREAMLIT_SERVER_COOKIE_SECRET:-}" ]; then
  die "set STREAMLIT_SERVER_COOKIE_SECRET to one secret shared by all replicas, e.g.
  python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > /etc/crossflow/cookie-secret"
fi
case "$CROSSFLOW_DATABASE_URL" in
  sqlite*) (( N > 1 )) && echo "run_replicas.sh: note: SQLite serves replicas on this host only; use PostgreSQL across hosts" >&2 ;;
esac
export CROSSFLOW_DATABASE_URL STREAMLIT_SERVER_COOKIE_SECRET
mkdir -p "$LOGS"

# Once, before any replica: a failed migration stops here, in one place, with its reason.
"$PY" -m redesign migrate || die "the database migration failed (see above); no replica started"

LOOPS=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${LOOPS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop_all INT TERM EXIT

# One supervising loop per replica: restart after a crash (a second later), stop on TERM.
replica() {
  local port="$1" log="$LOGS/replica-$1.log" child=""
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; wait; exit 0' TERM
  while true; do
    "$PY" -m streamlit run app.py \
      --server.port="$port" --server.address="$BIND" --server.headless=true \
      --server.fileWatcherType=none --browser.gatherUsageStats=false >>"$log" 2>&1 &
    child=$!
    wait "$child" && code=0 || code=$?
    echo "$(date -Is) replica $port exited with $code; restarting" >>"$log"
    sleep 1
  done
}

PORTS=()
for ((i = 0; i < N; i++)); do
  port=$((BASE + i))
  PORTS+=("$port")
  replica "$port" &
  LOOPS+=("$!")
done

for port in "${PORTS[@]}"; do
  "$PY" deploy/healthcheck.py "http://$BIND:$port" --wait 90 || die "replica $port did not become healthy; see $LOGS/replica-$port.log"
done
args=""
for port in "${PORTS[@]}"; do args+=" --replica $BIND:$port"; done
echo "run_replicas.sh: $N replicas healthy on ports ${PORTS[*]} (logs in $LOGS)"
echo "run_replicas.sh: nginx config: python3 deploy/render_nginx.py$args --listen 80 -o /etc/crossflow/nginx.conf"
wait
