// Shared helpers for the browser journeys (node:test + playwright-core + Debian Chromium).
//
// The server is started by .ci/run (or by hand, see ../README.md); journeys only need to know
// its port (E2E_PORT). Tenants live on http://<slug>.localhost:<port>/, which Chromium resolves
// to loopback by itself.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The port the eservice under test listens on. */
export const BASE_PORT = Number(process.env.E2E_PORT || 8080);
/** The platform's base domain (ESERVICE_BASE_DOMAIN); tenants are its subdomains. */
export const BASE_DOMAIN = process.env.E2E_BASE_DOMAIN || 'localhost';
/** Debian's Chromium; E2E_CHROMIUM points elsewhere (e.g. google-chrome on GitHub runners). */
export const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
/** Where screenshot() writes (ignored by git). */
export const SCREENSHOT_DIR = process.env.E2E_SCREENSHOT_DIR || path.join(here, '..', 'screenshots');

/** The flags every launch uses: the machine has no network but loopback. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** Viewport presets, spread into browser.newContext(). */
export const desktop = Object.freeze({
  viewport: { width: 1280, height: 800 },
  deviceScaleFactor: 1,
  isMobile: false,
  hasTouch: false,
});
export const phone = Object.freeze({
  viewport: { width: 360, height: 740 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
});
export const viewports = Object.freeze({ desktop, phone });

/** http://<slug>.localhost:<port><path> */
export function tenantUrl(slug, urlPath = '/') {
  return `http://${slug}.${BASE_DOMAIN}:${BASE_PORT}${withSlash(urlPath)}`;
}

/** http://localhost:<port><path>: the platform itself (no tenant). */
export function platformUrl(urlPath = '/') {
  return `http://${BASE_DOMAIN}:${BASE_PORT}${withSlash(urlPath)}`;
}

function withSlash(p) {
  return p.startsWith('/') ? p : `/${p}`;
}

/**
 * Starts headless Debian Chromium with CHROMIUM_ARGS. Each launch gets a fresh, empty profile:
 * Playwright itself passes `--user-data-dir=<new temp folder>` (it refuses one in `args`) and
 * deletes that folder on browser.close().
 */
export async function launch(options = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
    ...options,
  });
}

/**
 * A new isolated context (cookies, storage) with a viewport preset, and one page in it.
 * `locale` sets Accept-Language; Thai by default, as for a citizen's phone in Thailand.
 * Returns { context, page, problems }: problems collects page errors, console errors and
 * failed or 4xx/5xx sub-resource requests (the document itself is excluded, so a 404 page
 * can be tested), for assertNoProblems().
 */
export async function newPage(browser, preset = desktop, { locale = 'th-TH', ...more } = {}) {
  const context = await browser.newContext({ ...preset, locale, ...more });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const where = m.location()?.url || '';
    if (m.text().startsWith('Failed to load resource')) {
      // Chromium logs one for every 4xx/5xx: the document's own status is the test's to check,
      // sub-resources are reported by the 'response' listener below, and the browser's own
      // /favicon.ico probe is not part of the page.
      if (where === page.url() || new URL(where, 'http://x/').pathname === '/favicon.ico') return;
    }
    problems.push(`console error: ${m.text()}${where ? ` (${where})` : ''}`);
  });
  // A sub-resource still loading when the journey moves on is cancelled by the browser
  // (net::ERR_ABORTED); that is navigation, not a failure of the server.
  page.on('requestfailed', (r) => {
    const reason = r.failure()?.errorText ?? '';
    if (reason !== 'net::ERR_ABORTED') problems.push(`request failed: ${r.url()} (${reason})`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== 'document') {
      problems.push(`HTTP ${r.status()}: ${r.url()}`);
    }
  });
  return { context, page, problems };
}

/** Throws listing everything newPage() collected, if anything. */
export function assertNoProblems(problems, what = 'page') {
  if (problems.length) {
    throw new Error(`${what} had problems:\n  ${problems.join('\n  ')}`);
  }
}

/** Text of the header's tenant name. */
export async function tenantName(page) {
  return (await page.getByTestId('tenant-name').innerText()).trim();
}

/** { scrollWidth, innerWidth } of the page; scrollWidth > innerWidth means sideways scrolling. */
export async function horizontalOverflow(page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
}

/**
 * A full-page PNG in SCREENSHOT_DIR named `<name>.png` (after web fonts have loaded).
 * Returns the file's path.
 */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * One browser for the journeys of a file: checks the server in `before`, launches, and closes it
 * in `after`. Returns a function giving the browser (it exists once `before` has run).
 */
export function browserForFile() {
  let browser;
  before(async () => {
    await assertServerReady();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/** Fails fast, with a hint, when nothing answers /readyz on E2E_PORT. */
export async function assertServerReady() {
  const url = platformUrl('/readyz');
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (response.ok) return;
    throw new Error(`HTTP ${response.status}`);
  } catch (e) {
    throw new Error(
      `eservice is not ready at ${url} (${e.message}); start it and set E2E_PORT (see tests/e2e/README.md)`,
    );
  }
}

/** A valid 13-digit national ID (mod-11 check digit), different on every call. */
export function nationalId(first = '1') {
  const body = `${first}${String(Date.now() % 1e8).padStart(8, '0')}${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`;
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * (13 - i), 0);
  return `${body}${(11 - (sum % 11)) % 10}`;
}

/** Fails when the page scrolls sideways (the phone layout must fit its width). */
export async function assertFitsWidth(page, what) {
  const { scrollWidth, innerWidth } = await horizontalOverflow(page);
  assert.ok(scrollWidth <= innerWidth, `${what} scrolls sideways: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}`);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A card-like PNG photo as the ID-photo checks want one (big enough, lit, sharp, card shaped): a
 * light card with lines of glyph-like marks on a dark table; `seed` makes each one different.
 * 800x600 unless told; `cardPhoto(120, 80, 0, { flat: true })` is the grey scrap they refuse.
 */
export function cardPhoto(width = 800, height = 600, seed = 0, { flat = false } = {}) {
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const onCard = x > width * 0.12 && x < width * 0.88 && y > height * 0.15 && y < height * 0.85;
      const line = (y - Math.floor(height * 0.15)) % 40;
      const inText = onCard && line >= 16 && line < 34 && x > width * 0.16 && x < width * 0.75;
      const mark = inText && (Math.floor(x / 9) * 7 + seed * 3 + Math.floor(y / 40)) % 5 !== 0 && x % 9 < 7;
      const o = 1 + x * 3;
      const [r, g, b] = flat ? [128, 128, 128] : mark ? [29, 42, 68] : onCard ? [233, 240, 247] : [52 + ((seed * 9) % 40), 56, 64];
      row[o] = r;
      row[o + 1] = g;
      row[o + 2] = b;
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Waits (reloading) until the dev mailbox lists a message to `email`, then opens it. */
export async function openMail(page, email) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await page.goto(tenantUrl('demo', '/dev/mailbox'));
    const link = page.getByTestId('mail-link').filter({ hasText: email }).first();
    if (await link.count()) {
      await link.click();
      return;
    }
    assert.ok(Date.now() < deadline, `no e-mail to ${email} reached the mailbox within 20 s`);
    await page.waitForTimeout(500);
  }
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at `unixSeconds`. */
export function totpCode(secret, unixSeconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, '0');
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Uploads the tenant's number of card photos on the "ยืนยันตัวตน" step and waits for the welcome page. */
export async function uploadIdPhotos(page) {
  const inputs = page.locator('input[type="file"][name="photo"]');
  const count = await inputs.count();
  for (let i = 0; i < count; i += 1) {
    await inputs.nth(i).setInputFiles({ name: `card-${i + 1}.png`, mimeType: 'image/png', buffer: cardPhoto(800, 600, i) });
  }
  await page.getByRole('button', { name: 'ยืนยันตัวตน', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/welcome');
  return count;
}

/** Runs axe-core on the page as it is now and fails on any serious or critical violation. */
export async function assertAccessible(page, what) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
  });
  assert.deepEqual(violations, [], `axe-core on ${what}`);
}

/**
 * Registers a citizen of `slug` (demo unless told) through the JSON API from the tenant's own
 * page, then signs in with the login form. `person` overrides the name and address fields.
 */
export async function registerAndLogIn(page, citizen, person = {}, slug = 'demo') {
  await page.goto(tenantUrl(slug, '/login'));
  const body = {
    title: 'นาง', first_name: 'สมใจ', last_name: 'ใช้บริการ', birth_date: '1985-06-15', phone: '0891234567',
    house_no: '7', village: 'หมู่ 2', road: 'มิตรภาพ', province: 40, district: 4001, sub_district: 400101, postcode: '40000',
    ...person,
    national_id: citizen.nationalId, email: citizen.email,
    password: citizen.password, password_confirm: citizen.password, accept_terms: true,
  };
  const status = await page.evaluate(async (b) => {
    const response = await fetch('/api/v1/citizens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    await response.text(); // read to the end, so leaving the page aborts nothing
    return response.status;
  }, body);
  assert.equal(status, 201, 'registered through the API');
  await page.getByLabel('เลขบัตรประจำตัวประชาชน').fill(citizen.nationalId);
  await page.getByLabel('รหัสผ่าน', { exact: true }).fill(citizen.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** The demo staff member of `slug` with `role` (officer or admin) as the first embedded start wrote it down. */
export function demoStaff(slug, role) {
  const dir = process.env.E2E_DATA_DIR;
  assert.ok(dir, 'E2E_DATA_DIR names the data folder of the server under test');
  const line = readFileSync(path.join(dir, 'demo-staff.txt'), 'utf8')
    .split('\n')
    .find((l) => l.includes(`//${slug}.`) && l.includes(` ${role} `));
  assert.ok(line, `a demo ${role} of ${slug}`);
  const field = (name) => line.split(/\s+/)[line.split(/\s+/).indexOf(name) + 1];
  return { email: field('e-mail'), password: field('password'), secret: line.split('TOTP secret ')[1].trim() };
}
