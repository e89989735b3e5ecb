// A producer cannot see another commune's dossier, by URL either: the service scopes reads by
// role and unit (issue 11), answering 404 as for a dossier that does not exist, and lists only
// what the reader may see.
import { test, expect } from '@playwright/test';
import { BASE, signIn } from './helpers';

test('a producer of Bắc Quang gets "not found" for a dossier of Bắc Mê', async ({ page }) => {
  await signIn(page, 'producer.bacquang', '/ho-so/TQ-2026-0001');
  await expect(page.getByTestId('err_not_found')).toBeVisible();
  const res = await page.request.get(BASE() + '/api/v1/dossiers/TQ-2026-0001');
  expect(res.status()).toBe(404);
  // The worklist holds Bắc Quang's dossiers only.
  await page.goto(BASE() + '/');
  await expect(page.getByTestId('count')).toBeVisible();
  await expect(page.locator('tr[data-id="TQ-2026-0001"]')).toHaveCount(0);
  const units = await page.locator('tbody tr td[data-unit]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-unit')));
  expect(units.length).toBeGreaterThan(0);
  expect(new Set(units)).toEqual(new Set(['TQ-BACQUANG']));
});
