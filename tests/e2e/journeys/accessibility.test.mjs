// axe-core on every citizen page, for both tenants, on a phone and a desktop: the public pages,
// registration and its refused form, login, forgotten password, the ID-photo step, the welcome
// and profile pages, the catalogue, every service form fresh and refused, "สำเร็จ", my requests,
// the request page and my documents. Any serious or critical violation fails, and so does a page
// that scrolls sideways on the phone. On the refused complaint, the error summary has the focus
// and its first link takes the citizen to the wrong field.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as e2e from '../lib/harness.mjs';

const { assertAccessible, nationalId, tenantUrl } = e2e;
const browser = e2e.browserForFile();

/** axe-core on the page as it is, and on a phone no sideways scrolling. */
async function audit(page, what) {
  await assertAccessible(page, what);
  if (page.viewportSize().width <= 360) await e2e.assertFitsWidth(page, what);
}

/** Opens `path` and audits it. */
async function check(page, slug, path, what) {
  const response = await page.goto(tenantUrl(slug, path));
  assert.ok(response.ok(), `${what}: HTTP ${response.status()}`);
  await audit(page, what);
}

/** Fills the tenant's complaint form with valid answers (after a refusal nothing is prefilled). */
async function fillComplaint(page, slug) {
  await page.locator('#f-complainant_name').fill('นางสมใจ ใช้บริการ');
  if (slug === 'demo') {
    await page.locator('#f-topic').selectOption('road');
    await page.locator('#f-subject').fill('ถนนชำรุดหน้าบ้าน');
    await page.locator('input[name="contact_by"][value="phone"]').check();
    await page.locator('#f-phone').fill('0891234567');
  } else {
    await page.locator('#f-phone').fill('0891234567');
    await page.locator('input[name="topic"][value="road"]').check();
    await page.locator('#f-village').selectOption({ index: 1 });
  }
  await page.locator('#f-location').fill('หน้าบ้านเลขที่ 7 หมู่ 2');
  await page.locator('#f-details').fill('ถนนหน้าบ้านเป็นหลุมลึก รถจักรยานยนต์ล้มแล้วสองคันในสัปดาห์นี้');
}

for (const slug of ['demo', 'nongbua']) {
  for (const [name, preset] of Object.entries(e2e.viewports)) {
    test(`${slug} on ${name}: every citizen page passes axe-core and fits the screen`, async (t) => {
      const { context, page, problems } = await e2e.newPage(browser(), preset);
      t.after(() => context.close());
      const at = `${slug} ${name}`;

      for (const path of ['/', '/terms', '/register', '/login', '/password/forgot', '/services']) {
        await check(page, slug, path, `${at} ${path}`);
      }
      await page.goto(tenantUrl(slug, '/register'));
      await page.getByLabel('ข้าพเจ้ายอมรับเงื่อนไข').check();
      await page.getByRole('button', { name: 'ตกลง', exact: true }).click();
      await page.waitForURL((url) => url.pathname === '/register/form');
      await audit(page, `${at} registration form`);
      await page.getByRole('button', { name: 'ถัดไป', exact: true }).click();
      await page.getByTestId('error-summary').waitFor();
      await audit(page, `${at} refused registration form`);
      await page.goto(tenantUrl(slug, '/login'));
      await page.getByRole('button', { name: 'เข้าสู่ระบบ', exact: true }).click();
      await page.getByTestId('error-summary').waitFor();
      await audit(page, `${at} refused login`);

      const citizen = { nationalId: nationalId(), email: `a11y.${slug}.${name}.${Date.now()}@example.com`, password: 'Lotus-pond-at-noon-2569' };
      await e2e.registerAndLogIn(page, citizen, {}, slug);
      await audit(page, `${at} ID-photo step`);
      await e2e.uploadIdPhotos(page);
      await audit(page, `${at} welcome`);
      for (const path of ['/profile', '/services', '/requests', '/documents']) {
        await check(page, slug, path, `${at} ${path}`);
      }
      const forms = await page.locator('a[data-testid="service-item"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      for (const form of forms) await check(page, slug, form, `${at} ${form}`);

      await page.goto(tenantUrl(slug, '/services/complaint'));
      await page.getByRole('button', { name: 'ส่งคำร้อง' }).click();
      await page.getByTestId('error-summary').waitFor();
      await audit(page, `${at} refused complaint`);
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'error-summary', `${at}: focus on the summary`);
      const first = page.getByTestId('error-summary').getByRole('link').first();
      const target = (await first.getAttribute('href')).slice(1);
      await first.click();
      await page.waitForFunction((id) => document.activeElement?.id === id, target);
      assert.equal(await page.locator(`#${target}`).getAttribute('aria-invalid'), 'true', `${at}: the linked field is marked`);
      await fillComplaint(page, slug);
      await page.getByRole('button', { name: 'ส่งคำร้อง' }).click();
      await page.waitForURL(/\/services\/requests\/[^/]+\/done$/);
      await audit(page, `${at} สำเร็จ`);
      await page.getByTestId('request-link').click();
      await page.waitForURL(/\/requests\/[^/]+$/);
      await audit(page, `${at} request page`);
      e2e.assertNoProblems(problems, `${at} pages`);
    });
  }
}
