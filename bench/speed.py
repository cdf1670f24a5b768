#!/usr/bin/env python3
"""The speed table of docs/performance.md, measured on this machine in one command.

    python3 bench/speed.py            # 3 interleaved rounds of 8 s per measure (about 7 minutes)
    python3 bench/speed.py --smoke    # 1 round of 1 s per measure: checks the script, not speed

Builds in release mode eservice, the axum hello-world (crates/web/examples/hello.rs) and the
bare argon2id rate (crates/access/examples/argon2_rate.rs); starts eservice on SQLite and on
PostgreSQL with the demo tenants, a citizen with 20 requests, a web and an API session; then,
round after round, loads with wrk (64 connections, 2 threads, on loopback):

  hello-world, the tenant home page, GET /api/v1/me, "my requests" (/requests), logins through
  POST /api/v1/auth/login, the home page while a login flood runs, and submissions (no file);

runs pgbench with the SQL a submission runs (bench/submission.sql, prepared, 16 clients), and
prints medians with spread, every ratio against its ceiling, and the servers' resident memory.
Settings: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test), CARGO_TARGET_DIR
(default /var/tmp/eservice-release). Needs wrk and pgbench (Debian: apt-get install wrk
postgresql-client).
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import http.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "demo.localhost"
PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/test")
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", "/var/tmp/eservice-release"))
PASSWORD = "Kh0nKaen-rice-field-2569"
BOUNDARY = "eservicebench"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    return response.status, response.getheader("Set-Cookie") or "", response.read()


def national_id():
    body = "1" + "".join(str(random.randint(0, 9)) for _ in range(11))
    total = sum(int(d) * (13 - i) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)


def complaint_body(n):
    data = json.dumps({
        "topic": "road", "subject": f"ถนนชำรุด จุดที่ {n}", "details": "หลุมกว้างประมาณหนึ่งเมตร",
        "location": "ซอยเทศบาล 3", "complainant_name": "นางสมศรี วัดผล", "contact_by": "phone", "phone": "0812345678",
    }, ensure_ascii=False)
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"form_id\"\r\n\r\ncomplaint\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n{data}\r\n--{BOUNDARY}--\r\n")


class Server:
    """eservice serve on one database, seeded with a citizen, 20 requests and two sessions."""

    def __init__(self, name, binary, work, database_url):
        self.name, self.port = name, free_port()
        data = work / name
        data.mkdir()
        env = {
            "PATH": os.environ["PATH"], "NO_COLOR": "1", "RUST_LOG": "warn",
            "ESERVICE_LISTEN": f"127.0.0.1:{self.port}", "ESERVICE_BASE_DOMAIN": "localhost",
            "ESERVICE_DATA_DIR": str(data), "ESERVICE_TENANTS_DIR": str(ROOT / "tenants"),
            "ESERVICE_DEMO_STAFF": "false", "ESERVICE_RUN_WORKER": "false", "ESERVICE_DEV_MAILBOX": "false",
        }
        if database_url:
            env["DATABASE_URL"] = database_url
        self.log = open(work / f"{name}.log", "w")
        self.process = subprocess.Popen([str(binary), "serve"], env=env, stdout=self.log, stderr=self.log)
        deadline = time.time() + 60
        while True:
            try:
                if call(self.port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                raise SystemExit(f"{name}: eservice did not become ready; see {work / (name + '.log')}")
            time.sleep(0.2)
        self.seed()

    def register(self):
        """A new citizen: (national ID, login body, API token)."""
        nid = national_id()
        citizen = {
            "title": "นาง", "first_name": "สมศรี", "last_name": "วัดผล", "national_id": nid,
            "birth_date": "1990-04-13", "phone": "0812345678", "email": f"somsri.{nid}@example.com",
            "house_no": "12", "village": "-", "road": "-", "province": 40, "district": 4001, "sub_district": 400101,
            "postcode": "40000", "password": PASSWORD, "password_confirm": PASSWORD, "accept_terms": True,
            "terms_version": "2569.1",
        }
        status, _, body = call(self.port, "POST", "/api/v1/citizens", json.dumps(citizen), {"Content-Type": "application/json"})
        assert status == 201, body
        login = json.dumps({"username": nid, "password": PASSWORD})
        status, _, body = call(self.port, "POST", "/api/v1/auth/login", login, {"Content-Type": "application/json"})
        assert status == 200, body
        return nid, login, json.loads(body)["token"]

    def seed(self):
        self.national_id, self.login_body, self.token = self.register()
        # Submissions under load go to a second citizen, so "my requests" keeps its 20 rows.
        self.submitter, _, self.submitter_token = self.register()
        for n in range(20):
            status, _, body = call(self.port, "POST", "/api/v1/requests", complaint_body(n).encode(), {
                "Authorization": f"Bearer {self.token}", "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                "Idempotency-Key": f"seed-{n}",
            })
            assert status == 201, body
        # A browser session for the HTML page: the login form with its CSRF cookie and field.
        status, cookie, page = call(self.port, "GET", "/login")
        csrf_cookie = cookie.split(";")[0]
        csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        form = f"csrf_token={csrf}&username={self.national_id}&password={PASSWORD}"
        status, cookie, body = call(self.port, "POST", "/login", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": csrf_cookie,
        })
        assert status == 303, (status, body[:300])
        self.cookie = f"{csrf_cookie}; {cookie.split(';')[0]}"
        status, _, page = call(self.port, "GET", "/requests", headers={"Cookie": self.cookie})
        assert status == 200 and page.count(b'class="request-row"') == 20, (status, page.count(b'class="request-row"'))

    def rss_mib(self):
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()


def lua(work, name, text):
    path = work / f"{name}.lua"
    path.write_text(text)
    return path


def wrk(port, path, seconds, connections=64, headers=None, script=None, host=HOST):
    """Requests per second and p99 latency (ms) of one wrk run."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Host: {host}"]
    for h in headers or []:
        cmd += ["-H", h]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)] if p99 else float("nan")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx and int(non2xx.group(1)) > 0:
        print(f"  warning: {non2xx.group(1)} answers were not 2xx/3xx for {path}", file=sys.stderr)
    return rate, p99_ms


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="one round of 1 s per measure")
    args = parser.parse_args()
    rounds, seconds = (1, 1) if args.smoke else (3, 8)
    for tool in ("wrk", "pgbench", "psql", "cargo"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (apt-get install wrk postgresql-client)")
    started = time.time()

    print("== build (release)", flush=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "eservice", "--bin", "eservice",
                    "-p", "web", "--example", "hello", "-p", "access", "--example", "argon2_rate"],
                   cwd=ROOT, check=True, env={**os.environ, "CARGO_TARGET_DIR": str(TARGET)})
    release = TARGET / "release"
    work = Path(tempfile.mkdtemp(prefix="eservice-speed-"))
    database = f"eservice_speed_{os.getpid()}"
    pg_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    subprocess.run(["psql", PG_ADMIN_URL, "-X", "-q", "-c", f"CREATE DATABASE {database}"], check=True)
    hello_port = free_port()
    hello = subprocess.Popen([str(release / "examples" / "hello"), f"127.0.0.1:{hello_port}"])
    servers = []
    try:
        print("== start and seed eservice on SQLite and PostgreSQL", flush=True)
        servers = [Server("sqlite", release / "eservice", work, None), Server("postgres", release / "eservice", work, pg_url)]
        subprocess.run(["psql", pg_url, "-X", "-q", "-c", "ANALYZE"], check=True)
        idle = {s.name: s.rss_mib() for s in servers}

        login_lua = {s.name: lua(work, f"login-{s.name}", f"""
wrk.method = "POST"
wrk.body = '{s.login_body}'
wrk.headers["Content-Type"] = "application/json"
""") for s in servers}
        body_file = work / "submission.body"
        body_file.write_bytes(complaint_body("bench").encode())
        submit_lua = lua(work, "submit", f"""
local file = io.open("{body_file}", "rb")
local body = file:read("*a")
file:close()
local counter = 0
function setup(thread) thread:set("id", math.random(1, 1000000000)) end
function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = "bench-" .. id .. "-" .. counter
  return wrk.format("POST", "/api/v1/requests", nil, body)
end
""")

        results = {}

        def record(key, value):
            results.setdefault(key, []).append(value)

        after_flood = {}
        for r in range(rounds):
            print(f"== round {r + 1} of {rounds}", flush=True)
            # Autovacuum is off on these machines' test server: keep the planner's statistics as
            # fresh as a production server's while the submissions and logins grow the tables.
            subprocess.run(["psql", pg_url, "-X", "-q", "-c", "ANALYZE"], check=True)
            record("hello", wrk(hello_port, "/", seconds, host="localhost"))
            for s in servers:
                record(f"home {s.name}", wrk(s.port, "/", seconds))
                record(f"me {s.name}", wrk(s.port, "/api/v1/me", seconds, headers=[f"Authorization: Bearer {s.token}"]))
                record(f"my requests {s.name}", wrk(s.port, "/requests", seconds, headers=[f"Cookie: {s.cookie}"]))
                record(f"logins {s.name}", wrk(s.port, "/api/v1/auth/login", seconds, connections=16, script=login_lua[s.name]))
                after_flood[s.name] = max(after_flood.get(s.name, 0), s.rss_mib())
                flood = subprocess.Popen(["wrk", "-t1", "-c16", f"-d{seconds + 1}s", "-H", f"Host: {HOST}", "-s",
                                          str(login_lua[s.name]), f"http://127.0.0.1:{s.port}/api/v1/auth/login"],
                                         stdout=subprocess.DEVNULL)
                time.sleep(0.5)
                record(f"home during logins {s.name}", wrk(s.port, "/", seconds, connections=32))
                flood.wait()
                after_flood[s.name] = max(after_flood[s.name], s.rss_mib())
                record(f"submissions {s.name}", wrk(s.port, "/api/v1/requests", seconds, connections=16, script=submit_lua,
                                                    headers=[f"Authorization: Bearer {s.submitter_token}",
                                                             f"Content-Type: multipart/form-data; boundary={BOUNDARY}"]))
            argon = subprocess.run([str(release / "examples" / "argon2_rate"), str(max(seconds / 2, 1))],
                                   capture_output=True, text=True, check=True).stdout
            record("argon2", (float(argon.split()[1]), 0.0))
            record("pgbench", (pgbench(pg_url, servers[1], seconds), 0.0))

        print_table(results, idle, after_flood, rounds, seconds)
        print(f"took {time.time() - started:.0f} s")
    finally:
        for s in servers:
            s.stop()
        hello.terminate()
        subprocess.run(["psql", PG_ADMIN_URL, "-X", "-q", "-c", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"])
        shutil.rmtree(work, ignore_errors=True)


def pgbench(pg_url, server, seconds):
    """Transactions per second of bench/submission.sql with this server's citizen, prepared, 16 clients."""
    q = lambda sql: subprocess.run(["psql", pg_url, "-X", "-q", "-A", "-t", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()
    tenant = q("SELECT id FROM tenants WHERE slug = 'demo'")
    citizen, session = q(f"SELECT s.citizen_id || '|' || s.id_hash FROM sessions s JOIN citizens c ON c.id = s.citizen_id "
                         f"WHERE c.national_id = '{server.submitter}' AND s.kind = 'api' LIMIT 1").split("|")
    item, category = q(f"SELECT id || '|' || category_id FROM service_items WHERE tenant_id = '{tenant}' AND key = 'complaint'").split("|")
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-c", "16", "-j", "2", "-T", str(int(max(seconds, 1))),
                          "-D", f"tenant={tenant}", "-D", f"citizen={citizen}", "-D", f"session={session}",
                          "-D", f"item={item}", "-D", f"category={category}",
                          "-f", str(ROOT / "bench" / "submission.sql"), pg_url], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{out.stderr}")
    return float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))


def print_table(results, idle, after_flood, rounds, seconds):
    def med(key, i=0):
        values = [v[i] for v in results[key]]
        return statistics.median(values), (min(values), max(values))

    hello, _ = med("hello")
    argon, _ = med("argon2")
    pg_tps, _ = med("pgbench")
    print(f"\nmedian of {rounds} interleaved {seconds} s runs (min–max); wrk on loopback, 2 threads\n")
    print(f"{'what':<38} {'median':>10} {'range':>19} {'p99 ms':>8} {'ceiling':>10} {'ratio':>7} {'goal':>6}")
    rows = []
    for backend in ("sqlite", "postgres"):
        rows += [
            (f"my requests, {backend}", f"my requests {backend}", hello, 0.3),
            (f"GET /api/v1/me, {backend}", f"me {backend}", hello, 0.3),
            (f"tenant home page, {backend}", f"home {backend}", hello, 0.5),
            (f"logins (API), {backend}", f"logins {backend}", argon, 0.9),
            (f"home while logins flood, {backend}", f"home during logins {backend}", med(f"home {backend}")[0], 0.8),
        ]
    rows.append(("submissions (no file), postgres", "submissions postgres", pg_tps, 0.9))
    rows.append(("submissions (no file), sqlite", "submissions sqlite", None, None))
    for label, key, ceiling, goal in rows:
        (rate, (lo, hi)), (p99, _) = med(key), med(key, 1)
        ratio = f"{rate / ceiling:.3f}" if ceiling else "–"
        ceil_text = f"{ceiling:,.0f}" if ceiling else "–"
        goal_text = f"≥{goal}" if goal else ""
        print(f"{label:<38} {rate:>10,.1f} {f'{lo:,.0f}–{hi:,.0f}':>19} {p99:>8.1f} {ceil_text:>10} {ratio:>7} {goal_text:>6}")
    print(f"\nceilings: hello-world {hello:,.0f} req/s, bare argon2id {argon:.1f} verifies/s, pgbench {pg_tps:,.0f} tps")
    for name in idle:
        print(f"resident memory {name}: {idle[name]:.0f} MiB idle, {after_flood.get(name, 0):.0f} MiB at most during logins (goal ≤ 150)")


if __name__ == "__main__":
    main()
