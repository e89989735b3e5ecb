// A producer cannot see another commune's dossier, by URL either.
import { test, expect } from '@playwright/test';
import { BASE, signIn } from './helpers';

// EXPECTED TO FAIL UNTIL THE SCOPE BRANCH LANDS: reads are not scoped by role and unit yet
// (README, "Not yet"); the scope branch makes GET /api/v1/dossiers/{id} answer 404 to a producer
// for another commune's dossier and filters lists. After merging it, remove test.fail() below.
test('a producer of Bắc Quang gets "not found" for a dossier of Bắc Mê', async ({ page }) => {
  test.fail(true, 'reads are not scoped by role and unit until the scope branch lands');
  await signIn(page, 'producer.bacquang', '/ho-so/TQ-2026-0001');
  await expect(page.getByTestId('err_not_found')).toBeVisible({ timeout: 5000 });
  const res = await page.request.get(BASE() + '/api/v1/dossiers/TQ-2026-0001');
  expect(res.status()).toBe(404);
  await page.goto(BASE() + '/?unit=TQ-BACME');
  await expect(page.locator('tr[data-id="TQ-2026-0001"]')).toHaveCount(0);
});
