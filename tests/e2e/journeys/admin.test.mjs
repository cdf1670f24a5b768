// The municipality's admin configures a service in the browser: signs in with TOTP (nongbua's demo
// admin of the embedded start; demo's is the back-office journey's), opens the settings, builds a
// new form field by field (a choice, and a file field shown only for one of its answers), sees it
// in the citizen's own renderer as it edits (live preview), publishes it, puts it under a new
// sub-menu, and a citizen submits it with a photo.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  browserForFile,
  cardPhoto,
  demoStaff,
  nationalId,
  newPage,
  registerAndLogIn,
  screenshot,
  tenantUrl,
  totpCode,
  uploadIdPhotos,
  viewports,
} from '../lib/harness.mjs';

const browser = browserForFile();

async function signIn(page, member) {
  await page.goto(tenantUrl('nongbua', '/staff/login'));
  await page.getByLabel('อีเมล').fill(member.email);
  await page.getByLabel('รหัสผ่าน').fill(member.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await page.getByLabel('รหัสยืนยัน 6 หลัก').fill(totpCode(member.secret));
  await page.getByRole('button', { name: 'ยืนยัน' }).click();
  await page.waitForURL(tenantUrl('nongbua', '/staff'));
}

/** Opens the edit box of field number `n` of the builder (0-based) and returns the card. */
async function editCard(page, n) {
  const card = page.locator(`#field-${n}`);
  await card.locator('summary').click();
  return card;
}

test('an admin builds a form with a file field and a show-if rule, publishes it under a new sub-menu, and a citizen submits it', async (t) => {
  const staffSide = await newPage(browser(), viewports.desktop);
  const citizenSide = await newPage(browser(), viewports.phone);
  t.after(() => Promise.all([staffSide.context.close(), citizenSide.context.close()]));
  const page = staffSide.page;
  const key = `tree_${Date.now().toString(36)}`;
  await signIn(page, demoStaff('nongbua', 'admin'));

  await page.getByRole('link', { name: 'ตั้งค่าหน่วยงาน' }).click();
  await page.getByRole('heading', { name: 'ตั้งค่าหน่วยงาน', level: 1 }).waitFor();
  await assertAccessible(page, 'settings');
  await screenshot(page, 'admin-1-settings');

  // A new form, from the box under the forms list.
  await page.getByRole('link', { name: 'บริการและแบบฟอร์ม' }).first().click();
  await assertAccessible(page, 'services settings');
  await screenshot(page, 'admin-2-services');
  await page.getByLabel('รหัสแบบฟอร์มใหม่').fill(key);
  await page.getByRole('button', { name: 'สร้างแบบฟอร์มใหม่' }).click();
  await page.waitForURL(tenantUrl('nongbua', `/staff/settings/forms/${key}`));
  await page.getByLabel('ชื่อแบบฟอร์ม (ภาษาไทย)').fill('คำขออนุญาตตัดต้นไม้');
  await page.getByLabel('ชื่อแบบฟอร์ม (ภาษาอังกฤษ)').fill('Application to cut a tree');
  await page.locator('#f-form').getByRole('button', { name: 'บันทึก' }).click();
  await page.getByTestId('notice').waitFor();

  // A choice field…
  const add = page.getByTestId('add-field');
  const addField = async (type, fieldKey, th, en) => {
    await add.getByLabel('ชนิดของช่อง').selectOption(type);
    await add.getByLabel('รหัสช่อง').fill(fieldKey);
    await add.getByLabel('ชื่อช่อง (ภาษาไทย)').fill(th);
    await add.getByLabel('ชื่อช่อง (ภาษาอังกฤษ)').fill(en);
    await add.getByRole('button', { name: 'เพิ่มช่อง' }).click();
    await page.getByTestId('notice').waitFor();
  };
  await addField('choice', 'reason', 'เหตุผลที่ขอตัด', 'Why it must be cut');
  let card = await editCard(page, 1);
  await card.getByRole('checkbox', { name: 'บังคับตอบ (ผู้ยื่นต้องตอบช่องนี้)' }).check();
  await card.getByLabel('รูปแบบการเลือก').selectOption('radio');
  await card.locator('textarea[name="f.options"]').fill('danger | ต้นไม้เสี่ยงล้ม | The tree may fall\nbuilding | ต้องการก่อสร้าง | Building work');
  await card.getByRole('button', { name: 'บันทึกช่อง' }).click();
  await page.getByTestId('notice').waitFor();

  // …and a file field shown only when the tree may fall.
  await addField('file', 'tree_photos', 'ภาพถ่ายต้นไม้', 'Photos of the tree');
  card = await editCard(page, 2);
  await card.getByRole('checkbox', { name: 'บังคับตอบ (ผู้ยื่นต้องตอบช่องนี้)' }).check();
  await card.getByLabel('PDF').uncheck();
  await card.getByLabel('ขนาดไฟล์ไม่เกิน (MB)').fill('2');
  await card.getByLabel('จำนวนไฟล์ไม่เกิน').fill('3');
  await card.getByLabel('แสดงเมื่อ').selectOption('reason');
  await card.getByLabel('ตัวเลือกที่ทำให้แสดง').fill('danger');
  // The preview follows the edit before it is saved (live preview).
  await page.locator('#form-preview-box [data-field-key="tree_photos"][data-show-when="reason=danger"]').waitFor({ state: 'attached' });
  await card.getByRole('button', { name: 'บันทึกช่อง' }).click();
  await page.getByTestId('notice').waitFor();

  // The preview is the citizen's form: the photos appear once "เสี่ยงล้ม" is chosen.
  const preview = page.getByTestId('form-preview');
  await preview.waitFor();
  const photos = preview.locator('[data-field-key="tree_photos"]');
  assert.equal(await photos.isVisible(), false, 'hidden until its answer is chosen');
  await preview.getByLabel('ต้นไม้เสี่ยงล้ม').check();
  await photos.waitFor({ state: 'visible' });
  await assertAccessible(page, 'form builder');
  await screenshot(page, 'admin-3-form-builder');

  await page.getByRole('button', { name: 'เผยแพร่เป็นฉบับใหม่' }).click();
  await page.getByTestId('notice').waitFor();
  assert.match(await page.getByTestId('notice').innerText(), /เผยแพร่แบบฟอร์มฉบับใหม่แล้ว/);
  assert.match(await page.locator('main').innerText(), /เผยแพร่อยู่: ฉบับที่ 1/);

  // Under a new sub-menu of the first category.
  await page.goto(tenantUrl('nongbua', '/staff/settings/services'));
  const firstCategory = page.locator('section[data-category]').first();
  await firstCategory.locator('summary', { hasText: 'เพิ่มบริการย่อย' }).click();
  const form = firstCategory.locator('form', { has: page.locator('button[value="add_item"]') });
  await form.locator('input[name$=".key"]').fill(`${key}_service`);
  await form.getByLabel('ชื่อ (ภาษาไทย)').fill('ขออนุญาตตัดต้นไม้');
  await form.getByLabel('ชื่อ (ภาษาอังกฤษ)').fill('Permission to cut a tree');
  await form.getByLabel('แบบฟอร์ม').selectOption(key);
  await form.getByLabel('ระยะเวลาให้บริการ (วันทำการ)').fill('7');
  await form.getByRole('button', { name: 'เพิ่มบริการย่อย' }).click();
  await page.getByTestId('notice').waitFor();
  // The admin pages work on a 360 px phone too.
  await page.setViewportSize({ width: 360, height: 780 });
  for (const where of ['/staff/settings', '/staff/settings/services', `/staff/settings/forms/${key}`]) {
    await page.goto(tenantUrl('nongbua', where));
    await assertFitsWidth(page, `${where} on a phone`);
  }
  await assertAccessible(page, 'form builder on a phone');
  assertNoProblems(staffSide.problems, 'admin pages');

  // A citizen finds it and submits it with a photo.
  const citizen = { nationalId: nationalId(), email: `wichai.${Date.now()}@example.com`, password: 'Lotus-pond-evening-2569' };
  const cpage = citizenSide.page;
  await registerAndLogIn(cpage, citizen, {}, 'nongbua');
  await uploadIdPhotos(cpage);
  await cpage.goto(tenantUrl('nongbua', `/services/${key}_service`));
  await cpage.getByRole('heading', { name: 'ขออนุญาตตัดต้นไม้' }).waitFor();
  await cpage.locator('#f-details').fill('ต้นไม้ใหญ่หน้าบ้านเอียงเข้าหาสายไฟ');
  await cpage.getByLabel('ต้นไม้เสี่ยงล้ม').check();
  await cpage.locator('input[type="file"][name="tree_photos"]').setInputFiles({ name: 'tree.png', mimeType: 'image/png', buffer: cardPhoto(640, 480, 9) });
  await assertFitsWidth(cpage, 'the new form');
  await cpage.getByRole('button', { name: 'ส่งคำร้อง' }).click();
  await cpage.waitForURL(/\/services\/requests\/[^/]+\/done$/);
  assert.match((await cpage.getByTestId('reference').innerText()).trim(), /^[A-Z]+-\d{4}-\d+$/);
  assertNoProblems(citizenSide.problems, 'citizen pages');
});
