// Two browsers on one dossier: the second acts on a stale page and is told that someone else
// acted first (If-Match → 412) instead of overwriting.
import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

test('a stale page gets the conflict message and can reload', async ({ browser }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const a = await first.newPage();
  const b = await second.newPage();
  await signIn(a, 'officer.bacquang', '/ho-so/WEB-REG-3');
  await signIn(b, 'officer.bacquang', '/ho-so/WEB-REG-3');
  await expect(a.getByTestId('state')).toHaveText('Hồ sơ đã nộp');
  await expect(b.getByTestId('state')).toHaveText('Hồ sơ đã nộp');

  // The second opens the return form and starts typing...
  await b.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
  await b.locator('form[data-form="return_dossier"]').getByLabel('Lý do').fill('Thiếu mẫu sản phẩm');
  // ...while the first accepts the dossier.
  await a.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
  await a.locator('form[data-form="accept_dossier"]').getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
  await expect(a.getByTestId('state')).toHaveText('Đang xem xét');

  await b.locator('form[data-form="return_dossier"]').getByRole('button', { name: 'Trả lại hồ sơ' }).click();
  const conflict = b.getByTestId('err_conflict');
  await expect(conflict).toContainText('người khác cập nhật');
  await expect(b.getByTestId('state')).toHaveText('Hồ sơ đã nộp'); // nothing overwritten, nothing pretended
  await conflict.getByRole('button', { name: 'Tải lại hồ sơ' }).click();
  await expect(b.getByTestId('state')).toHaveText('Đang xem xét');
  await first.close();
  await second.close();
});
