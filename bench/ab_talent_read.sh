#!/usr/bin/env bash
# A/B of the hot read: two checkouts served side by side on the bench database, measured in
# alternating short windows, so that the machine's drift (on a shared 2-core VM /healthz alone
# moved between 6,500 and 12,900 req/s within minutes) falls on both alike. Run by hand from the
# repo root after bench_talent_read.sh has loaded the demo:
#   bash bench/ab_talent_read.sh OLD_CHECKOUT NEW_CHECKOUT     (e.g. a `git worktree` of main)
# Each checkout runs through PYTHONPATH with this repo's .venv. CYCLES (default 8) and DUR
# (seconds per window, default 4) tune it. Prints each cycle's ratios to /healthz and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
A=$(realpath "$1"); B=$(realpath "$2")
DB=talent_bench_read
export TALENT_DATABASE_URL="${BENCH_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/$DB}"
PY=.venv/bin/python
LOG=$(mktemp -d)

serve() { PYTHONPATH=$1 .venv/bin/talent-service serve --port "$2" --workers 2 >"$LOG/$2.log" 2>&1 & echo $!; }
SA=$(serve "$A" 8131); SB=$(serve "$B" 8132)
trap 'kill $SA $SB 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$LOG"' EXIT
for port in 8131 8132; do
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done

TOKEN=$(curl -sf -d grant_type=password -d username=bureau-440300 -d password=bench-password-1 \
  http://127.0.0.1:8131/v1/auth/token | $PY -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
IDS=$(curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:8131/v1/talents?limit=100" |
  $PY -c 'import json,sys; print(",".join(str(t["id"]) for t in json.load(sys.stdin)["items"]))')
ONE=${IDS%%,*}
cat >"$LOG/random.lua" <<LUA
local ids = { $IDS }
local requests = {}
init = function(args)
  for i, id in ipairs(ids) do requests[i] = wrk.format(nil, "/v1/talents/" .. id) end
end
request = function() return requests[math.random(#requests)] end
LUA

DUR=${DUR:-4}
rps() { wrk -t2 -c32 -d"${DUR}s" "$@" 2>&1 | awk '/Requests\/sec/ {print $2}'; }
for port in 8131 8132; do  # warm both
  rps "http://127.0.0.1:$port/healthz" >/dev/null
  rps -s "$LOG/random.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port" >/dev/null
done
for cycle in $(seq 1 "${CYCLES:-8}"); do
  for port in 8131 8132; do
    health=$(rps "http://127.0.0.1:$port/healthz")
    random=$(rps -s "$LOG/random.lua" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port")
    one=$(rps -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/v1/talents/$ONE")
    awk -v c="$cycle" -v s="$([ $port = 8131 ] && echo A || echo B)" -v h="$health" -v r="$random" -v o="$one" \
      'BEGIN { printf "cycle %s %s healthz %.0f random %.3f one %.3f\n", c, s, h, r / h, o / h }'
  done
done | tee "$LOG/cycles"
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for side in A B; do
  echo "$side ($([ $side = A ] && echo "$A" || echo "$B")): median random" \
    "$(awk -v s=$side '$3 == s {print $7}' "$LOG/cycles" | median), one" \
    "$(awk -v s=$side '$3 == s {print $9}' "$LOG/cycles" | median)"
done
