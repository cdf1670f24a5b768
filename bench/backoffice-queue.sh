#!/usr/bin/env bash
# The staff request queue and the citizen's pages at scale: seeds 1,000 tenants and 1,000,000
# requests in a PostgreSQL database of its own, starts eservice on it, signs an officer of the demo
# tenant in through the API, and times filtered, paginated queue calls
# (GET /api/v1/backoffice/requests) one after another: p50/p95/p99 per filter and overall, against
# p95 under 50 ms. Then a citizen of the demo tenant with 20 requests: "my requests" (GET /requests,
# a cookie session) and GET /api/v1/requests (a bearer token), 16 connections at once, against p95
# under 20 ms; and the EXPLAIN of the citizen's list query.
#
#   bash bench/backoffice-queue.sh              # 1,000 tenants x 1,000 requests
#   TENANTS=100 PER_TENANT=1000 bash bench/backoffice-queue.sh
#
# Settings: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_DB
# (default eservice_bench_queue, dropped and made again), CALLS per filter (default 200),
# CARGO_TARGET_DIR (default /var/tmp/eservice-target). Builds eservice in release mode.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}"
BENCH_DB="${BENCH_DB:-eservice_bench_queue}"
TENANTS="${TENANTS:-1000}"
PER_TENANT="${PER_TENANT:-1000}"
CALLS="${CALLS:-200}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eservice-target}"
DB_URL="${PG_ADMIN_URL%/*}/$BENCH_DB"
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== build (release)"
cargo build --release -p eservice -q
BIN="$CARGO_TARGET_DIR/release/eservice"

echo "== database $BENCH_DB"
psql "$PG_ADMIN_URL" -X -q -c "DROP DATABASE IF EXISTS $BENCH_DB" -c "CREATE DATABASE $BENCH_DB"
# The demo tenant with TOTP off for officers, so the script can sign in without an app.
cp -r tenants/demo "$WORK/demo"
printf '\n[back_office]\nofficer_totp = false\n' >>"$WORK/demo/tenant.toml"
export ESERVICE_DATABASE_URL="$DB_URL" ESERVICE_LOAD_DEMO_TENANTS=false ESERVICE_DATA_DIR="$WORK/data"
"$BIN" tenant apply "$WORK/demo" >/dev/null

echo "== seed: $TENANTS tenants x $PER_TENANT requests (20 citizens each)"
START=$(date +%s)
psql "$DB_URL" -X -q -v ON_ERROR_STOP=1 -v tenants="$TENANTS" -v per="$PER_TENANT" <<'SQL'
BEGIN;
-- Tenants 2..N: copies of the demo (its row, categories and sub-menus) under new ids and slugs.
CREATE TEMP TABLE t AS
  SELECT n, CASE WHEN n = 1 THEN (SELECT id FROM tenants WHERE slug = 'demo') ELSE gen_random_uuid() END AS id
  FROM generate_series(1, :tenants) n;
INSERT INTO tenants (id, slug, name_th, name_en, status, definition, definition_hash, logo, logo_mime, created_at, updated_at)
  SELECT t.id, 'bench' || t.n, d.name_th, d.name_en, d.status, d.definition, md5(t.n::text), NULL, NULL, now(), now()
  FROM t, tenants d WHERE d.slug = 'demo' AND t.n > 1;
CREATE TEMP TABLE cat AS
  SELECT t.id AS tenant_id, c.id AS old_id, CASE WHEN t.n = 1 THEN c.id ELSE gen_random_uuid() END AS id
  FROM t, service_categories c WHERE c.tenant_id = (SELECT id FROM t WHERE n = 1);
INSERT INTO service_categories (id, tenant_id, key, position, icon, title_th, title_en, description_th, description_en, active)
  SELECT cat.id, cat.tenant_id, c.key, c.position, c.icon, c.title_th, c.title_en, c.description_th, c.description_en, c.active
  FROM cat JOIN service_categories c ON c.id = cat.old_id WHERE cat.id <> cat.old_id;
CREATE TEMP TABLE item AS
  SELECT cat.tenant_id, i.id AS old_id, CASE WHEN cat.id = cat.old_id THEN i.id ELSE gen_random_uuid() END AS id, cat.id AS category_id,
         row_number() OVER (PARTITION BY cat.tenant_id ORDER BY i.position, i.key) - 1 AS k
  FROM cat JOIN service_items i ON i.category_id = cat.old_id;
INSERT INTO service_items (id, tenant_id, category_id, key, position, title_th, title_en, description_th, description_en, form_key, active, service_days)
  SELECT item.id, item.tenant_id, item.category_id, i.key, i.position, i.title_th, i.title_en, i.description_th, i.description_en, i.form_key, i.active, i.service_days
  FROM item JOIN service_items i ON i.id = item.old_id WHERE item.id <> item.old_id;
CREATE TEMP TABLE cz AS
  SELECT t.id AS tenant_id, t.n, c AS k, gen_random_uuid() AS id FROM t, generate_series(0, 19) c;
INSERT INTO citizens (id, tenant_id, national_id, email, email_key, title, first_name, last_name, birth_date, phone, house_no, village, road,
                      sub_district_code, district_code, province_code, postcode, password_hash, identity_status, terms_version,
                      terms_accepted_at, terms_accepted_ip, created_at, updated_at)
  SELECT cz.id, cz.tenant_id, lpad((1000000000000 + cz.n * 100 + cz.k)::text, 13, '0'), 'c' || cz.k || '@bench.example', 'c' || cz.k || '@bench.example',
         'นาย', (ARRAY['สมชาย','สมศรี','ประเสริฐ','วิไล','บุญมี'])[1 + cz.k % 5], 'ทดสอบ' || cz.k, '1980-01-01', '0800000000', '1', '-', '-',
         400101, 4001, 40, '40000', 'x', CASE WHEN cz.k % 4 = 0 THEN 'pending' ELSE 'verified' END, '1', now(), '127.0.0.1', now(), now()
  FROM cz;
CREATE TEMP TABLE nitems AS SELECT tenant_id, count(*) AS n FROM item GROUP BY tenant_id;
INSERT INTO requests (id, tenant_id, citizen_id, reference, item_id, form_key, form_version, data, status, rejection_reason,
                      idempotency_key, submitted_at, updated_at, version, assigned_to, updated_by)
  SELECT gen_random_uuid(), t.id, cz.id, 'B' || t.n || '-2569-' || lpad(r::text, 6, '0'), item.id, 'x', 1, '{}',
         (ARRAY['submitted','received','in_progress','completed','rejected'])[1 + r % 5], NULL,
         md5(t.n || ':' || r), now() - (r || ' hours')::interval, now(), 1, NULL, NULL
  FROM t
  CROSS JOIN generate_series(1, :per) r
  JOIN nitems ON nitems.tenant_id = t.id
  JOIN cz ON cz.tenant_id = t.id AND cz.k = r % 20
  JOIN item ON item.tenant_id = t.id AND item.k = r % nitems.n;
COMMIT;
ANALYZE;
SQL
echo "seeded in $(( $(date +%s) - START )) s: $(psql "$DB_URL" -X -q -A -t -c 'SELECT count(*) FROM requests') requests, $(psql "$DB_URL" -X -q -A -t -c 'SELECT count(*) FROM tenants') tenants"

echo "== officer of demo"
LINK="$("$BIN" staff add --tenant demo --email bench.officer@demo.example --role officer --name 'Bench Officer' | sed -n 's/.*: //p' | tail -n 1)"
TOKEN_PATH="/staff/invite/${LINK##*/staff/invite/}"
ESERVICE_LISTEN="127.0.0.1:$PORT" ESERVICE_BASE_DOMAIN=localhost RUST_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null -H 'Host: localhost' "http://127.0.0.1:$PORT/readyz" 2>/dev/null && break; sleep 0.2; done

python3 - "$PORT" "$TOKEN_PATH" "$CALLS" <<'PY'
import http.client, json, re, statistics, sys, time, urllib.parse
port, invite, calls = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
HOST = "demo.localhost"

def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Host": HOST, **(headers or {})}
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, r.getheader("Set-Cookie") or "", data

# Set the password from the invitation (the form's CSRF token is the csrf cookie).
status, cookie, page = call("GET", invite)
csrf = re.search(r"csrf=([^;]+)", cookie).group(1)
password = "Ledger-stamp-2569-queue"
form = urllib.parse.urlencode({"csrf_token": csrf, "password": password, "password_confirm": password})
status, _, _ = call("POST", invite, form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrf={csrf}"})
assert status == 200, f"set password: {status}"
status, _, body = call("POST", "/api/v1/backoffice/auth/login", json.dumps({"email": "bench.officer@demo.example", "password": password}),
                       {"Content-Type": "application/json"})
assert status == 200, f"login: {status} {body[:200]}"
token = json.loads(body)["token"]
auth = {"Authorization": f"Bearer {token}"}

filters = {
    "all, page 1": "",
    "open, page 3": "status=open&page=3",
    "received": "status=received",
    "overdue": "overdue=1",
    "assigned to nobody": "assigned=nobody",
    "text: name": "q=" + urllib.parse.quote("สมศรี"),
    "text: reference": "q=B1-2569-000500",
    "date range": "from=2026-01-01&until=2026-12-31",
}
overall = []
print(f"{'filter':<22} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'rows':>6}")
for name, query in filters.items():
    times, total = [], None
    call("GET", f"/api/v1/backoffice/requests?{query}", headers=auth)  # warm
    for _ in range(calls):
        t0 = time.perf_counter()
        status, _, body = call("GET", f"/api/v1/backoffice/requests?{query}", headers=auth)
        times.append((time.perf_counter() - t0) * 1000)
        assert status == 200, f"{name}: {status} {body[:200]}"
        total = json.loads(body)["total"]
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(len(times) * p))]
    print(f"{name:<22} {q(0.5):8.1f} {q(0.95):8.1f} {q(0.99):8.1f} {total:>6}")
    overall += times
overall.sort()
p95 = overall[int(len(overall) * 0.95)]
print(f"overall p95: {p95:.1f} ms over {len(overall)} calls ({'under' if p95 < 50 else 'OVER'} the 50 ms target)")
PY

echo "== a citizen of demo with 20 requests, 16 connections"
python3 - "$PORT" "$CALLS" "$DB_URL" <<'PY'
import http.client, json, re, subprocess, sys, threading, time, urllib.parse
port, calls, db_url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
HOST = "demo.localhost"

def call(method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    r = c.getresponse()
    return r.status, r.getheader("Set-Cookie") or "", r.read()

def with_check_digit(first12):
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return first12 + str((11 - total % 11) % 10)

national_id, password = with_check_digit("310040020001"), "Lantern-river-2569-evening"
status, _, tenant = call("GET", "/api/v1/tenant")
terms = json.loads(tenant)["terms"]["version"]
citizen = {"national_id": national_id, "email": "bench.citizen@example.com", "password": password, "password_confirm": password,
           "accept_terms": True, "terms_version": terms, "title": "นาง", "first_name": "สมใจ", "last_name": "วัดผล",
           "birth_date": "1985-06-15", "phone": "0891234567", "house_no": "7", "village": "หมู่ 2", "road": "มิตรภาพ",
           "province": 40, "district": 4001, "sub_district": 400101, "postcode": "40000"}
status, _, body = call("POST", "/api/v1/citizens", json.dumps(citizen), {"Content-Type": "application/json"})
assert status == 201, f"register: {status} {body[:300]}"
citizen_id = json.loads(body)["id"]
# 20 requests of their own among the tenant's thousand.
mine = (
    "INSERT INTO requests (id, tenant_id, citizen_id, reference, item_id, form_key, form_version, data, status, rejection_reason,"
    " idempotency_key, submitted_at, updated_at, version, assigned_to, updated_by)"
    f" SELECT gen_random_uuid(), r.tenant_id, '{citizen_id}', 'MINE-2569-' || lpad(n::text, 6, '0'), r.item_id, r.form_key, 1, r.data,"
    " r.status, NULL, md5('mine' || n), now() - (n || ' hours')::interval, now(), 1, NULL, NULL"
    " FROM generate_series(1, 20) n, LATERAL (SELECT * FROM requests WHERE tenant_id = (SELECT id FROM tenants WHERE slug = 'demo') LIMIT 1) r;"
    " ANALYZE requests;"
)
subprocess.run(["psql", db_url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", mine], check=True)
status, _, body = call("POST", "/api/v1/auth/login", json.dumps({"username": national_id, "password": password}), {"Content-Type": "application/json"})
assert status == 200, f"api login: {status} {body[:200]}"
bearer = {"Authorization": "Bearer " + json.loads(body)["token"]}
status, cookie, _ = call("GET", "/login")
csrf = re.search(r"csrf=([^;]+)", cookie).group(1)
form = urllib.parse.urlencode({"csrf_token": csrf, "username": national_id, "password": password, "next": "/requests"})
status, cookie, _ = call("POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrf={csrf}"})
assert status == 303, f"web login: {status}"
sid = re.search(r"sid=([^;]+)", cookie).group(1)
page = {"Cookie": f"sid={sid}; csrf={csrf}"}

def measure(name, path, headers, check):
    status, _, body = call("GET", path, headers=headers)
    assert status == 200 and check(body), f"{name}: {status} {body[:200]}"
    times, lock = [], threading.Lock()
    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(calls):
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Host": HOST, **headers})
            r = conn.getresponse()
            r.read()
            elapsed = (time.perf_counter() - t0) * 1000
            assert r.status == 200, f"{name}: {r.status}"
            with lock:
                times.append(elapsed)
    threads = [threading.Thread(target=worker) for _ in range(16)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    times.sort()
    q = lambda p: times[min(len(times) - 1, int(len(times) * p))]
    verdict = "under" if q(0.95) < 20 else "OVER"
    print(f"{name:<24} p50 {q(0.5):6.1f}  p95 {q(0.95):6.1f}  p99 {q(0.99):6.1f} ms  {len(times) / wall:6.0f} req/s  ({verdict} the 20 ms p95 target)")

measure("my requests (page)", "/requests", page, lambda b: b"MINE-2569-000001" in b)
measure("GET /api/v1/requests", "/api/v1/requests", bearer, lambda b: json.loads(b)["total"] == 20)
PY

echo "== EXPLAIN of the citizen's list query (as the store runs it, for this citizen)"
TENANT_ID="$(psql "$DB_URL" -X -q -A -t -c "SELECT id FROM tenants WHERE slug = 'demo'")"
CITIZEN_ID="$(psql "$DB_URL" -X -q -A -t -c "SELECT id FROM citizens WHERE email = 'bench.citizen@example.com'")"
psql "$DB_URL" -X -q -c "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
  SELECT id, reference, item_id, status, submitted_at FROM requests
  WHERE tenant_id = '$TENANT_ID' AND citizen_id = '$CITIZEN_ID'
  ORDER BY submitted_at DESC, reference DESC LIMIT 20"
