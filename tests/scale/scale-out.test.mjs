// Scale-out on one machine: two `eservice serve` replicas and one `eservice worker`, all on one
// PostgreSQL database, one S3-compatible store (moto) and one SMTP capture server (aiosmtpd).
// `.ci/run` runs it with ESERVICE_BIN, PG_ADMIN_URL, TEST_S3_ENDPOINT, TEST_SMTP_ADDR and
// TEST_SMTP_MAILDIR set; see tests/scale/README.md.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { cardPhoto, nationalId } from '../e2e/lib/harness.mjs';

const { ESERVICE_BIN, PG_ADMIN_URL, TEST_S3_ENDPOINT, TEST_SMTP_ADDR, TEST_SMTP_MAILDIR } = process.env;
for (const [name, value] of Object.entries({ ESERVICE_BIN, PG_ADMIN_URL, TEST_S3_ENDPOINT, TEST_SMTP_ADDR, TEST_SMTP_MAILDIR })) {
  if (!value) throw new Error(`${name} must be set (see tests/scale/README.md)`);
}
const TTL_SECS = 2;
const HOST = 'demo.localhost';
const BUCKET = `eservice-scale-${Date.now()}`;
const database = `scale_${process.pid}_${Date.now()}`;
const databaseUrl = `${PG_ADMIN_URL.replace(/\/[^/]*$/, '')}/${database}`;
const work = mkdtempSync(join(tmpdir(), 'eservice-scale-'));
const [smtpHost, smtpPort] = TEST_SMTP_ADDR.split(':');

const env = (extra) => ({
  PATH: process.env.PATH,
  NO_COLOR: '1',
  DATABASE_URL: databaseUrl,
  ESERVICE_BASE_DOMAIN: 'localhost',
  ESERVICE_DATA_DIR: work,
  ESERVICE_LOAD_DEMO_TENANTS: 'false',
  ESERVICE_MIGRATE_ON_START: 'false',
  ESERVICE_RUN_WORKER: 'false',
  ESERVICE_TENANT_CACHE_TTL_SECS: String(TTL_SECS),
  ESERVICE_OUTBOX_LEASE_SECS: '12',
  ESERVICE_SMTP_HOST: smtpHost,
  ESERVICE_SMTP_PORT: smtpPort,
  ESERVICE_SMTP_TLS: 'none',
  ESERVICE_S3_BUCKET: BUCKET,
  ESERVICE_S3_ENDPOINT: TEST_S3_ENDPOINT,
  ESERVICE_S3_ACCESS_KEY_ID: 'test',
  ESERVICE_S3_SECRET_ACCESS_KEY: 'test',
  ESERVICE_S3_PATH_STYLE: 'true',
  ...extra,
});

const processes = [];
function start(name, args, extra = {}) {
  const child = spawn(ESERVICE_BIN, args, { env: env(extra), stdio: ['ignore', 'ignore', 'pipe'] });
  child.log = '';
  child.stderr.on('data', (chunk) => { child.log = (child.log + chunk).slice(-20000); });
  child.name = name;
  processes.push(child);
  return child;
}

function cli(...args) {
  return execFileSync(ESERVICE_BIN, args, { env: env({}), encoding: 'utf8' });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function eventually(what, deadlineMs, check) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An HTTP call to a replica with the tenant's Host header (fetch may not set Host). */
async function call(port, method, path, { token, json, form, headers = {} } = {}) {
  const h = { Host: HOST, ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let body = Buffer.alloc(0);
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    body = Buffer.from(JSON.stringify(json));
  }
  if (form) {
    const encoded = new Request('http://encode.invalid/', { method: 'POST', body: form });
    h['Content-Type'] = encoded.headers.get('content-type');
    body = Buffer.from(await encoded.arrayBuffer());
  }
  h['Content-Length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: h }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, ok: res.statusCode < 300, text: async () => text, json: async () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every message the capture server received for `to`, as Message-IDs (the folder is shared). */
function delivered(to) {
  const found = [];
  for (const dir of ['new', 'cur']) {
    const folder = join(TEST_SMTP_MAILDIR, dir);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      const text = readFileSync(join(folder, name), 'utf8');
      const header = (h) => (text.match(new RegExp(`^${h}:\\s*(.*)$`, 'mi')) || [])[1]?.trim() ?? '';
      if (header('To').includes(to)) found.push(header('Message-ID'));
    }
  }
  return found;
}

function psql(sql) {
  return execFileSync('psql', [databaseUrl, '-X', '-q', '-A', '-t', '-c', sql], { encoding: 'utf8' }).trim();
}

let a;
let b;
let worker;

before(async () => {
  execFileSync('psql', [PG_ADMIN_URL, '-X', '-q', '-c', `CREATE DATABASE ${database}`]);
  const created = await fetch(`${TEST_S3_ENDPOINT}/${BUCKET}`, { method: 'PUT' });
  assert.ok(created.ok, `creating bucket ${BUCKET}: ${created.status}`);
  cli('migrate');
  cli('tenant', 'apply', 'tenants');
  [a, b] = [await freePort(), await freePort()];
  start('serve A', ['serve'], { ESERVICE_LISTEN: `127.0.0.1:${a}` });
  start('serve B', ['serve'], { ESERVICE_LISTEN: `127.0.0.1:${b}` });
  worker = start('worker', ['worker']);
  for (const port of [a, b]) {
    await eventually(`replica on ${port}`, 60000, async () => (await call(port, 'GET', '/readyz')).ok);
  }
});

after(async () => {
  for (const child of processes) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(processes.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  try {
    execFileSync('psql', [PG_ADMIN_URL, '-X', '-q', '-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
  } catch { /* left for .ci/run's cleanup */ }
});

function logsOnFailure(t) {
  t.after(() => {
    if (t.passed === false) for (const c of processes) console.log(`--- ${c.name}:\n${c.log.slice(-3000)}`);
  });
}

const citizen = { nationalId: nationalId(), email: `somsri.${Date.now()}@example.com`, password: 'Kh0nKaen-rice-field-2569' };
let token;

test('a citizen signed in through one replica is signed in on the other', async (t) => {
  logsOnFailure(t);
  const registered = await call(a, 'POST', '/api/v1/citizens', {
    json: {
      title: 'นาง', first_name: 'สมศรี', last_name: 'ขยายได้', national_id: citizen.nationalId, birth_date: '1990-04-13',
      phone: '0812345678', email: citizen.email, house_no: '12', village: '-', road: '-', province: 40, district: 4001,
      sub_district: 400101, postcode: '40000', password: citizen.password, password_confirm: citizen.password,
      accept_terms: true, terms_version: '2569.1',
    },
  });
  assert.equal(registered.status, 201, await registered.text());
  const login = await call(a, 'POST', '/api/v1/auth/login', { json: { username: citizen.nationalId, password: citizen.password } });
  assert.equal(login.status, 200);
  token = (await login.json()).token;
  const me = await call(b, 'GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).national_id, citizen.nationalId);

  // ID photos stored through A (in the bucket) are served by B.
  const photos = new FormData();
  for (const seed of [1, 2]) photos.append('photo', new Blob([cardPhoto(900, 570, seed)], { type: 'image/png' }), `card-${seed}.png`);
  const uploaded = await call(a, 'POST', '/api/v1/me/identity-photos', { token, form: photos });
  assert.equal(uploaded.status, 200, await uploaded.text());
  const { identity_photos: stored } = await uploaded.json();
  assert.equal(stored.length, 2);
  const photo = await call(b, 'GET', stored[1].url, { token });
  assert.equal(photo.status, 200, 'B serves the photo A stored');
  const out = await call(b, 'POST', '/api/v1/auth/logout', { token });
  assert.equal(out.status, 204);
  assert.equal((await call(a, 'GET', '/api/v1/me', { token })).status, 401, 'signed out on B is signed out on A');
  token = (await (await call(b, 'POST', '/api/v1/auth/login', { json: { username: citizen.nationalId, password: citizen.password } })).json()).token;
});

function complaint(n) {
  const form = new FormData();
  form.set('form_id', 'complaint');
  form.set('data', JSON.stringify({
    topic: 'road', subject: `ถนนชำรุด จุดที่ ${n}`, details: 'หลุมกว้างประมาณหนึ่งเมตร', location: 'ซอยเทศบาล 3',
    complainant_name: 'นางสมศรี ขยายได้', contact_by: 'phone', phone: '0812345678',
  }));
  return form;
}

test('ten submissions with one idempotency key over both replicas make one request', async (t) => {
  logsOnFailure(t);
  const key = `scale-${Date.now()}`;
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i % 2 ? b : a, 'POST', '/api/v1/requests', {
    token, form: complaint(0), headers: { 'Idempotency-Key': key },
  })));
  const bodies = await Promise.all(answers.map((r) => r.json()));
  const statuses = answers.map((r) => r.status).sort();
  assert.deepEqual(statuses.filter((s) => s === 201).length, 1, `one 201 and nine 200: ${statuses}`);
  assert.ok(statuses.every((s) => s === 200 || s === 201), `${statuses} ${JSON.stringify(bodies)}`);
  assert.equal(new Set(bodies.map((x) => x.reference)).size, 1, 'every answer names the same request');
  const list = await (await call(b, 'GET', '/api/v1/requests', { token })).json();
  assert.equal(list.total, 1);
});

test('the outbox is delivered once per message though the worker is killed mid-batch', async (t) => {
  logsOnFailure(t);
  const references = [];
  for (let i = 1; i <= 40; i += 1) {
    const r = await call(i % 2 ? a : b, 'POST', '/api/v1/requests', { token, form: complaint(i), headers: { 'Idempotency-Key': `mail-${Date.now()}-${i}` } });
    assert.equal(r.status, 201);
    references.push((await r.json()).reference);
  }
  const earlier = delivered(citizen.email).length;
  await eventually('the worker sending', 30000, () => delivered(citizen.email).length >= earlier + 3);
  worker.kill('SIGKILL');
  await new Promise((r) => worker.once('exit', r));
  const atKill = delivered(citizen.email).length - earlier;
  worker = start('worker (restarted)', ['worker']);
  await eventually('every message sent', 90000, () => psql("SELECT count(*) FROM outbox WHERE status = 'pending'") === '0');
  const ids = delivered(citizen.email);
  const distinct = new Set(ids);
  // One acknowledgement per submission (plus the one of the idempotent request above).
  assert.ok(distinct.size >= references.length + 1, `${distinct.size} distinct messages for ${references.length + 1} submissions`);
  const repeats = ids.length - distinct.size;
  // SMTP has no exactly-once: a message accepted by the server in the instant between the send and
  // its row being marked goes again, with the same Message-ID, so the receiver can drop it.
  assert.ok(repeats <= 1, `${repeats} messages sent twice (killed after ${atKill} of them)`);
  assert.equal(psql("SELECT count(*) FROM outbox WHERE status = 'dead'"), '0');
});

test('a tenant suspended through the command line is suspended on both replicas within the cache TTL', async (t) => {
  logsOnFailure(t);
  cli('tenant', 'suspend', 'demo');
  const deadline = (TTL_SECS + 2) * 1000;
  for (const port of [a, b]) {
    await eventually(`503 on ${port}`, deadline, async () => (await call(port, 'GET', '/api/v1/tenant')).status === 503);
  }
  cli('tenant', 'resume', 'demo');
  for (const port of [a, b]) {
    await eventually(`200 on ${port}`, deadline, async () => (await call(port, 'GET', '/api/v1/tenant')).status === 200);
  }
});

test('login limits are a budget per replica, as documented', async (t) => {
  logsOnFailure(t);
  const wrong = { username: citizen.nationalId, password: 'not-the-password-1' };
  for (let i = 0; i < 5; i += 1) assert.equal((await call(a, 'POST', '/api/v1/auth/login', { json: wrong })).status, 401);
  assert.equal((await call(a, 'POST', '/api/v1/auth/login', { json: wrong })).status, 429, 'A holds the client back');
  assert.equal((await call(b, 'POST', '/api/v1/auth/login', { json: wrong })).status, 401, 'B counts on its own');
  for (let i = 0; i < 4; i += 1) await call(b, 'POST', '/api/v1/auth/login', { json: wrong });
  assert.equal((await call(b, 'POST', '/api/v1/auth/login', { json: wrong })).status, 429, 'and holds it back after its own five');
});
