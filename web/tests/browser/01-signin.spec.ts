// Signing in with the service's session cookie, the user always visible, signing out.
import { test, expect } from '@playwright/test';
import { BASE, DEMO_PASSWORD, signIn } from './helpers';

test('the launch smoke test: Debian chromium drives a page of the service', async ({ page, browser }) => {
  expect(browser.version()).toMatch(/^\d+\./);
  const res = await page.goto(BASE() + '/');
  expect(res?.status()).toBe(200);
  expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});

test('a wrong password is refused with one plain message', async ({ page }) => {
  await page.goto(BASE() + '/');
  await page.getByLabel('Tên đăng nhập').fill('officer.bacquang');
  await page.getByLabel('Mật khẩu').fill('not-the-password');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByTestId('signin-failed')).toContainText('Đăng nhập không thành công');
  await expect(page.getByTestId('who')).toHaveCount(0);
});

test('sign in shows the name, role and unit; sign out ends the session', async ({ page, context }) => {
  await signIn(page, 'officer.bacquang');
  const who = page.getByTestId('who');
  await expect(who).toContainText('Ma Quang Páo');
  await expect(who).toContainText('Cán bộ thẩm định');
  await expect(who).toContainText('TQ-BACQUANG');
  await expect(page.getByRole('heading', { name: 'Việc của tôi' })).toBeVisible();
  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === '__Host-ocop_session')?.httpOnly).toBe(true);

  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.getByRole('heading', { name: 'Đăng nhập' })).toBeVisible();
  // The old session no longer opens anything.
  const me = await page.request.get(BASE() + '/api/v1/me');
  expect(me.status()).toBe(401);
  void DEMO_PASSWORD;
});

test('English is the second language, kept across pages', async ({ page }) => {
  await signIn(page, 'council.tq.binh');
  await page.getByLabel('Ngôn ngữ').selectOption('en');
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible();
  await expect(page.getByTestId('who')).toContainText('Council member');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My work' })).toBeVisible();
  await page.getByLabel('Language').selectOption('vi');
  await expect(page.getByRole('heading', { name: 'Việc của tôi' })).toBeVisible();
});
