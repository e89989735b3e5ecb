// Each main screen at a 360 px phone and a desktop width: a screenshot into the build tree
// (BUILD/web-test-output/browser/screenshots, not committed) and its first paint, written to
// first-paint.json (bench/README.md records a run; no timed assertion). Also: the dashboard's
// numbers are `ocop report`'s, and the auditor's verification shows the head `ocop audit verify` prints.
import { test, expect, type Page } from '@playwright/test';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, OUT, ocopJson, screenshot, signIn, signedIn } from './helpers';

const WIDTHS = { phone: { width: 360, height: 740 }, desktop: { width: 1280, height: 900 } };
const paints: Record<string, { first_contentful_paint_ms: number | null; ready_ms: number }> = {};

// Loads `path` afresh and waits for `ready`; returns the browser's first contentful paint and
// the time from navigation start until `ready` was seen (an upper bound: it includes polling).
async function measure(page: Page, path: string, ready: () => Promise<void>) {
  await page.goto(BASE() + path);
  await ready();
  return page.evaluate(() => {
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { first_contentful_paint_ms: fcp ? Math.round(fcp.startTime) : null, ready_ms: Math.round(performance.now()) };
  });
}

const SCREENS: { name: string; user: string | null; path: string; ready: (p: Page) => Promise<void> }[] = [
  { name: 'signin', user: null, path: '/', ready: (p) => expect(p.getByRole('heading', { name: 'Đăng nhập' })).toBeVisible() },
  { name: 'worklist', user: 'officer.bacquang', path: '/?unit=TQ-BACQUANG', ready: (p) => expect(p.getByTestId('count')).toBeVisible() },
  { name: 'worklist-province', user: 'coordinator.tq.thu', path: '/', ready: (p) => expect(p.getByTestId('count')).toBeVisible() },
  { name: 'dossier', user: 'officer.bacquang', path: '/ho-so/WEB-REG-1', ready: (p) => expect(p.getByTestId('timeline')).toBeVisible() },
  { name: 'dossier-council', user: 'coordinator.tq.thu', path: '/ho-so/WEB-COUNCIL-1', ready: (p) => expect(p.getByTestId('council-summary')).toBeVisible() },
  { name: 'dashboard', user: 'coordinator.tq.thu', path: '/tong-quan', ready: (p) => expect(p.getByTestId('dash-states-chart')).toBeVisible() },
  { name: 'account', user: 'officer.bacquang', path: '/tai-khoan', ready: (p) => expect(p.getByTestId('sessions')).toBeVisible() },
  { name: 'audit', user: 'auditor.tq.lien', path: '/kiem-tra', ready: (p) => expect(p.getByRole('button', { name: 'Kiểm tra chuỗi băm' })).toBeVisible() },
];

for (const [form, viewport] of Object.entries(WIDTHS)) {
  test(`main screens at ${form} width (${viewport.width} px)`, async ({ browser }) => {
    for (const s of SCREENS) {
      const { context, page } = s.user
        ? await signedIn(browser, s.user, { viewport })
        : await browser.newContext({ viewport }).then(async (c) => ({ context: c, page: await c.newPage() }));
      paints[`${s.name}@${form}`] = await measure(page, s.path, () => s.ready(page));
      await screenshot(page, `${s.name}-${form}`);
      // scripts/web.sh docs-screenshots: the two pictures of the README, the visible part only.
      const docs = process.env.OCOP_DOCS_SCREENSHOTS;
      if (docs && ((s.name === 'worklist' && form === 'phone') || (s.name === 'dossier-council' && form === 'desktop')))
        await page.screenshot({ path: join(docs, `web-${s.name}-${form}.jpg`), type: 'jpeg', quality: 70 });
      // Nothing wider than the screen at 360 px.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, `${s.name} fits ${viewport.width} px`).toBeLessThanOrEqual(0);
      await context.close();
    }
  });
}

test('the dashboard shows the numbers of `ocop report`', async ({ page }) => {
  await signIn(page, 'coordinator.tq.thu', '/tong-quan');
  const report = ocopJson('report') as { dossiers_by_state: Record<string, number>; certificates_by_stars: Record<string, number> };
  const table = page.getByTestId('dash-states');
  await expect(page.getByTestId('dash-states-chart')).toBeVisible();
  await expect(table).toBeAttached();
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('.bar-n')!.textContent!.replace(/\./g, '')));
  const expected = Object.entries(report.dossiers_by_state).filter(([, n]) => n > 0);
  expect(rows.map(Number).sort()).toEqual(expected.map(([, n]) => n).sort());
  const stars = await page.getByTestId('dash-stars').locator('.bar-n').allTextContents();
  expect(stars.map((s) => Number(s.replace(/\./g, ''))).reduce((a, b) => a + b, 0))
    .toBe(Object.values(report.certificates_by_stars).reduce((a, b) => a + b, 0));
});

test('the auditor verifies the chain and sees the head `ocop audit verify` prints', async ({ page }) => {
  await signIn(page, 'auditor.tq.lien', '/kiem-tra');
  await page.getByRole('button', { name: 'Kiểm tra chuỗi băm' }).click();
  const head = await page.getByTestId('head').textContent();
  const cli = ocopJson('audit', 'verify') as { valid: boolean; head: string };
  expect(cli.valid).toBe(true);
  expect(head).toBe(cli.head);

  // The search finds the officer's return of WEB-REG-1 (02-officer.spec.ts).
  await page.getByLabel('Người thực hiện').fill('officer.bacquang');
  await page.getByLabel('Thao tác').fill('return_dossier');
  await page.getByRole('button', { name: 'Tìm', exact: true }).click();
  await expect(page.getByTestId('audit-count')).toHaveText('Tìm thấy 1 bản ghi');
  await expect(page.getByTestId('audit-results')).toContainText('WEB-REG-1');
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Xuất kết quả (CSV)' }).click();
  expect((await download).suggestedFilename()).toBe('ocop-audit-search.csv');
});

test.afterAll(() => {
  mkdirSync(OUT(), { recursive: true });
  writeFileSync(join(OUT(), 'first-paint.json'), JSON.stringify(paints, null, 2) + '\n');
});
