// The public face (issue 13, docs/public.md), in a browser without signing in, at a 360 px
// phone: the catalogue (server-rendered by `ocop serve`, no script), an accent-free search, a
// product's page, and the verification page its QR code opens; then a revocation shows at once.
// scripts/web.sh docs-screenshots also writes docs/public-catalogue-phone.jpg and
// docs/public-verify-phone.jpg.
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { BASE, ocopJson, screenshot } from './helpers';

const PHONE = { width: 360, height: 740 };

async function fitsThePhone(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} fits 360 px`).toBeLessThanOrEqual(0);
}

async function docsShot(page: Page, name: string) {
  const docs = process.env.OCOP_DOCS_SCREENSHOTS;
  if (docs) await page.screenshot({ path: join(docs, `public-${name}-phone.jpg`), type: 'jpeg', quality: 70 });
}

test('a buyer finds a product, opens its certificate, and sees a revocation at once', async ({ browser }) => {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  await page.goto(BASE() + '/catalogue');
  await expect(page.getByRole('heading', { name: 'Sản phẩm OCOP được công nhận' })).toBeVisible();
  await fitsThePhone(page, 'the catalogue');

  await page.getByLabel('Tìm sản phẩm hoặc chủ thể').fill('che shan tuyet');
  await page.getByLabel('Hạng sao').selectOption('4');
  await page.getByRole('button', { name: 'Tìm' }).click();
  const cards = page.locator('ul.cards li');
  await expect(cards.first()).toBeVisible();
  for (const name of await cards.locator('h2').allTextContents()) expect(name).toContain('Shan tuyết');
  await expect(cards.first()).toContainText('4 sao');
  await fitsThePhone(page, 'the search results');
  await screenshot(page, 'public-catalogue-phone');
  await docsShot(page, 'catalogue');

  const product = (await cards.first().locator('h2').textContent())!.trim();
  await cards.first().getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: product })).toBeVisible();
  await expect(page.locator('[data-status]').first()).toHaveAttribute('data-status', /in_force|expiring/);
  await fitsThePhone(page, 'the product page');

  await page.getByRole('link', { name: /Tra cứu mã/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Tra cứu giấy chứng nhận sản phẩm OCOP' })).toBeVisible();
  await expect(page.locator('section.state')).toContainText('Còn hiệu lực');
  await fitsThePhone(page, 'the verification page');
  await screenshot(page, 'public-verify-phone');
  await docsShot(page, 'verify');

  // The province revokes it; the same page, reloaded, says so at once.
  const code = page.url().split('/verify/')[1];
  const certs = ocopJson('certificates') as { id: string; product: string; state: string }[];
  const cert = certs.find((c) => c.product === product && c.state !== 'superseded')!;
  ocopJson('fire', 'revoke', cert.id, '--actor', 'signer.tq.ngoc', '--data',
    JSON.stringify({ ground: 'quality_change', decision_no: '90/QĐ-UBND', decision_date: '2026-12-20' }), '--now', process.env.OCOP_NOW!);
  await page.reload();
  await expect(page.locator('section.state')).toHaveAttribute('data-status', 'revoked');
  await expect(page.locator('section.state')).toContainText('Chất lượng sản phẩm thay đổi');
  expect(page.url()).toContain(code);
  await context.close();
});

test('a code that names nothing says so', async ({ page }) => {
  const answer = await page.goto(BASE() + '/verify/AAAAAAAAAAAAAAAAAAAA');
  expect(answer!.status()).toBe(404);
  await expect(page.locator('section.state')).toContainText('Không tìm thấy giấy chứng nhận');
});
