#!/usr/bin/env bash
# Requests/second of POST /v1/eligibility/checks (each request evaluates, explains, forecasts,
# signs and stores its decisions) on PostgreSQL with several workers, beside /healthz.
# Run by hand from the repo root: bash bench/bench_eligibility_check.sh [workers]
# Needs wrk (apt-get install wrk) and the local PostgreSQL (127.0.0.1:5432, trust auth).
# KEEP_DB=1 keeps the database (with the stored decisions) afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-2}
PORT=${PORT:-8124}
DURATION=${DURATION:-15s}
DB=talent_bench_check
export TALENT_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
PY=.venv/bin/python
WORK=$(mktemp -d)

psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
.venv/bin/talent-service demo --password bench-password-1 >/dev/null
# The demo loads the default policies; this is idempotent and says how many it added.
echo "== policies load-defaults: $(.venv/bin/talent-service policies load-defaults 2>&1 | tail -1)"

.venv/bin/talent-service serve --port "$PORT" --workers "$WORKERS" >"$WORK/server.log" 2>&1 &
SERVER=$!
cleanup() {
  kill $SERVER 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
  rm -rf "$WORK"
  [ -n "${KEEP_DB:-}" ] || psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

token() {
  curl -sf -d grant_type=password -d "username=$1" -d password=bench-password-1 \
    "http://127.0.0.1:$PORT/v1/auth/token" | $PY -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
BUREAU=$(token bureau-440300)

# The first talent the Shenzhen bureau sees whose check on both sides answers 201.
TALENT=$(BASE="http://127.0.0.1:$PORT" TOKEN="$BUREAU" $PY - <<'EOF'
import json, os, urllib.request

base, auth = os.environ["BASE"], {"Authorization": "Bearer " + os.environ["TOKEN"]}
with urllib.request.urlopen(urllib.request.Request(f"{base}/v1/talents?limit=50", headers=auth)) as r:
    items = json.load(r)["items"]
for item in items:
    body = json.dumps({"talent_id": item["id"], "benefit": "hukou"}).encode()
    req = urllib.request.Request(
        f"{base}/v1/eligibility/checks", data=body, method="POST",
        headers={**auth, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req) as r:
            if r.status == 201 and len(json.load(r)["decisions"]) == 2:
                print(item["id"])
                break
    except urllib.error.HTTPError:
        continue
EOF
)
if [ -z "$TALENT" ]; then echo "no talent of the Shenzhen bureau can be checked on both sides"; exit 1; fi

lua() {  # lua <file> <json body>
  cat >"$1" <<EOF
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $BUREAU"
EOF
}
lua "$WORK/one.lua" "{\"talent_id\": $TALENT, \"benefit\": \"hukou\", \"city_code\": \"440300\"}"
lua "$WORK/sides.lua" "{\"talent_id\": $TALENT, \"benefit\": \"hukou\"}"
lua "$WORK/all.lua" "{\"talent_id\": $TALENT}"

echo "== warm-up"; wrk -t2 -c16 -d3s -s "$WORK/one.lua" "http://127.0.0.1:$PORT/v1/eligibility/checks" >/dev/null
echo "== /healthz ($WORKERS workers)"
wrk -t2 -c32 -d"$DURATION" "http://127.0.0.1:$PORT/healthz" | grep -E "Requests/sec|Latency|Non-2xx"
echo "== POST checks, talent $TALENT, 1 decision (Shenzhen host hukou) as the Shenzhen bureau"
wrk -t2 -c16 -d"$DURATION" -s "$WORK/one.lua" "http://127.0.0.1:$PORT/v1/eligibility/checks" \
  | grep -E "Requests/sec|Latency|Non-2xx"
echo "== POST checks, 2 decisions (hukou, both sides)"
wrk -t2 -c16 -d"$DURATION" -s "$WORK/sides.lua" "http://127.0.0.1:$PORT/v1/eligibility/checks" \
  | grep -E "Requests/sec|Latency|Non-2xx"
echo "== POST checks, 8 decisions (all benefits, both sides)"
wrk -t2 -c16 -d"$DURATION" -s "$WORK/all.lua" "http://127.0.0.1:$PORT/v1/eligibility/checks" \
  | grep -E "Requests/sec|Latency|Non-2xx"
echo "== decisions stored: $(psql -qtA -h 127.0.0.1 -U postgres -d $DB -c 'SELECT count(*) FROM decision')"
