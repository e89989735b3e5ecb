// The browser suite: Playwright (pinned in package-lock.json) driving Debian's /usr/bin/chromium
// (no browser download) against the real `ocop serve` on a temporary simulation database made
// from the sample (tests/browser/global-setup.ts). scripts/web.sh test-browser; CTest
// web_browser_test. Screenshots and first-paint times go to $OCOP_TEST_OUT (in the build tree).
import { defineConfig } from '@playwright/test';

const out = process.env.OCOP_TEST_OUT || '../build/web-test-output/browser';
export default defineConfig({
  testDir: 'tests/browser',
  outputDir: out + '/results',
  globalSetup: './tests/browser/global-setup.ts',
  globalTeardown: './tests/browser/global-teardown.ts',
  reporter: [['list']],
  workers: 1, // the scenarios share one database and change it; one at a time, in file order
  fullyParallel: false,
  // Generous: on a 2-core machine shared with C++ builds a page load can take seconds; nothing
  // here measures time (first paints are recorded, not asserted).
  timeout: 300_000,
  expect: { timeout: 30_000 },
  use: {
    browserName: 'chromium',
    headless: true,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    },
    trace: 'retain-on-failure',
  },
});
