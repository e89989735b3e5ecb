// Accessibility: axe-core (web/package-lock.json) on each main screen at phone and desktop
// width finds no serious or critical violation (WCAG 2.1 A and AA rules). The context bypasses
// the page's CSP only to inject axe itself; the application runs as served.
import { test, expect } from '@playwright/test';
import { axeSerious, BASE, signedIn } from './helpers';

const SCREENS = [
  { user: null, path: '/', name: 'sign-in' },
  { user: 'officer.bacquang', path: '/?unit=TQ-BACQUANG', name: 'worklist' },
  { user: 'officer.bacquang', path: '/ho-so/WEB-REG-2', name: 'dossier' },
  { user: 'council.tq.tam', path: '/ho-so/WEB-COUNCIL-1', name: 'dossier (council)' },
  { user: 'coordinator.tq.thu', path: '/tong-quan', name: 'dashboard' },
  { user: 'auditor.tq.lien', path: '/kiem-tra', name: 'audit' },
  { user: 'scheduler.tq', path: '/van-hanh', name: 'outbox' },
  { user: 'officer.bacquang', path: '/tai-khoan', name: 'account' },
];

for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 900 }]) {
  test(`axe finds no serious violation at ${viewport.width} px`, async ({ browser }) => {
    const found: string[] = [];
    for (const s of SCREENS) {
      const { context, page } = s.user
        ? await signedIn(browser, s.user, { viewport, bypassCSP: true })
        : await browser.newContext({ viewport, bypassCSP: true }).then(async (c) => ({ context: c, page: await c.newPage() }));
      await page.goto(BASE() + s.path);
      await expect(page.locator('h1').first()).toBeVisible();
      for (const v of await axeSerious(page)) found.push(`${s.name}: ${v}`);
      await context.close();
    }
    expect(found).toEqual([]);
  });
}

test('the keyboard reaches the skip link first and moves to the content', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'officer.bacquang');
  await page.goto(BASE() + '/');
  await expect(page.getByTestId('count')).toBeVisible();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Chuyển đến nội dung chính' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toBeFocused();
  await context.close();
});
