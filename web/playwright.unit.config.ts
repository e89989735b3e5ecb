// The front end's own logic (no browser): search folding, date and number formatting, the score
// band preview, the lifecycle's actions. scripts/web.sh test-unit; CTest web_unit_test.
import { defineConfig } from '@playwright/test';

const out = process.env.OCOP_TEST_OUT || '../build/web-test-output/unit';
export default defineConfig({
  testDir: 'tests/unit',
  outputDir: out + '/results',
  reporter: [['list']],
  workers: 1,
});
