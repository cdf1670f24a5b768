// A citizen opens their municipality's home page on a desktop and on a phone, sees their own
// municipality (never the other's), switches to English; the platform page lists both; an
// unknown subdomain is a 404.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertFitsWidth,
  assertNoProblems,
  newPage,
  platformUrl,
  screenshot,
  tenantName,
  tenantUrl,
  viewports,
  browserForFile,
} from '../lib/harness.mjs';

const TENANTS = [
  { slug: 'demo', th: 'เทศบาลเมืองตัวอย่าง', en: 'Tua Yang Town Municipality' },
  { slug: 'nongbua', th: 'องค์การบริหารส่วนตำบลหนองบัว', en: 'Nong Bua Subdistrict Administrative Organization' },
];

const browser = browserForFile();

for (const tenant of TENANTS) {
  const others = TENANTS.filter((t) => t !== tenant);
  for (const [viewportName, preset] of Object.entries(viewports)) {
    test(`${tenant.slug} home on ${viewportName}: own name in Thai, then English`, async (t) => {
      const { context, page, problems } = await newPage(browser(), preset);
      t.after(() => context.close());

      const response = await page.goto(tenantUrl(tenant.slug, '/'));
      assert.equal(response.status(), 200);
      assert.equal(await page.getAttribute('html', 'lang'), 'th');
      assert.equal(await tenantName(page), tenant.th);
      const header = await page.locator('header').innerText();
      const body = await page.locator('body').innerText();
      for (const other of others) {
        assert.ok(!header.includes(other.th), `header of ${tenant.slug} shows ${other.slug}'s name`);
        assert.ok(!body.includes(other.th) && !body.includes(other.en), `${tenant.slug}'s page mentions ${other.slug}`);
      }
      if (viewportName === 'phone') await assertFitsWidth(page, `${tenant.slug} home (th, phone)`);
      await screenshot(page, `home-${tenant.slug}-${viewportName}-th`);

      const toEnglish = page.getByRole('link', { name: 'English', exact: true });
      assert.ok(await toEnglish.isVisible(), 'the language link is visible');
      await toEnglish.click();
      await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      assert.equal(new URL(page.url()).pathname, '/', 'back on the home page after switching');
      assert.equal(await tenantName(page), tenant.en);
      assert.ok(await page.getByRole('link', { name: 'ภาษาไทย', exact: true }).isVisible(), 'a link back to Thai');
      if (viewportName === 'phone') await assertFitsWidth(page, `${tenant.slug} home (en, phone)`);
      await screenshot(page, `home-${tenant.slug}-${viewportName}-en`);

      assertNoProblems(problems, `${tenant.slug} home`);
    });
  }
}

describe('platform', () => {
  for (const [viewportName, preset] of Object.entries(viewports)) {
    test(`the platform page lists both municipalities (${viewportName})`, async (t) => {
      const { context, page, problems } = await newPage(browser(), preset);
      t.after(() => context.close());

      const response = await page.goto(platformUrl('/'));
      assert.equal(response.status(), 200);
      assert.equal(await page.getByTestId('tenant-name').count(), 0, 'no tenant header on the platform page');
      for (const tenant of TENANTS) {
        const link = page.getByRole('link', { name: tenant.th, exact: true });
        assert.equal(await link.count(), 1, `one link to ${tenant.slug}`);
        assert.equal(new URL(await link.getAttribute('href')).host, new URL(tenantUrl(tenant.slug)).host);
      }
      if (viewportName === 'phone') await assertFitsWidth(page, 'platform page (phone)');
      await screenshot(page, `platform-${viewportName}`);

      await page.getByRole('link', { name: TENANTS[1].th, exact: true }).click();
      await page.waitForURL(tenantUrl(TENANTS[1].slug, '/'));
      assert.equal(await tenantName(page), TENANTS[1].th);
      assertNoProblems(problems, 'platform page');
    });
  }

  test('an unknown subdomain shows the 404 page', async (t) => {
    const { context, page, problems } = await newPage(browser(), viewports.phone);
    t.after(() => context.close());

    const response = await page.goto(tenantUrl('no-such-town', '/'));
    assert.equal(response.status(), 404);
    assert.equal(await page.getByTestId('tenant-name').count(), 0, 'no tenant header');
    assert.match(await page.locator('h1').innerText(), /ไม่พบหน้าที่ต้องการ/);
    const body = await page.locator('body').innerText();
    for (const tenant of TENANTS) assert.ok(!body.includes(tenant.th), `the 404 page mentions ${tenant.slug}`);
    await assertFitsWidth(page, '404 page (phone)');
    await screenshot(page, '404-phone');
    assertNoProblems(problems, '404 page');
  });
});
