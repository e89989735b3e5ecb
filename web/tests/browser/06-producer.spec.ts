// A producer registers a product idea from the worklist and lands on its dossier.
import { test, expect } from '@playwright/test';
import { signIn } from './helpers';

test('a producer registers an idea', async ({ page }) => {
  await signIn(page, 'producer.bacquang');
  await page.getByText('Đăng ký ý tưởng sản phẩm mới').click();
  const form = page.locator('form[data-form="submit_idea"]');
  await form.getByLabel('Sản phẩm', { exact: true }).fill('Chè xanh Bắc Quang (hộp 200 g)');
  await form.getByLabel('Bộ sản phẩm').selectOption('tea');
  await form.getByLabel('Chủ thể').fill('HTX Chè Bắc Quang');
  await expect(form.getByLabel('Đơn vị')).toHaveValue('TQ-BACQUANG');
  await form.getByRole('button', { name: 'Đăng ký ý tưởng' }).click();
  await expect(page).toHaveURL(/\/ho-so\/TQ-2026-/);
  await expect(page.getByTestId('state')).toHaveText('Ý tưởng chờ xét');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Chè xanh Bắc Quang');
});
