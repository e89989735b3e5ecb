// What the browser scenarios share: the service's address, signing in as a sample user with the
// demo password, the CLI on the same database, and screenshots into the build tree.
import { expect, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const BASE = () => process.env.OCOP_BASE_URL!;
export const DEMO_PASSWORD = 'ocop-demo-2026';
export const OUT = () => process.env.OCOP_TEST_OUT!;

export async function signIn(page: Page, user: string, path = '/') {
  await page.goto(BASE() + path);
  await page.getByLabel('Tên đăng nhập').fill(user);
  await page.getByLabel('Mật khẩu').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByTestId('who')).toBeVisible({ timeout: 60_000 }); // argon2id: slow by design
}

// A context signed in as `user`: through the sign-in form the first time, then with the saved
// session (the suite's clock is fixed, so sessions do not time out). For the scenarios whose
// subject is not signing in itself.
const sessions = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>();
export async function signedIn(browser: Browser, user: string, options: BrowserContextOptions = {}) {
  const saved = sessions.get(user);
  const context = await browser.newContext({ ...options, ...(saved ? { storageState: saved } : {}) });
  const page = await context.newPage();
  if (!saved) {
    await signIn(page, user);
    sessions.set(user, await context.storageState());
  }
  return { context, page };
}

// `ocop ARGS --json` on the suite's database (read-only commands while serve runs).
export function ocopJson(...args: string[]): unknown {
  const out = execFileSync(process.env.OCOP_BIN!, [...args, '--json'], {
    env: { ...process.env, OCOP_DB: process.env.OCOP_TEST_DB, OCOP_CONFIG: process.env.OCOP_TEST_CONFIG },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

export async function screenshot(page: Page, name: string) {
  const dir = join(OUT(), 'screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// axe-core's serious and critical violations of the WCAG 2.1 A and AA rules on the page as it is
// (the context must bypass the CSP, only to inject axe itself), one line each.
export async function axeSerious(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  await page.waitForLoadState('networkidle'); // the screen's data has arrived
  return page.evaluate(async () => {
    // @ts-expect-error axe is injected above
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations
      .filter((v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: { id: string; help: string; nodes: { target: string[] }[] }) => `${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')})`);
  });
}
