// The municipality's side: an officer signs in with e-mail, password and a TOTP code (the demo
// staff of the embedded start, read from <data dir>/demo-staff.txt), approves a citizen's
// identity, takes the citizen's request through รับเรื่อง → กำลังดำเนินการ → ดำเนินการสำเร็จ and
// attaches a licence (ใบอนุญาต). The citizen sees each status, gets the completion e-mail,
// downloads the licence, and its verify page says valid, then revoked once the officer revokes it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertAccessible,
  assertFitsWidth,
  assertNoProblems,
  cardPhoto,
  nationalId,
  newPage,
  registerAndLogIn,
  screenshot,
  tenantUrl,
  totpCode,
  viewports,
  browserForFile,
  demoStaff,
} from '../lib/harness.mjs';

const browser = browserForFile();


/** A 1-page PDF as a licence file. */
const LICENCE_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

async function citizenWithRequest(page, citizen) {
  await registerAndLogIn(page, citizen, {
    title: 'นาย', first_name: 'ประเสริฐ', last_name: 'ขอใบอนุญาต', birth_date: '1980-01-20', phone: '0897654321',
    house_no: '12', village: 'หมู่ 5',
  });
  await page.waitForURL((url) => url.pathname === '/register/identity');
  const inputs = page.locator('input[type="file"][name="photo"]');
  for (let i = 0; i < (await inputs.count()); i += 1) {
    await inputs.nth(i).setInputFiles({ name: `card-${i + 1}.png`, mimeType: 'image/png', buffer: cardPhoto(800, 600, i + 3) });
  }
  await page.getByRole('button', { name: 'ยืนยันตัวตน', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/welcome');

  await page.goto(tenantUrl('demo', '/services/complaint'));
  await page.locator('#f-topic').selectOption('road');
  await page.locator('#f-subject').fill('ขอซ่อมไฟฟ้าส่องสว่าง');
  await page.locator('#f-details').fill('ไฟถนนหน้าบ้านเลขที่ 12 ดับมาหนึ่งสัปดาห์');
  await page.locator('#f-location').fill('หน้าบ้านเลขที่ 12 หมู่ 5');
  await page.locator('input[name="contact_by"][value="email"]').check();
  await page.getByRole('button', { name: 'ส่งคำร้อง' }).click();
  await page.waitForURL(/\/services\/requests\/[^/]+\/done$/);
  return (await page.getByTestId('reference').innerText()).trim();
}

async function citizenSees(page, reference, label) {
  await page.goto(tenantUrl('demo', `/requests/${reference}`));
  assert.equal((await page.getByTestId('status').innerText()).trim(), label, `the citizen sees ${label}`);
}

async function move(page, label) {
  await page.getByTestId('move-to').selectOption({ label });
  await page.getByTestId('move').click();
  await page.getByTestId('notice').waitFor();
  assert.match(await page.getByTestId('notice').innerText(), /บันทึกสถานะใหม่เรียบร้อยแล้ว/);
  assert.equal((await page.getByTestId('status').innerText()).trim(), label);
}

test('an officer signs in with TOTP, approves the identity, completes the request with a licence', async (t) => {
  const citizenSide = await newPage(browser(), viewports.phone);
  const staffSide = await newPage(browser(), viewports.desktop);
  t.after(() => Promise.all([citizenSide.context.close(), staffSide.context.close()]));
  const citizen = { nationalId: nationalId(), email: `prasert.${Date.now()}@example.com`, password: 'Lamp-post-repair-2569' };
  const reference = await citizenWithRequest(citizenSide.page, citizen);
  await citizenSees(citizenSide.page, reference, 'ส่งคำร้อง');

  // Staff sign-in: e-mail and password, then the 6-digit code.
  const officer = demoStaff('demo', 'officer');
  const page = staffSide.page;
  await page.goto(tenantUrl('demo', '/staff/login'));
  await page.getByLabel('อีเมล').fill(officer.email);
  await page.getByLabel('รหัสผ่าน').fill(officer.password);
  await assertAccessible(page, 'staff login');
  await screenshot(page, 'backoffice-1-login');
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await assertAccessible(page, 'staff code step');
  await page.getByLabel('รหัสยืนยัน 6 หลัก').fill(totpCode(officer.secret));
  await page.getByRole('button', { name: 'ยืนยัน' }).click();
  await page.waitForURL(tenantUrl('demo', '/staff'));
  await page.getByRole('heading', { name: 'ภาพรวมงาน' }).waitFor();
  await assertAccessible(page, 'staff dashboard');
  await screenshot(page, 'backoffice-2-dashboard');

  // The identity queue → the photos next to the data → approve.
  await page.getByRole('link', { name: 'ตรวจสอบตัวตน' }).first().click();
  await page.getByRole('link', { name: 'นายประเสริฐ ขอใบอนุญาต' }).last().click();
  assert.equal(await page.getByTestId('national-id').innerText(), citizen.nationalId);
  await page.waitForFunction(() => [...document.querySelectorAll('.review-photos img')].every((img) => img.complete && img.naturalWidth > 0));
  await assertAccessible(page, 'identity check');
  await screenshot(page, 'backoffice-3-identity');
  await page.getByTestId('approve').click();
  await page.getByTestId('notice').waitFor();
  assert.equal((await page.getByTestId('identity-status').innerText()).trim(), 'ยืนยันตัวตนแล้ว');

  // The request queue, searched by reference → the request → every status.
  await page.goto(tenantUrl('demo', '/staff/requests'));
  await page.getByLabel('ค้นหา').fill(reference);
  await page.getByRole('button', { name: 'กรอง' }).click();
  await assertAccessible(page, 'request queue');
  await page.getByRole('link', { name: reference }).click();
  await assertAccessible(page, 'staff request page');
  await screenshot(page, 'backoffice-4-request');
  await move(page, 'เจ้าหน้าที่รับเรื่อง');
  await citizenSees(citizenSide.page, reference, 'เจ้าหน้าที่รับเรื่อง');
  await move(page, 'กำลังดำเนินการ');
  await citizenSees(citizenSide.page, reference, 'กำลังดำเนินการ');

  // Attach the licence, then complete.
  await page.getByLabel('ประเภทเอกสาร').selectOption('licence');
  await page.getByLabel('เลขที่เอกสาร').fill('ลส. 7/2569');
  await page.getByLabel('ชื่อเอกสาร (ภาษาไทย)').fill('ใบอนุญาตซ่อมแซมไฟฟ้าส่องสว่าง');
  await page.getByLabel('ไฟล์เอกสาร').setInputFiles({ name: 'licence.pdf', mimeType: 'application/pdf', buffer: LICENCE_PDF });
  await page.getByTestId('attach').click();
  await page.getByTestId('notice').waitFor();
  assert.match(await page.getByTestId('notice').innerText(), /แนบเอกสารเรียบร้อยแล้ว/);
  await move(page, 'ดำเนินการสำเร็จ');
  await assertFitsWidth(page, 'staff request page');
  await screenshot(page, 'backoffice-5-completed');

  // The citizen: completed, the e-mail, the licence to download, its verify page valid.
  await citizenSees(citizenSide.page, reference, 'ดำเนินการสำเร็จ');
  const cpage = citizenSide.page;
  const licence = cpage.locator('.document-item').first();
  assert.match(await licence.innerText(), /ใบอนุญาต/);
  const href = await licence.locator('a', { hasText: 'ดาวน์โหลด' }).first().getAttribute('href');
  const download = await cpage.evaluate(async (url) => {
    const r = await fetch(url);
    return { status: r.status, type: r.headers.get('content-type'), head: (await r.text()).slice(0, 5) };
  }, href);
  assert.deepEqual(download, { status: 200, type: 'application/pdf', head: '%PDF-' });
  const code = (await licence.getByTestId('verification-code').innerText()).trim();
  await screenshot(cpage, 'backoffice-6-citizen-licence-phone');
  // The completion e-mail (the identity one came first): wait until the worker has sent it.
  const deadline = Date.now() + 20_000;
  for (;;) {
    await cpage.goto(tenantUrl('demo', '/dev/mailbox'));
    // By its subject "คำร้องเลขที่ … : ดำเนินการสำเร็จ": the acknowledgement names the reference too.
    const link = cpage.getByTestId('mail-link').filter({ hasText: citizen.email }).filter({ hasText: `${reference}: ดำเนินการสำเร็จ` }).first();
    if (await link.count()) {
      await link.click();
      break;
    }
    assert.ok(Date.now() < deadline, `no completion e-mail for ${reference} within 20 s`);
    await cpage.waitForTimeout(500);
  }
  assert.match(await cpage.locator('main').innerText(), /ดำเนินการสำเร็จ/);

  await cpage.goto(tenantUrl('demo', `/verify/${code}`));
  assert.match(await cpage.locator('main').innerText(), /เอกสารนี้ถูกต้องและยังใช้ได้/);

  // Revoking makes the verify page say so.
  await page.getByLabel('เหตุผลที่เพิกถอน').fill('ออกเลขที่ซ้ำ');
  await page.getByRole('button', { name: 'เพิกถอน' }).click();
  await page.getByTestId('notice').waitFor();
  await cpage.goto(tenantUrl('demo', `/verify/${code}`));
  assert.match(await cpage.locator('main').innerText(), /เอกสารนี้ถูกเพิกถอนแล้ว/);
  await assertFitsWidth(cpage, 'verify page (revoked)');

  assertNoProblems(staffSide.problems, 'back-office journey (staff)');
  assertNoProblems(citizenSide.problems, 'back-office journey (citizen)');
});

test('an admin sees the staff page and the audit trail of what the officers did', async (t) => {
  const { context, page, problems } = await newPage(browser(), viewports.desktop);
  t.after(() => context.close());
  const admin = demoStaff('demo', 'admin');
  await page.goto(tenantUrl('demo', '/staff/login'));
  await page.getByLabel('อีเมล').fill(admin.email);
  await page.getByLabel('รหัสผ่าน').fill(admin.password);
  await page.getByRole('button', { name: 'เข้าสู่ระบบ' }).click();
  await page.getByLabel('รหัสยืนยัน 6 หลัก').fill(totpCode(admin.secret));
  await page.getByRole('button', { name: 'ยืนยัน' }).click();
  await page.waitForURL(tenantUrl('demo', '/staff'));

  await page.getByRole('link', { name: 'เจ้าหน้าที่', exact: true }).click();
  await page.getByRole('heading', { name: 'เจ้าหน้าที่', exact: true }).waitFor();
  assert.ok(await page.locator(`tr[data-member="${demoStaff('demo', 'officer').email}"]`).isVisible(), 'the officer is listed');
  await assertAccessible(page, 'staff page');
  await screenshot(page, 'backoffice-7-team');

  await page.getByRole('link', { name: 'บันทึกการใช้งาน' }).click();
  await page.getByRole('heading', { name: 'บันทึกการใช้งาน' }).waitFor();
  assert.ok((await page.locator('tr[data-action="staff.sign_in"]').count()) >= 1, 'sign-ins are in the audit trail');
  await assertAccessible(page, 'audit trail');
  await assertFitsWidth(page, 'audit trail');
  assertNoProblems(problems, 'admin journey');
});
