// Council scoring: five members score the same dossier in five browsers at once, each seeing
// the total and the star band as they type; the chair sees the quorum and the average and
// closes the scoring; the signer (password and TOTP code) recognises it and the certificate
// appears. WEB-COUNCIL-1 is under review at the province (global-setup.ts).
import { test, expect, type Browser } from '@playwright/test';
import { BASE, DEMO_PASSWORD, signIn, signedIn } from './helpers';
import { totp } from './totp';

const SHEETS: [string, string, string, string][] = [
  ['council.tq.binh', '32', '20', '28'], // 80
  ['council.tq.hoa', '30', '18', '26,5'], // 74,5
  ['council.tq.cuong', '35', '21', '30'], // 86
  ['council.tq.dung', '28', '19', '25'], // 72
  ['council.tq.my', '33', '22', '27'], // 82
];

async function score(browser: Browser, [user, a, b, c]: (typeof SHEETS)[number]) {
  const { context, page } = await signedIn(browser, user);
  await page.goto(BASE() + '/ho-so/WEB-COUNCIL-1');
  await page.getByRole('button', { name: 'Chấm điểm', exact: true }).click();
  const form = page.locator('form[data-form="score"]');
  await form.getByLabel('Phần A (tối đa 40)').fill(a);
  await expect(form.getByTestId('score-preview')).toContainText('Nhập đủ ba phần');
  await form.getByLabel('Phần B (tối đa 25)').fill(b);
  await form.getByLabel('Phần C (tối đa 35)').fill(c);
  const total = [a, b, c].map((x) => Number(x.replace(',', '.'))).reduce((x, y) => x + y, 0);
  await expect(form.getByTestId('score-preview')).toContainText(total.toLocaleString('vi-VN'));
  await expect(form.getByTestId('score-preview')).toContainText(total >= 70 ? '4 sao' : '3 sao');
  await form.getByRole('button', { name: 'Chấm điểm' }).click();
  await expect(page.getByTestId('done')).toBeVisible();
  await context.close();
}

test('a part above its maximum is flagged as the member types', async ({ page }) => {
  await signIn(page, 'council.tq.phuc', '/ho-so/WEB-COUNCIL-1');
  await page.getByRole('button', { name: 'Chấm điểm', exact: true }).click();
  const form = page.locator('form[data-form="score"]');
  await form.getByLabel('Phần B (tối đa 25)').fill('26');
  await expect(form.getByText('Vượt quá điểm tối đa')).toBeVisible();
  await expect(form.getByLabel('Phần B (tối đa 25)')).toHaveAttribute('aria-invalid', 'true');
});

test('five members score at once, the chair closes, the signer recognises', async ({ browser, page }) => {
  await Promise.all(SHEETS.map((s) => score(browser, s)));

  await signIn(page, 'chair.tq.son', '/ho-so/WEB-COUNCIL-1');
  const summary = page.getByTestId('council-summary');
  await expect(summary).toContainText('5/5 phiếu');
  await expect(summary).toContainText('đủ số phiếu tối thiểu');
  await expect(summary).toContainText('78,9'); // (80 + 74,5 + 86 + 72 + 82) / 5
  await page.getByRole('button', { name: 'Kết thúc chấm điểm' }).click();
  await page.locator('form[data-form="close_scoring"]').getByRole('button', { name: 'Kết thúc chấm điểm' }).click();
  await expect(page.getByTestId('state')).toHaveText('Đã chấm điểm');

  // The signer: password and the TOTP code of the service's clock.
  const signer = await browser.newContext();
  const s = await signer.newPage();
  await s.goto(BASE() + '/ho-so/WEB-COUNCIL-1');
  await s.getByLabel('Tên đăng nhập').fill('signer.tq.ngoc');
  await s.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await s.getByLabel('Mã xác thực (6 chữ số)').fill(totp(process.env.OCOP_SIGNER_TOTP!, new Date(process.env.OCOP_NOW!)));
  await s.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(s.getByTestId('who')).toContainText('Người ký quyết định');
  await s.getByRole('button', { name: 'Công nhận', exact: true }).click();
  const form = s.locator('form[data-form="recognize"]');
  await form.getByLabel('Số quyết định').fill('1234/QĐ-UBND');
  await form.getByLabel('Ngày quyết định').fill('2026-12-21');
  await form.getByRole('button', { name: 'Công nhận' }).click();
  await expect(s.getByTestId('state')).toHaveText('Được công nhận');
  await expect(s.locator('.facts')).toContainText('WEB-COUNCIL-1/province');
  await expect(s.getByTestId('timeline').locator('li').first()).toContainText('Quyết định số 1234/QĐ-UBND ngày 21/12/2026');
  await signer.close();
});
