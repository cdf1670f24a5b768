// A citizen on a phone uses a service: category → sub-menu → the form (prefilled from the
// account; the phone field appears when "โทรศัพท์" is ticked) → attaches a photo → "ส่งคำร้อง" →
// "สำเร็จ" with the reference number, the time of receipt and the status ส่งคำร้อง.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertFitsWidth,
  assertNoProblems,
  assertServerReady,
  launch,
  nationalId,
  newPage,
  screenshot,
  tenantUrl,
  viewports,
} from '../lib/harness.mjs';

let browser;
before(async () => {
  await assertServerReady();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Registers through the JSON API from the tenant's own page, then signs in with the form. */
async function registerAndLogIn(page, citizen) {
  await page.goto(tenantUrl('demo', '/login'));
  const status = await page.evaluate(async (c) => {
    const response = await fetch('/api/v1/citizens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'นาง', first_name: 'สมใจ', last_name: 'ใช้บริการ', national_id: c.nationalId,
        birth_date: '1985-06-15', phone: '0891234567', email: c.email, house_no: '7', village: 'หมู่ 2',
        road: 'มิตรภาพ', province: 40, district: 4001, sub_district: 400101, postcode: '40000',
        password: c.password, password_confirm: c.password, accept_terms: true,
      }),
    });
    await response.text();
    return response.status;
  }, citizen);
  assert.equal(status, 201, 'registered through the API');
  await page.getByLabel('เลขบัตรประจำตัวประชาชน').fill(citizen.nationalId);
  await page.getByLabel('รหัสผ่าน', { exact: true }).fill(citizen.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** A tiny valid PNG (1×1). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

test('a complaint with a photo on a phone: category → form → สำเร็จ with the reference', async (t) => {
  const { context, page, problems } = await newPage(browser, viewports.phone);
  t.after(() => context.close());
  const citizen = { nationalId: nationalId(), email: `somjai.${Date.now()}@example.com`, password: 'Mango-sticky-rice-2569' };
  await registerAndLogIn(page, citizen);

  // Categories with their sub-menus
  await page.goto(tenantUrl('demo', '/services'));
  assert.ok((await page.getByTestId('category').count()) >= 3, 'the categories are listed');
  await assertFitsWidth(page, 'services page');
  await screenshot(page, 'services-1-catalogue-phone');
  await page.locator('a[href="/services/complaint"]').click();
  await page.waitForURL(tenantUrl('demo', '/services/complaint'));

  // The form, prefilled; conditional fields appear with their choice
  assert.equal(await page.locator('#f-complainant_name').inputValue(), 'นางสมใจ ใช้บริการ', 'the name is prefilled');
  assert.equal(await page.locator('#f-phone').isVisible(), false, 'the phone field waits for its choice');
  assert.equal(await page.locator('#f-topic_other').isVisible(), false, '"other topic" waits for its choice');
  await page.locator('#f-topic').selectOption('road');
  await page.locator('#f-subject').fill('ถนนชำรุดหน้าบ้าน');
  await page.locator('#f-details').fill('ถนนหน้าบ้านเลขที่ 7 เป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคัน');
  await page.locator('#f-location').fill('หน้าบ้านเลขที่ 7 หมู่ 2');
  await page.locator('input[name="contact_by"][value="phone"]').check();
  assert.ok(await page.locator('#f-phone').isVisible(), 'ticking โทรศัพท์ shows the phone field');
  assert.equal(await page.locator('#f-phone').inputValue(), '0891234567', 'the phone is prefilled');
  await page.locator('#f-photos').setInputFiles({ name: 'road.png', mimeType: 'image/png', buffer: PNG });
  await assertFitsWidth(page, 'form page');
  await screenshot(page, 'services-2-form-phone');
  await page.getByRole('button', { name: 'ส่งคำร้อง' }).click();

  // "สำเร็จ"
  await page.waitForURL(/\/services\/requests\/[^/]+\/done$/);
  const done = page.getByTestId('submission-done');
  assert.match(await done.innerText(), /สำเร็จ/);
  assert.match(await page.getByTestId('reference').innerText(), /^DEMO-25\d{2}-\d{6}$/);
  assert.match(await page.getByTestId('received-at').innerText(), /พ\.ศ\. 25\d{2}/);
  assert.match(await done.innerText(), /ส่งคำร้อง/);
  assert.match(await done.innerText(), /มาตรา 10/);
  await assertFitsWidth(page, 'done page');
  await screenshot(page, 'services-3-done-phone');
  const reference = (await page.getByTestId('reference').innerText()).trim();

  // "My requests" (from the menu) lists it as ส่งคำร้อง
  await page.waitForLoadState('load');
  await page.locator('a[href="/requests"]').first().click();
  await page.waitForURL(tenantUrl('demo', '/requests'));
  const row = page.locator(`li[data-reference="${reference}"]`);
  assert.ok(await row.isVisible(), `the list shows ${reference}`);
  assert.equal((await row.getByTestId('status').innerText()).trim(), 'ส่งคำร้อง');
  await assertFitsWidth(page, 'my requests page');
  await screenshot(page, 'services-4-my-requests-phone');

  assertNoProblems(problems, 'services journey');
});
