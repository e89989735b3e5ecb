// A commune officer (officer.bacquang, screener of TQ-BACQUANG) works through the worklist:
// accepts an idea, returns a dossier with the reason and the missing documents, accepts
// another for screening; filters live in the URL; the search folds accents.
import { test, expect } from '@playwright/test';
import { BASE, signIn } from './helpers';

test.describe.configure({ mode: 'serial' });

test('worklist: chips with counts, filters in the URL, accent-insensitive search', async ({ page }) => {
  await signIn(page, 'officer.bacquang');
  const chip = page.locator('.chip[data-state="submitted"]');
  await expect(chip).toBeVisible();
  await chip.click();
  await expect(page).toHaveURL(/\?state=submitted/);
  await expect(page.locator('tr[data-id="WEB-REG-1"]')).toBeVisible();
  await expect(page.getByTestId('count')).toContainText('hồ sơ');

  // A shared link opens the same filtered list.
  await page.goto(BASE() + '/?state=submitted&unit=TQ-BACQUANG&q=che%20shan%20tuyet');
  await expect(page.locator('tr[data-id="WEB-REG-3"]')).toBeVisible();
  await expect(page.locator('tr[data-id="WEB-REG-1"]')).toHaveCount(0);
  await expect(page.getByLabel('Trạng thái')).toHaveValue('submitted');

  // Typing without accents finds the Vietnamese name.
  await page.goto(BASE() + '/?unit=TQ-BACQUANG');
  await page.getByLabel('Tìm theo sản phẩm, chủ thể').fill('buoi xuan van');
  await page.getByLabel('Tìm theo sản phẩm, chủ thể').press('Enter');
  await expect(page).toHaveURL(/q=buoi/);
  await expect(page.locator('tr[data-id="WEB-REG-1"]')).toContainText('Bưởi Xuân Vân');
  await expect(page.locator('tbody tr')).toHaveCount(1);
});

test('the officer accepts an idea', async ({ page }) => {
  await signIn(page, 'officer.bacquang', '/ho-so/WEB-IDEA-1');
  await expect(page.getByTestId('state')).toHaveText('Ý tưởng chờ xét');
  await page.getByRole('button', { name: 'Chấp nhận ý tưởng' }).click();
  await page.locator('form[data-form="accept_idea"]').getByRole('button', { name: 'Chấp nhận ý tưởng' }).click();
  await expect(page.getByTestId('done')).toContainText('Ý tưởng được chấp nhận');
  await expect(page.getByTestId('state')).toHaveText('Ý tưởng được chấp nhận');
  await expect(page.getByTestId('timeline').locator('li').first()).toContainText('officer.bacquang');
});

test('returning a dossier asks for the reason and the missing documents', async ({ page }) => {
  await signIn(page, 'officer.bacquang', '/ho-so/WEB-REG-1');
  await expect(page.getByTestId('state')).toHaveText('Hồ sơ đã nộp');
  await page.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
  const form = page.locator('form[data-form="return_dossier"]');
  await form.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
  await expect(form.getByRole('alert')).toContainText('Lý do'); // the reason is required
  await form.getByLabel('Lý do').fill('Thiếu phiếu kết quả kiểm nghiệm và nhãn sản phẩm');
  await form.getByLabel('Phiếu kết quả kiểm nghiệm').check();
  await form.getByLabel('Nhãn, bao bì sản phẩm').check();
  await form.getByRole('button', { name: 'Trả lại hồ sơ' }).click();
  await expect(page.getByTestId('state')).toHaveText('Hồ sơ bị trả lại');
  const last = page.getByTestId('timeline').locator('li').first();
  await expect(last).toContainText('Lý do: Thiếu phiếu kết quả kiểm nghiệm');
  await expect(last).toContainText('Còn thiếu: Phiếu kết quả kiểm nghiệm, Nhãn, bao bì sản phẩm');
});

test('the officer accepts a dossier for screening; a refusal is shown in plain words', async ({ page }) => {
  await signIn(page, 'officer.bacquang', '/ho-so/WEB-REG-2');
  await page.getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
  await page.locator('form[data-form="accept_dossier"]').getByRole('button', { name: 'Tiếp nhận hồ sơ' }).click();
  await expect(page.getByTestId('state')).toHaveText('Đang xem xét');
  // Forwarding needs the commune's report, which the dossier lacks: the engine refuses.
  await page.getByRole('button', { name: 'Chuyển lên cấp trên' }).click();
  await page.locator('form[data-form="forward"]').getByRole('button', { name: 'Chuyển lên cấp trên' }).click();
  const refusal = page.getByTestId('err_refused');
  await expect(refusal).toContainText('không chấp nhận');
  await expect(refusal.getByTestId('why')).toHaveText('Còn thiếu tài liệu bắt buộc: Báo cáo đánh giá, đề xuất của UBND xã.');
  await expect(refusal).toContainText('commune_report'); // the engine's own words below
  await expect(page.getByTestId('state')).toHaveText('Đang xem xét');
});
