#!/usr/bin/env bash
# Requests/second of writes (register a talent, then hire them) beside /healthz, in one run, on
# PostgreSQL with several workers. Run by hand from the repo root: bash bench/bench_writes.sh [workers]
# Needs wrk (apt-get install wrk) and the local PostgreSQL (127.0.0.1:5432, trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${1:-2}
PORT=${PORT:-8124}
DB=talent_bench_writes
export TALENT_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/$DB"
PY=.venv/bin/python
BASE="http://127.0.0.1:$PORT"

# Always a fresh database: the run adds thousands of people, and a second run's IDs would
# collide with the first's (201 "attached", then 422 on the overlapping hire).
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
# The demo names its story firm (Shantou, outside the PRD, with an enclave center) in its
# summary; reading it from there keeps the script right if the firm ids ever shift.
FIRM_USER=$(.venv/bin/talent-service demo --password bench-password-1 |
  grep -o 'username=firm-[0-9]* for the story firm' | grep -o 'firm-[0-9]*')

.venv/bin/talent-service serve --port "$PORT" --workers "$WORKERS" &
SERVER=$!
LUA=$(mktemp --suffix=.lua)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -f "$LUA"' EXIT
for _ in $(seq 1 50); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.2; done

TOKEN=$(curl -sf -d grant_type=password -d "username=$FIRM_USER" -d password=bench-password-1 \
  "$BASE/v1/auth/token" | $PY -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
AUTH="Authorization: Bearer $TOKEN"
get() { curl -sf -H "$AUTH" "$BASE$1"; }
HOME_CITY=$(get "/v1/firms/${FIRM_USER#firm-}" | $PY -c 'import json,sys; print(json.load(sys.stdin)["home_city_code"])')
REGION=$(get "/v1/cities/$HOME_CITY" | $PY -c 'import json,sys; print(json.load(sys.stdin)["region"])')
CENTERS=$(get "/v1/centers?limit=100" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
[ "$REGION" != prd ] && [ "$CENTERS" -gt 0 ] || { echo "$FIRM_USER: region $REGION, $CENTERS centers" >&2; exit 1; }
echo "== as $FIRM_USER (home city $HOME_CITY, region $REGION, centers: $CENTERS)"

cat >"$LUA" <<LUA
-- Birthplace 110101 (Beijing Dongcheng): stdnum knows it for every year 1975-2000, and the demo
-- only draws Guangdong codes, so no generated ID can meet a demo person's.
local WEIGHTS = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 }
local DAYS = 9497 -- 1975-01-01 .. 2000-12-31
local threads, nthreads = {}, 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end
function init(args)
  queue, n = {}, 0
  sent_reg, sent_hire, reg_201, hire_201, reg_other, hire_other, unknown = 0, 0, 0, 0, 0, 0, 0
  statuses, samples = {}, {} -- "hire 422" -> count, and the first such body
end
-- Threads own disjoint sequence numbers (tid, tid+16, ...; up to 15 threads, multiples of 16
-- are left to the hand-made IDs below), so they never need to agree on anything; within a
-- thread, every day of 1975-2000 is used before the next sequence number.
local function resident_id()
  local day, round = n % DAYS, math.floor(n / DAYS)
  n = n + 1
  local born = os.date("%Y%m%d", os.time({ year = 1975, month = 1, day = 1 + day, hour = 12 }))
  local body = "110101" .. born .. string.format("%03d", tid + 16 * round)
  local sum = 0
  for i = 1, 17 do sum = sum + tonumber(body:sub(i, i)) * WEIGHTS[i] end
  local check = (12 - sum % 11) % 11
  return body .. (check == 10 and "X" or tostring(check))
end
-- A fresh headers table each time: wrk.format stores Content-Length into the table it is given.
local function post(path, body)
  local headers = { ["Content-Type"] = "application/json" }
  for k, v in pairs(wrk.headers) do headers[k] = v end
  return wrk.format("POST", path, headers, body)
end
function request()
  if #queue > 0 then
    sent_hire = sent_hire + 1
    return post("/v1/employments", string.format('{"talent_id": %d, "position": "研发工程师", '
      .. '"hired_on": "2025-03-01", "si_city_code": "$HOME_CITY"}', table.remove(queue, 1)))
  end
  sent_reg = sent_reg + 1
  return post("/v1/talents", '{"id_number": "' .. resident_id() .. '", "name": "压测人员", '
    .. '"education": "master"}')
end
-- wrk does not say which request a response answers: a 201 is told apart by its body, a
-- problem by its "instance" path (a bare 500 may have neither: counted as unknown).
function response(status, headers, body)
  local hire = body:find('"talent_id"', 1, true) or body:find('/v1/employments', 1, true)
  local reg = not hire and (body:find('"id_number_masked"', 1, true) or body:find('/v1/talents', 1, true))
  if status == 201 and reg then
    reg_201 = reg_201 + 1
    table.insert(queue, tonumber(body:match('"id":%s*(%d+)')))
  elseif status == 201 and hire then hire_201 = hire_201 + 1
  else
    local kind = (reg and "registration") or (hire and "hire") or "unattributed"
    local key = kind .. " " .. status
    statuses[key], samples[key] = (statuses[key] or 0) + 1, samples[key] or body:sub(1, 300)
    if reg then reg_other = reg_other + 1 elseif hire then hire_other = hire_other + 1
    else unknown = unknown + 1 end
  end
end
function done(summary, latency, requests)
  local t = {}
  for _, name in ipairs({ "sent_reg", "sent_hire", "reg_201", "hire_201", "reg_other", "hire_other", "unknown" }) do
    t[name] = 0
    for _, thread in ipairs(threads) do t[name] = t[name] + thread:get(name) end
  end
  local by_status, sample = {}, {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do by_status[key] = (by_status[key] or 0) + count end
    for key, body in pairs(thread:get("samples")) do sample[key] = body end
  end
  for key, count in pairs(by_status) do print(string.format("non-201 %s: %d, e.g. %s", key, count, sample[key])) end
  local seconds = summary.duration / 1e6
  print(string.format("registrations: %d sent, %d answered 201, %d otherwise", t.sent_reg, t.reg_201, t.reg_other))
  print(string.format("hires:         %d sent, %d answered 201, %d otherwise", t.sent_hire, t.hire_201, t.hire_other))
  print(string.format("unattributed non-201: %d", t.unknown))
  print(string.format("201/sec: %.2f", (t.reg_201 + t.hire_201) / seconds))
end
LUA

# A few IDs by hand first: if the generator were wrong, wrk would only show a wall of 422s.
for id in 110101197501011605 110101198802293209 110101200012314802; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "$AUTH" -H 'Content-Type: application/json' \
    -d "{\"id_number\": \"$id\", \"name\": \"试测\", \"education\": \"bachelor\"}" "$BASE/v1/talents")
  echo "   POST /v1/talents $id -> $code"
done

echo "== warm-up"; wrk -t2 -c32 -d3s "$BASE/healthz" >/dev/null
# Echoed through cat, not tee /dev/stderr: reopening /dev/stderr truncates a log file it points to.
rate() {
  grep -E "Requests/sec|Latency|Non-2xx|registrations|hires|unattributed|non-201|201/sec" |
    awk '{ print | "cat >&2" } /Requests\/sec/ { print $2 }'
}
echo "== /healthz ($WORKERS workers)"
HEALTH=$(wrk -t2 -c32 -d15s "$BASE/healthz" 2>&1 | rate)
echo "== POST /v1/talents, then POST /v1/employments for each 201, as $FIRM_USER ($WORKERS workers)"
WRITES=$(wrk -t2 -c16 -d15s -s "$LUA" -H "$AUTH" "$BASE" 2>&1 | rate)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "== writes / healthz: $(ratio "$WRITES" "$HEALTH") (target: at least 0.1)"
