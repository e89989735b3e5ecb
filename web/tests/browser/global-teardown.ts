// After the browser suite: stop `ocop serve` (SIGTERM: it answers what it has read, then exits)
// and remove the temporary database.
import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const pid = Number(process.env.OCOP_SERVE_PID);
  if (pid) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (process.env.OCOP_TEST_WORK) rmSync(process.env.OCOP_TEST_WORK, { recursive: true, force: true });
}
