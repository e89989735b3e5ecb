// Issue 12's second part: the page shows the configuration the service publishes
// (GET /api/v1/config), never the sample's. The suite's configuration differs from the sample
// (global-setup.ts: Bắc Quang's name, a "video" document kind, a holiday on 18/12/2026, the
// stalled reminder of submitted dossiers after 12 working days), and one test changes the rule
// set on its way to the page: a page that fell back to the sample's values fails here. Also the
// unit tree picker by keyboard, the round filter in the URL, the service's search over every
// dossier in scope, the dashboard's charts and counts against `ocop report`, and the user's own
// sessions and tokens; each screen at 360 px and desktop width, screenshots, axe.
import { test, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { axeSerious, BASE, OUT, ocopJson, screenshot, signedIn } from './helpers';

const WIDTHS = [{ name: 'phone', width: 360, height: 740 }, { name: 'desktop', width: 1280, height: 900 }];

async function fits(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${what} fits the screen`).toBeLessThanOrEqual(0);
}

test('the worklist shows the configured unit names, holidays and overdue threshold', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'officer.bacquang');
  await page.goto(BASE() + '/?state=submitted');
  const row = page.locator('tr[data-id="WEB-WAIT-1"]');
  await expect(row).toBeVisible();
  await expect(row.locator('td[data-unit]')).toContainText('Xã Bắc Quang (cấu hình thử)');
  // Registered Wednesday 02/12/2026 (global-setup.ts), today Monday 21/12: 03-04, 07-11 and
  // 14-17/12 are working days, Friday 18/12 is the suite's holiday: 11 whole working days
  // (weekends only: 12).
  await expect(row.locator('td[data-label="Đã chờ"]')).toContainText('11 ngày làm việc');
  // Overdue after 12 in the suite's configuration (the sample's 10 would mark it).
  await expect(row.locator('.badge-overdue')).toHaveCount(0);
  await context.close();
});

test('the configured document kinds are offered, with their names', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'producer.bacquang');
  await page.goto(BASE() + '/ho-so/WEB-WAIT-1');
  await page.locator('details.upload > summary').click();
  await expect(page.locator('select[name="kind"] option[value="video"]')).toHaveText('Video giới thiệu sản phẩm (cấu hình thử)');
  await context.close();
});

test("the scoresheet follows the rule set the service publishes", async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'council.tq.linh');
  // Another rule set on its way to the page: A 50, B 20, C 30; 3★ from 0, 4★ from 60, 5★ from 85; quorum 3.
  await page.route('**/api/v1/config', async (route) => {
    const res = await route.fetch();
    const cfg = await res.json();
    cfg.rule_set.parts = { A: 50, B: 20, C: 30 };
    cfg.rule_set.stars = [{ stars: 3, min: 0 }, { stars: 4, min: 60 }, { stars: 5, min: 85 }];
    for (const l of cfg.rule_set.levels) if (l.kind === 'council') l.quorum = 3;
    await route.fulfill({ response: res, json: cfg });
  });
  await page.goto(BASE() + '/ho-so/WEB-COUNCIL-2');
  await expect(page.getByTestId('council-summary')).toContainText('0/3 phiếu');
  await page.getByRole('button', { name: 'Chấm điểm', exact: true }).click();
  const form = page.locator('form[data-form="score"]');
  await form.getByLabel('Phần A (tối đa 50)').fill('45');
  await form.getByLabel('Phần B (tối đa 20)').fill('21');
  await expect(form.locator('#score-B-err')).toBeVisible(); // over B's maximum of 20
  await form.getByLabel('Phần B (tối đa 20)').fill('20');
  await form.getByLabel('Phần C (tối đa 30)').fill('22');
  await expect(form.getByTestId('score-preview')).toContainText('87');
  await expect(form.getByTestId('score-preview')).toContainText('5 sao'); // 4 sao under the sample's bands
  await context.close();
});

test('the unit tree picker works with the keyboard; the filter goes into the URL', async ({ browser }) => {
  for (const w of WIDTHS) {
    const { context, page } = await signedIn(browser, 'coordinator.tq.thu', { viewport: { width: w.width, height: w.height }, bypassCSP: true });
    await page.goto(BASE() + '/');
    await expect(page.getByTestId('count')).toBeVisible();
    await page.locator('details.filters:not(.new-idea) > summary').click();
    const tree = page.getByTestId('unit-tree');
    await expect(tree).toBeVisible();
    // The province is the root; its communes below, by name.
    const first = tree.locator('.unit-choose').first();
    await expect(first).toHaveAttribute('data-code', 'TQ');
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.code);
    expect(second).not.toBe('TQ');
    await page.keyboard.press('ArrowUp');
    await expect(first).toBeFocused();
    await page.keyboard.press('ArrowLeft'); // collapses the province
    await expect(tree.locator('.unit-choose')).toHaveCount(1);
    await page.keyboard.press('ArrowRight'); // opens it again
    await expect(tree.locator('.unit-choose').nth(1)).toBeVisible();
    // Find by name without accents, choose with Enter.
    await page.getByLabel('Tìm đơn vị').fill('bac quang cau hinh');
    const match = page.getByTestId('unit-matches').locator('.unit-choose').first();
    await expect(match).toHaveAttribute('data-code', 'TQ-BACQUANG');
    await match.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('unit-chosen')).toContainText('Xã Bắc Quang (cấu hình thử)');
    await page.locator('details.filters:not(.new-idea)').screenshot({ path: join(OUT(), 'screenshots', `unit-picker-${w.name}.png`) });
    await fits(page, 'the unit picker');
    // The round, from the configuration.
    await page.getByLabel('Đợt đánh giá').selectOption('2026-1');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await expect(page).toHaveURL(/unit=TQ-BACQUANG/);
    await expect(page).toHaveURL(/round=2026-1/);
    const api = await page.request.get(BASE() + '/api/v1/dossiers?unit=TQ-BACQUANG&round=2026-1&limit=1');
    const count = (await api.json()).count as number;
    await expect(page.getByTestId('count')).toHaveText(new RegExp(`^${count.toLocaleString('vi-VN')} hồ sơ`));
    const violations = await axeSerious(page);
    expect(violations).toEqual([]);
    await context.close();
  }
});

test('the search runs in the service, over every dossier in scope, not the page', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'coordinator.tq.thu');
  // The province's first page (50, by id) does not reach the WEB- dossiers.
  const firstPage = await (await page.request.get(BASE() + '/api/v1/dossiers?limit=50')).json();
  expect(firstPage.count).toBeGreaterThan(50);
  expect(firstPage.items.map((d: { id: string }) => d.id)).not.toContain('WEB-COUNCIL-2');
  await page.goto(BASE() + '/?q=' + encodeURIComponent('mat ong hoa rung'));
  await expect(page.locator('tr[data-id="WEB-COUNCIL-2"]')).toContainText('Mật ong hoa rừng Bắc Quang');
  const api = await (await page.request.get(BASE() + '/api/v1/dossiers?q=' + encodeURIComponent('mat ong hoa rung'))).json();
  await expect(page.getByTestId('count')).toHaveText(new RegExp(`^${api.count.toLocaleString('vi-VN')} hồ sơ`));
  expect(api.items.map((d: { product: string }) => d.product).every((p: string) => /mật ong hoa rừng/i.test(p))).toBe(true);
  await context.close();
});

test('the dashboard draws its charts with their numbers, and counts reminders and dead messages', async ({ browser }) => {
  const report = ocopJson('report') as { dossiers_by_state: Record<string, number>; funnel: Record<'idea' | 'plan' | 'development' | 'evaluation' | 'recognition', number>; outbox: { reminders_sent: number; by_state: Record<string, number> } };
  for (const w of WIDTHS) {
    const { context, page } = await signedIn(browser, 'coordinator.tq.thu', { viewport: { width: w.width, height: w.height } });
    await page.goto(BASE() + '/tong-quan');
    for (const id of ['dash-funnel', 'dash-states', 'dash-stars', 'dash-units', 'dash-outbox']) {
      const chart = page.getByTestId(id + '-chart');
      await expect(chart).toBeVisible();
      await expect(chart).toHaveAttribute('role', 'img');
    }
    await expect(page.getByRole('img', { name: 'Hồ sơ theo trạng thái' })).toBeVisible();
    await expect(page.getByTestId('dash-reminders')).toHaveText(`Nhắc việc đã gửi: ${report.outbox.reminders_sent.toLocaleString('vi-VN')}`);
    await expect(page.getByTestId('dash-dead')).toHaveText(`Thư không gửi được: ${(report.outbox.by_state.dead ?? 0).toLocaleString('vi-VN')}`);
    // Each chart's numbers as a table; the funnel's are the engine's (the yearly PDF's too).
    await page.locator('.chart-data summary').first().click();
    await expect(page.getByTestId('dash-funnel')).toBeVisible();
    const stages = await page.getByTestId('dash-funnel').locator('td.bar-n').allTextContents();
    expect(stages.map((n) => Number(n.replace(/\./g, '')))).toEqual((['idea', 'plan', 'development', 'evaluation', 'recognition'] as const).map((k) => report.funnel[k]));
    const outbox = await page.getByTestId('dash-outbox').locator('td.bar-n').allTextContents();
    expect(outbox.map((n) => Number(n.replace(/\./g, '')))).toEqual(['sent', 'pending', 'sending', 'dead'].map((s) => report.outbox.by_state[s] ?? 0));
    // The offices' reports, downloaded as a person would: an .xlsx (a zip) and a PDF.
    for (const [id, ext, magic] of [['dash-xlsx', 'xlsx', 'PK'], ['dash-pdf', 'pdf', '%PDF-']] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(id).click()]);
      expect(download.suggestedFilename()).toMatch(new RegExp(`^bao-cao-ocop-\\d{4}-\\d{2}-\\d{2}\\.${ext}$`));
      const bytes = readFileSync((await download.path())!);
      expect(bytes.subarray(0, magic.length).toString('latin1')).toBe(magic);
    }
    await screenshot(page, `dashboard-charts-${w.name}`);
    await fits(page, 'the dashboard');
    await context.close();
  }
});

test("the user's own sessions and tokens: list, revoke, sign out everywhere", async ({ browser }) => {
  const user = 'coordinator.tq.hung';
  const env = { ...process.env, OCOP_DB: process.env.OCOP_TEST_DB, OCOP_CONFIG: process.env.OCOP_TEST_CONFIG };
  const token = JSON.parse(execFileSync(process.env.OCOP_BIN!, ['token', 'create', user, '--expires', '30', '--note', 'Máy chủ báo cáo', '--json'], { env, encoding: 'utf8' })) as { id: string; token: string };
  for (const w of WIDTHS) {
    const { context, page } = await signedIn(browser, user, { viewport: { width: w.width, height: w.height }, bypassCSP: true });
    await page.goto(BASE() + '/tai-khoan');
    const sessions = page.getByTestId('sessions');
    await expect(sessions).toBeVisible();
    await expect(sessions.locator('tr.current')).toContainText('Phiên này');
    const row = page.getByTestId('tokens').locator(`tr[data-token="${token.id}"]`);
    await expect(row).toContainText('Máy chủ báo cáo');
    await expect(page.locator('main')).not.toContainText(token.token);
    await screenshot(page, `account-${w.name}`);
    await fits(page, 'the account screen');
    expect(await axeSerious(page)).toEqual([]);
    await context.close();
  }
  const { context, page } = await signedIn(browser, user);
  await page.goto(BASE() + '/tai-khoan');
  const row = page.getByTestId('tokens').locator(`tr[data-token="${token.id}"]`);
  await row.getByRole('button', { name: `Thu hồi mã ${token.id}` }).click();
  await row.getByRole('button', { name: 'Xác nhận thu hồi' }).click();
  await expect(page.getByTestId('account-note')).toHaveText(`Đã thu hồi mã ${token.id}.`);
  await expect(row).toContainText('Đã thu hồi');
  const refused = await page.request.get(BASE() + '/api/v1/me', { headers: { Authorization: 'Bearer ' + token.token } });
  expect(refused.status()).toBe(401);
  // Signing out everywhere ends this session too: back to signing in.
  await page.getByTestId('signout-everywhere').click();
  await expect(page.getByRole('heading', { name: 'Đăng nhập' })).toBeVisible();
  expect((await page.request.get(BASE() + '/api/v1/me')).status()).toBe(401);
  await context.close();
});
