#!/usr/bin/env bash
# Requests/second of GET /v1/talents/{talent_id} beside /healthz, in one run, on PostgreSQL with
# several workers. Run by hand from the repo root: bash bench/bench_talent_read.sh [workers]
# Needs wrk (apt-get install wrk) and the local PostgreSQL (127.0.0.1:5432, trust auth).
# ROUNDS=N repeats the measurement and prints the median ratios.
# VENV names another virtualenv (default .venv); with PYTHONPATH=$PWD it runs this checkout's code.
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-2}
PORT=${PORT:-8123}
DB=talent_bench_read
export TALENT_DATABASE_URL="${BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/$DB}"
VENV=${VENV:-.venv}
PY=$VENV/bin/python

[ -n "${SKIP_DEMO:-}" ] || psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
[ -n "${SKIP_DEMO:-}" ] || "$VENV/bin/talent-service" demo --password bench-password-1 >/dev/null

"$VENV/bin/talent-service" serve --port "$PORT" --workers "$WORKERS" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done

token() {
  curl -sf -d grant_type=password -d "username=$1" -d password=bench-password-1 \
    "http://127.0.0.1:$PORT/v1/auth/token" | $PY -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
BUREAU=$(token bureau-440300)
# Every talent the bureau may see (a few pages): the load reads different people, as other
# systems do, so reads that arrive together rarely ask for the same row.
IDS=$($PY - "http://127.0.0.1:$PORT/v1/talents?limit=100" "$BUREAU" <<'PY'
import json, sys, urllib.request
url, token, ids, cursor = sys.argv[1], sys.argv[2], [], ""
while True:
    request = urllib.request.Request(url + cursor, headers={"Authorization": f"Bearer {token}"})
    page = json.load(urllib.request.urlopen(request))
    ids += [str(t["id"]) for t in page["items"]]
    if not page.get("next_cursor"):
        break
    cursor = "&cursor=" + page["next_cursor"]
print(" ".join(ids))
PY
)
TALENT=${IDS%% *}
curl -sf -o /dev/null -H "Authorization: Bearer $BUREAU" "http://127.0.0.1:$PORT/v1/talents/$TALENT"
LUA=$(mktemp --suffix=.lua)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$LUA"' EXIT
cat >"$LUA" <<LUA
local ids = { $(echo $IDS | tr ' ' ',') }
local requests = {}
-- Format each person's request once per thread: wrk.format on every call costs the client CPU
-- that, on a 2-core machine, the server would otherwise get. The server's work is unchanged.
init = function(args)
  for i, id in ipairs(ids) do requests[i] = wrk.format(nil, "/v1/talents/" .. id) end
end
request = function() return requests[math.random(#requests)] end
LUA

echo "== warm-up"; wrk -t2 -c32 -d3s "http://127.0.0.1:$PORT/healthz" >/dev/null
rate() { grep -E "Requests/sec|Latency|Non-2xx" | tee /dev/stderr | awk '/Requests\/sec/ {print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# ROUNDS rounds (default 1) of the three loads in turn: on a shared machine one round's ratio
# moves by about ±0.05, so judge by the median.
ROUNDS=${ROUNDS:-1}
RANDOM_RATIOS=""; ONE_RATIOS=""
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: /healthz ($WORKERS workers)"
  HEALTH=$(wrk -t2 -c32 -d15s "http://127.0.0.1:$PORT/healthz" 2>&1 | rate)
  echo "== GET /v1/talents/{id}, $(echo $IDS | wc -w) different people at random, as the Shenzhen bureau ($WORKERS workers)"
  RANDOM_READ=$(wrk -t2 -c32 -d15s -s "$LUA" -H "Authorization: Bearer $BUREAU" "http://127.0.0.1:$PORT" 2>&1 | rate)
  echo "== GET /v1/talents/$TALENT, one person, as the Shenzhen bureau ($WORKERS workers)"
  ONE_READ=$(wrk -t2 -c32 -d15s -H "Authorization: Bearer $BUREAU" "http://127.0.0.1:$PORT/v1/talents/$TALENT" 2>&1 | rate)
  RANDOM_RATIOS="$RANDOM_RATIOS $(ratio "$RANDOM_READ" "$HEALTH")"
  ONE_RATIOS="$ONE_RATIOS $(ratio "$ONE_READ" "$HEALTH")"
  echo "== round $round: talent read / healthz: random people $(ratio "$RANDOM_READ" "$HEALTH")," \
    "one person $(ratio "$ONE_READ" "$HEALTH")"
done
echo "== talent read / healthz over $ROUNDS round(s), median: random people" \
  "$(echo $RANDOM_RATIOS | median) (each:$RANDOM_RATIOS), one person $(echo $ONE_RATIOS | median)" \
  "(each:$ONE_RATIOS) (target: at least 0.5)"
