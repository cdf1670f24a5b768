// A citizen registers on a phone, as the citizen manual says: "ลงทะเบียน" → the terms, tick
// "ข้าพเจ้ายอมรับเงื่อนไข", "ตกลง" → the "ลงทะเบียน" form (a mistyped ID number comes back with a message
// and nothing lost; the address is picked from linked lists) → "ถัดไป" → "ยืนยันตัวตน" with the
// municipality's number of ID-card photos → the welcome page, status "กำลังตรวจสอบการยืนยันตัวตน",
// showing the crossed photos. Also: without JavaScript the address lists come from the server.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertFitsWidth,
  assertNoProblems,
  cardPhoto,
  nationalId,
  newPage,
  registerAndLogIn,
  screenshot,
  tenantUrl,
  uploadIdPhotos,
  viewports,
  browserForFile,
} from '../lib/harness.mjs';

const browser = browserForFile();

/** The same ID with its check digit changed: the mistake the form must catch. */
function withWrongCheckDigit(id) {
  return `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}`;
}

test('demo on a phone: terms → form → ID photos → welcome shows pending', async (t) => {
  const { context, page, problems } = await newPage(browser(), viewports.phone);
  t.after(() => context.close());
  const id = nationalId('3');
  const email = `e2e.register.${id}@example.com`;
  const password = 'Rice-fields-at-dawn-2569';

  await page.goto(tenantUrl('demo', '/'));
  await page.locator('header').getByRole('link', { name: 'ลงทะเบียน', exact: true }).click();
  await page.waitForURL(tenantUrl('demo', '/register'));
  assert.ok(await page.locator('.reg-terms').isVisible(), 'the terms are shown');
  await assertFitsWidth(page, 'terms (phone)');
  await screenshot(page, 'register-1-terms-phone');

  await page.getByLabel('ข้าพเจ้ายอมรับเงื่อนไข').check();
  await page.getByRole('button', { name: 'ตกลง', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/register/form');
  await page.getByRole('heading', { name: 'ลงทะเบียน', exact: true }).waitFor();

  await page.getByLabel('คำนำหน้าชื่อ').selectOption('นางสาว');
  await page.getByLabel('ชื่อ', { exact: true }).fill('สมหญิง');
  await page.getByLabel('นามสกุล').fill('รักเรียน');
  await page.getByLabel('เลขบัตรประจำตัวประชาชน').fill(withWrongCheckDigit(id));
  await page.getByLabel('วันเดือนปีเกิด').fill('13/04/2533');
  await page.getByLabel('หมายเลขโทรศัพท์มือถือ').fill('089 123 4567');
  await page.getByLabel('อีเมลส่วนตัว').fill(email);
  await page.getByLabel('บ้านเลขที่').fill('45/2');
  await page.getByLabel('หมู่ที่ / หมู่บ้าน').fill('หมู่ 7');
  await page.getByLabel('ถนน').fill('-');
  await page.getByLabel('จังหวัด').selectOption({ label: 'ขอนแก่น' });
  await page.locator('#f-district option[value="4001"]').waitFor({ state: 'attached' });
  await page.getByLabel('อำเภอ / เขต').selectOption('4001');
  await page.locator('#f-sub_district option[value="400101"]').waitFor({ state: 'attached' });
  await page.getByLabel('ตำบล / แขวง').selectOption('400101');
  await page.waitForFunction(() => document.querySelector('#f-postcode').value === '40000');
  assert.ok(await page.getByText('คำแนะนำ', { exact: true }).isVisible(), 'password guidance beside the field');
  await page.locator('#f-password').fill(password);
  await page.getByLabel('ยืนยันรหัสผ่าน').fill(password);
  await assertFitsWidth(page, 'registration form (phone)');
  await screenshot(page, 'register-2-form-phone');

  await page.getByRole('button', { name: 'ถัดไป', exact: true }).click();
  await page.locator('[data-field="national_id"]').waitFor();
  await page.waitForLoadState('load');
  assert.match(await page.locator('[data-field="national_id"]').innerText(), /เลขบัตรประจำตัวประชาชนไม่ถูกต้อง/);
  // The error summary has the focus and takes the citizen to the wrong field.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'error-summary', 'focus on the summary');
  const toField = page.getByTestId('error-summary').getByRole('link', { name: /เลขบัตรประจำตัวประชาชน/ });
  assert.equal(await toField.getAttribute('href'), '#f-national_id');
  await toField.click();
  await page.waitForFunction(() => document.activeElement?.id === 'f-national_id');
  assert.equal(await page.getByLabel('เลขบัตรประจำตัวประชาชน').getAttribute('aria-invalid'), 'true');
  const described = await page.getByLabel('เลขบัตรประจำตัวประชาชน').getAttribute('aria-describedby');
  assert.match(await page.locator(`#${described.split(' ')[0]}`).innerText(), /เลขบัตรประจำตัวประชาชนไม่ถูกต้อง/, 'the field is described by its message');
  assert.equal(await page.getByLabel('นามสกุล').inputValue(), 'รักเรียน', 'typed values are kept');
  assert.equal(await page.getByLabel('อีเมลส่วนตัว').inputValue(), email);
  assert.equal(await page.getByLabel('ตำบล / แขวง').inputValue(), '400101', 'the address stays chosen');
  assert.equal(await page.locator('#f-password').inputValue(), '', 'passwords are not sent back');
  await assertFitsWidth(page, 'refused form (phone)');
  await screenshot(page, 'register-3-form-error-phone');

  await page.getByLabel('เลขบัตรประจำตัวประชาชน').fill(id);
  await page.locator('#f-password').fill(password);
  await page.getByLabel('ยืนยันรหัสผ่าน').fill(password);
  await page.getByRole('button', { name: 'ถัดไป', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/register/identity');

  // Back to the form from "ยืนยันตัวตน": what was typed is still there, ID and address included.
  await page.goBack();
  await page.waitForURL((url) => url.pathname === '/register/form');
  await page.waitForFunction(() => document.querySelector('#f-sub_district').value === '400101');
  assert.equal(await page.getByLabel('เลขบัตรประจำตัวประชาชน').inputValue(), id, 'the national ID is kept');
  assert.equal(await page.getByLabel('บ้านเลขที่').inputValue(), '45/2', 'the house number is kept');
  assert.equal(await page.getByLabel('อำเภอ / เขต').inputValue(), '4001', 'the district is kept');
  assert.equal(await page.getByLabel('นามสกุล').inputValue(), 'รักเรียน');
  await page.goForward();
  await page.waitForURL((url) => url.pathname === '/register/identity');

  const inputs = page.locator('input[type="file"][name="photo"]');
  assert.equal(await inputs.count(), 2, 'demo asks for two ID-card photos');
  for (let i = 0; i < 2; i += 1) {
    await inputs.nth(i).setInputFiles({ name: `card-${i + 1}.png`, mimeType: 'image/png', buffer: cardPhoto(800, 600, i) });
  }
  await assertFitsWidth(page, 'identity step (phone)');
  await screenshot(page, 'register-4-identity-phone');
  await page.getByRole('button', { name: 'ยืนยันตัวตน', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/welcome');

  await page.getByRole('heading', { name: 'ยินดีต้อนรับ เข้าสู่ระบบบริการประชาชนออนไลน์' }).waitFor();
  assert.equal((await page.getByTestId('identity-status').innerText()).trim(), 'กำลังตรวจสอบการยืนยันตัวตน');
  const photos = page.locator('.reg-photo-grid img');
  assert.equal(await photos.count(), 2, 'the crossed photos are shown');
  await page.waitForFunction(() => [...document.querySelectorAll('.reg-photo-grid img')].every((img) => img.complete && img.naturalWidth > 0));
  await assertFitsWidth(page, 'welcome (phone)');
  await screenshot(page, 'register-5-welcome-phone');
  assertNoProblems(problems, 'registration journey');
});

test('without JavaScript the district and sub-district lists come from the server', async (t) => {
  const { context, page, problems } = await newPage(browser(), viewports.phone, { javaScriptEnabled: false });
  t.after(() => context.close());
  await page.goto(tenantUrl('nongbua', '/register'));
  await page.getByLabel('ข้าพเจ้ายอมรับเงื่อนไข').check();
  await page.getByRole('button', { name: 'ตกลง', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/register/form');
  await page.getByLabel('ชื่อ', { exact: true }).fill('สมปอง');
  await page.getByLabel('จังหวัด').selectOption({ label: 'ขอนแก่น' });
  const refresh = page.getByRole('button', { name: 'แสดงรายชื่ออำเภอและตำบล' });
  assert.ok(await refresh.isVisible(), 'the refresh button shows without JavaScript');
  await refresh.click();
  await page.waitForLoadState('load');
  await page.locator('#f-district option[value="4001"]').waitFor({ state: 'attached' });
  await page.getByLabel('อำเภอ / เขต').selectOption('4001');
  await page.getByRole('button', { name: 'แสดงรายชื่ออำเภอและตำบล' }).click();
  await page.waitForLoadState('load');
  await page.locator('#f-sub_district option[value="400101"]').waitFor({ state: 'attached' });
  assert.equal(await page.getByLabel('ชื่อ', { exact: true }).inputValue(), 'สมปอง', 'what was typed stays');
  assert.equal(await page.locator('[data-field]').count(), 0, 'refreshing the lists is not an error');
  await assertFitsWidth(page, 'form without JavaScript (phone)');
  await screenshot(page, 'register-nojs-phone');
  assertNoProblems(problems, 'form without JavaScript');
});

test('nongbua on a phone: a tiny grey picture is refused at once, good photos go through', async (t) => {
  const { context, page, problems } = await newPage(browser(), viewports.phone);
  t.after(() => context.close());
  const citizen = { nationalId: nationalId('5'), email: `e2e.photos.${Date.now()}@example.com`, password: 'Paddy-field-at-dusk-2569' };
  await registerAndLogIn(page, citizen, {}, 'nongbua');
  await page.waitForURL((url) => url.pathname === '/register/identity');
  assert.ok(await page.getByLabel('ภาพถ่ายตนเองคู่กับบัตรประชาชน').isVisible(), 'the third photo is named by nongbua');

  const inputs = page.locator('input[type="file"][name="photo"]');
  await inputs.nth(0).setInputFiles({ name: 'scrap.png', mimeType: 'image/png', buffer: cardPhoto(120, 80, 0, { flat: true }) });
  for (let i = 1; i < 3; i += 1) {
    await inputs.nth(i).setInputFiles({ name: `card-${i + 1}.png`, mimeType: 'image/png', buffer: cardPhoto(800, 600, i) });
  }
  await page.getByRole('button', { name: 'ยืนยันตัวตน', exact: true }).click();
  const summary = page.getByTestId('error-summary');
  await summary.waitFor();
  const link = summary.getByRole('link', { name: /ภาพเล็กเกินไป/ });
  assert.equal(await link.getAttribute('href'), '#photo-1', 'the summary points at the first photo');
  assert.equal(await page.locator('#photo-1').getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'register-6-photo-refused-phone');

  await uploadIdPhotos(page);
  assert.equal((await page.getByTestId('identity-status').innerText()).trim(), 'กำลังตรวจสอบการยืนยันตัวตน');
  assertNoProblems(problems, 'photo check journey');
});
