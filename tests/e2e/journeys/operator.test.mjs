// The platform operator: added with `eservice operator add` on the server's own data folder (the
// embedded mode), signs in on the platform's host with e-mail, password and TOTP code, finds a
// municipality in the list, opens it, and is told what is missing when suspending without a
// reason. Nothing is suspended here: the other journeys use both demo municipalities at the same
// time (the HTTP tests suspend and resume). Every page passes axe-core and fits a 360 px phone.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import {
  BASE_DOMAIN,
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  browserForFile,
  newPage,
  platformUrl,
  screenshot,
  totpCode,
  viewports,
} from '../lib/harness.mjs';

const browser = browserForFile();

/** `eservice operator add` against the server's data folder; its e-mail, password and secret. */
function addOperator() {
  const bin = process.env.E2E_ESERVICE_BIN;
  const dir = process.env.E2E_DATA_DIR;
  assert.ok(bin && dir, 'E2E_ESERVICE_BIN and E2E_DATA_DIR name the server under test (see tests/e2e/README.md)');
  const email = `ops.${Date.now()}@platform.example`;
  const password = 'Platform-console-2569-key';
  const out = execFileSync(bin, ['operator', 'add', '--email', email, '--name', 'ผู้ดูแล ทดสอบ'], {
    input: `${password}\n`,
    env: { ...process.env, ESERVICE_DATA_DIR: dir, ESERVICE_BASE_DOMAIN: BASE_DOMAIN, NO_COLOR: '1' },
    encoding: 'utf8',
  });
  const secret = out.match(/authenticator secret: (\S+)/)?.[1];
  assert.ok(secret, `the command prints the secret:\n${out}`);
  return { email, password, secret };
}

for (const [name, preset] of Object.entries(viewports)) {
  test(`an operator signs in and looks after a municipality (${name})`, async () => {
    const operator = addOperator();
    const { page, problems } = await newPage(browser(), preset);

    await page.goto(platformUrl('/operator'));
    assert.equal(new URL(page.url()).pathname, '/operator/login', 'the console asks for a sign-in');
    await assertAccessible(page, `operator login (${name})`);
    await assertFitsWidth(page, `operator login (${name})`);

    await page.getByLabel('อีเมล').fill(operator.email);
    await page.getByLabel('รหัสผ่าน', { exact: true }).fill(operator.password);
    await page.getByLabel('รหัสยืนยัน 6 หลัก').fill('000000');
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
    await page.getByTestId('form-error').waitFor();
    assert.match(await page.getByTestId('form-error').innerText(), /ไม่ถูกต้อง/);
    await assertAccessible(page, `operator login refused (${name})`);

    await page.getByLabel('รหัสผ่าน', { exact: true }).fill(operator.password);
    await page.getByLabel('รหัสยืนยัน 6 หลัก').fill(totpCode(operator.secret));
    await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
    await page.waitForURL((url) => url.pathname === '/operator');
    assert.equal(await page.locator('tr[data-tenant="demo"]').count(), 1, 'demo is listed');
    await assertAccessible(page, `municipalities (${name})`);
    await assertFitsWidth(page, `municipalities (${name})`);
    await screenshot(page, `operator-tenants-${name}`);

    await page.getByLabel('ค้นหาหน่วยงาน').fill('nong');
    await page.getByRole('button', { name: 'ค้นหา', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === 'nong');
    assert.equal(await page.locator('tr[data-tenant]').count(), 1, 'only nongbua matches');
    await page.locator('tr[data-tenant="nongbua"] a').click();
    await page.waitForURL((url) => url.pathname === '/operator/tenants/nongbua');
    assert.equal(await page.getByTestId('tenant-status').innerText(), 'เปิดให้บริการ');
    await assertAccessible(page, `a municipality (${name})`);
    await assertFitsWidth(page, `a municipality (${name})`);

    // Suspending without a reason: the form comes back saying what is missing; nothing changed.
    await page.getByRole('button', { name: 'ระงับการให้บริการ' }).click();
    await page.getByTestId('form-error').waitFor();
    assert.equal(await page.getByTestId('tenant-status').innerText(), 'เปิดให้บริการ');
    assert.equal(await page.getByLabel('เหตุผลในการระงับ').getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, `suspension refused (${name})`);

    await page.getByRole('button', { name: 'ออกจากระบบ' }).click();
    await page.waitForURL((url) => url.pathname === '/operator/login');
    assertNoProblems(problems, `operator journey (${name})`);
    await page.context().close();
  });
}
