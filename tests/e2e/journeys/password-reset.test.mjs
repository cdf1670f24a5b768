// A citizen who has forgotten their password, on a phone: "ลืมรหัสผ่าน" on the login page → e-mail
// → "ถัดไป" → the "แจ้งเปลี่ยนรหัสผ่าน" e-mail in the dev mailbox → "เปลี่ยนรหัสผ่าน" → a new password
// with the guidance → "ดำเนินการสำเร็จ" on the login screen → logs in with the new password; the old
// password and the used link no longer work.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertFitsWidth,
  assertNoProblems,
  openMail,
  nationalId,
  newPage,
  screenshot,
  tenantUrl,
  viewports,
  browserForFile,
} from '../lib/harness.mjs';

const browser = browserForFile();

/** Registers through the JSON API, from inside the tenant's own page (same origin). */
async function register(page, citizen) {
  const status = await page.evaluate(async (c) => {
    const response = await fetch('/api/v1/citizens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'นาย',
        first_name: 'สมศักดิ์',
        last_name: 'ลืมง่าย',
        national_id: c.nationalId,
        birth_date: '1988-02-29',
        phone: '0812345678',
        email: c.email,
        house_no: '12',
        village: 'หมู่ 3',
        road: 'มิตรภาพ',
        province: 40,
        district: 4001,
        sub_district: 400101,
        postcode: '40000',
        password: c.password,
        password_confirm: c.password,
        accept_terms: true,
      }),
    });
    await response.text(); // read to the end, so leaving the page aborts nothing
    return response.status;
  }, citizen);
  assert.equal(status, 201, 'registered through the API');
}

test('forgotten password on a phone: e-mailed link, new password, log in', async (t) => {
  const { context, page, problems } = await newPage(browser(), viewports.phone);
  t.after(() => context.close());
  const citizen = {
    nationalId: nationalId(),
    email: `somsak.${Date.now()}@example.com`,
    password: 'Rice-field-morning-2567',
  };
  const newPassword = 'Lotus-pond-evening-2569';

  await page.goto(tenantUrl('demo', '/login'));
  await register(page, citizen);

  // The login page → "ลืมรหัสผ่าน"
  await page.goto(tenantUrl('demo', '/login'));
  await assertFitsWidth(page, 'login page');
  await screenshot(page, 'password-reset-1-login-phone');
  await page.getByRole('link', { name: 'ลืมรหัสผ่าน', exact: true }).click();
  await page.waitForURL(tenantUrl('demo', '/password/forgot'));
  await page.getByLabel('อีเมล').fill(citizen.email);
  await assertFitsWidth(page, 'forgot-password page');
  await screenshot(page, 'password-reset-2-forgot-phone');
  await page.getByRole('button', { name: 'ถัดไป' }).click();
  await page.waitForURL(tenantUrl('demo', '/password/forgot/sent'));
  assert.match(await page.locator('h1').innerText(), /กรุณาตรวจสอบอีเมลของท่าน/);
  await screenshot(page, 'password-reset-3-sent-phone');

  // The e-mail, as the file transport wrote it
  await openMail(page, citizen.email);
  assert.match(await page.locator('h1').innerText(), /แจ้งเปลี่ยนรหัสผ่าน/);
  assert.match(await page.getByTestId('mail-text').innerText(), /เทศบาลเมืองตัวอย่าง/);
  await assertFitsWidth(page, 'mailbox message');
  await screenshot(page, 'password-reset-4-mail-phone');
  const resetLink = await page.getByTestId('mail-text').locator('a[href*="/password/reset?token="]').first().getAttribute('href');
  assert.equal(new URL(resetLink).host, new URL(tenantUrl('demo')).host, 'the link goes to the tenant');

  // "เปลี่ยนรหัสผ่าน" → the new password with the guidance
  await page.goto(resetLink);
  assert.equal(new URL(page.url()).search, '', 'the token has left the address bar');
  assert.match(await page.locator('h1').innerText(), /ตั้งรหัสผ่านใหม่/);
  assert.ok(await page.getByText('คำแนะนำ', { exact: true }).isVisible(), 'the guidance is shown');
  await page.getByLabel('รหัสผ่านใหม่', { exact: true }).fill(newPassword);
  await page.getByLabel('ยืนยันรหัสผ่านใหม่').fill(newPassword);
  await assertFitsWidth(page, 'new-password page');
  await screenshot(page, 'password-reset-5-new-password-phone');
  await page.getByRole('button', { name: 'ถัดไป' }).click();
  await page.waitForURL(tenantUrl('demo', '/password/reset/done'));
  assert.match(await page.getByTestId('notice').innerText(), /ดำเนินการสำเร็จ/);
  await assertFitsWidth(page, 'done page');
  await screenshot(page, 'password-reset-6-done-phone');

  // The old password no longer works; the new one does
  await page.getByLabel('เลขบัตรประจำตัวประชาชน').fill(citizen.nationalId);
  await page.getByLabel('รหัสผ่าน', { exact: true }).fill(citizen.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  assert.match(await page.getByTestId('form-error').innerText(), /เลขบัตรประจำตัวประชาชนหรือรหัสผ่านไม่ถูกต้อง/);
  assert.equal(await page.getByLabel('เลขบัตรประจำตัวประชาชน').inputValue(), citizen.nationalId, 'the ID is kept');
  await page.getByLabel('รหัสผ่าน', { exact: true }).fill(newPassword);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
  assert.equal(new URL(page.url()).pathname, '/register/identity', 'signed in; the ID photos are still to come');
  const cookies = await context.cookies(tenantUrl('demo'));
  const sid = cookies.find((c) => c.name === 'sid');
  assert.ok(sid?.httpOnly && sid.sameSite === 'Lax', 'an HttpOnly, SameSite=Lax session cookie');

  // The link worked once
  await page.goto(resetLink);
  assert.match(await page.locator('h1').innerText(), /ลิงก์เปลี่ยนรหัสผ่านใช้ไม่ได้/);
  await assertFitsWidth(page, 'used-link page');
  await screenshot(page, 'password-reset-7-used-link-phone');

  assertNoProblems(problems, 'password reset journey');
});
