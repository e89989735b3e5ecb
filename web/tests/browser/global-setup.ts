// Before the browser suite: a temporary simulation database made from the sample (the 2026
// cycle of config/sample-events.jsonl, as scripts/demo.sh does), a few dossiers of Bắc Quang
// commune for the scenarios, the demo password for every sample user, and the real `ocop serve`
// on a free loopback port serving the built web application. The teardown stops it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const NOW = '2026-12-21T09:00:00+07:00'; // a Monday after the sample year's last event

export default async function globalSetup() {
  const bin = process.env.OCOP_BIN;
  const web = process.env.OCOP_WEB_DIR;
  const repo = process.env.OCOP_REPO;
  const out = process.env.OCOP_TEST_OUT;
  if (!bin || !web || !repo || !out) throw new Error('run through scripts/web.sh test-browser (OCOP_BIN, OCOP_WEB_DIR, OCOP_REPO, OCOP_TEST_OUT)');
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'ocop-web-'));
  // The sample as it is, but for the password hashing cost: `interactive` (64 MiB) instead of
  // `moderate` (256 MiB, 3 passes), which takes seconds per sign-in on a loaded 2-core machine
  // (docs/operations.md, "Sign-in": interactive exists for tests).
  const sample = readFileSync(join(repo, 'config', 'sample.yaml'), 'utf8');
  if (!/password_hashing: moderate/.test(sample)) throw new Error('config/sample.yaml: password_hashing: moderate not found');
  // The suite's configuration also differs from the sample where the page shows configuration
  // (10-config.spec.ts): a page that fell back to the sample's values would show the sample's.
  // Bắc Quang's name, one more document kind, a holiday on Friday 18/12/2026, and the stalled
  // reminder of submitted dossiers after 12 working days instead of 10.
  const edits: [string, string][] = [
    ['password_hashing: moderate', 'password_hashing: interactive'],
    ['{code: TQ-BACQUANG, name: "Xã Bắc Quang",', '{code: TQ-BACQUANG, name: "Xã Bắc Quang (cấu hình thử)",'],
    ['    photo: {name: "Hình ảnh sản phẩm, cơ sở"}\n', '    photo: {name: "Hình ảnh sản phẩm, cơ sở"}\n    video: {name: "Video giới thiệu sản phẩm (cấu hình thử)"}\n'],
    ['    - 2026-09-02   # Quốc khánh (Wed)\n', '    - 2026-09-02   # Quốc khánh (Wed)\n    - 2026-12-18   # the suite\'s own holiday\n'],
    ['{id: stalled-submitted, kind: stalled, state: submitted, after_days: 10,', '{id: stalled-submitted, kind: stalled, state: submitted, after_days: 12,'],
  ];
  let suiteConfig = sample;
  for (const [from, to] of edits) {
    if (!suiteConfig.includes(from)) throw new Error('config/sample.yaml: not found: ' + from);
    suiteConfig = suiteConfig.replace(from, to);
  }
  const config = join(work, 'sample.yaml');
  writeFileSync(config, suiteConfig);
  const env = {
    ...process.env,
    OCOP_DB: `sqlite:${join(work, 'web.db')}`,
    OCOP_CONFIG: config,
    OCOP_DOCUMENTS_DIR: join(work, 'documents'),
  };
  const ocop = (...args: string[]) => execFileSync(bin, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  ocop('init', '--simulation');
  ocop('import', join(repo, 'config', 'sample-events.jsonl'), '--batch', '1000');

  // Bắc Quang's new dossiers: an idea to accept, and registered dossiers to screen.
  const docs = ['registration_form', 'self_assessment', 'samples'].map((kind, i) => ({
    kind, name: `${kind}.pdf`, sha256: String(i + 1).repeat(64), bytes: 1000 + i,
  }));
  const base = { product_set: 'fresh_produce', producer: 'HTX Cam sành Bắc Quang', unit: 'TQ-BACQUANG' };
  const fire = (event: string, data: object, at: string) =>
    ocop('fire', event, '--actor', 'producer.bacquang', '--data', JSON.stringify(data), '--now', at);
  fire('submit_idea', { ...base, id: 'WEB-IDEA-1', product: 'Cam sành Bắc Quang loại đặc biệt' }, '2026-12-01T08:00:00+07:00');
  for (const [id, product] of [['WEB-REG-1', 'Bưởi Xuân Vân'], ['WEB-REG-2', 'Miến dong Bắc Quang'], ['WEB-REG-3', 'Chè Shan tuyết Bắc Quang']])
    fire('register', { ...base, id, product, registration_type: 'new', documents: docs }, '2026-12-02T08:00:00+07:00');
  // One that no scenario touches: it waits from 02/12 (10-config.spec.ts counts its days).
  fire('register', { ...base, id: 'WEB-WAIT-1', product: 'Măng khô Bắc Quang', registration_type: 'new', documents: docs }, '2026-12-02T08:00:00+07:00');
  // A dossier under review at the province, for the council (06-council.spec.ts).
  const at = '2026-12-03T08:00:00+07:00';
  fire('register', { ...base, id: 'WEB-COUNCIL-1', product: 'Mật ong bạc hà Bắc Quang', product_set: 'honey', registration_type: 'new', documents: docs }, at);
  ocop('fire', 'accept_dossier', 'WEB-COUNCIL-1', '--actor', 'officer.bacquang', '--now', at);
  ocop('fire', 'forward', 'WEB-COUNCIL-1', '--actor', 'officer.bacquang', '--now', at, '--data',
    JSON.stringify({ documents: [{ kind: 'commune_report', name: 'bao-cao-xa.pdf', sha256: '4'.repeat(64), bytes: 900 }] }));
  ocop('fire', 'accept_dossier', 'WEB-COUNCIL-1', '--actor', 'coordinator.tq.thu', '--now', at);
  // Another one, for the scoring form under a different rule set (10-config.spec.ts).
  fire('register', { ...base, id: 'WEB-COUNCIL-2', product: 'Mật ong hoa rừng Bắc Quang', product_set: 'honey', registration_type: 'new', documents: docs }, at);
  ocop('fire', 'accept_dossier', 'WEB-COUNCIL-2', '--actor', 'officer.bacquang', '--now', at);
  ocop('fire', 'forward', 'WEB-COUNCIL-2', '--actor', 'officer.bacquang', '--now', at, '--data',
    JSON.stringify({ documents: [{ kind: 'commune_report', name: 'bao-cao-xa-2.pdf', sha256: '5'.repeat(64), bytes: 900 }] }));
  ocop('fire', 'accept_dossier', 'WEB-COUNCIL-2', '--actor', 'coordinator.tq.thu', '--now', at);
  ocop('user', 'demo-passwords');
  // The signer's second factor: its secret, for codes at the service's fixed clock.
  process.env.OCOP_SIGNER_TOTP = (JSON.parse(ocop('user', 'totp', 'signer.tq.ngoc', '--json')) as { secret: string }).secret;
  process.env.OCOP_NOW = NOW;

  const log = join(out, 'serve.log');
  const server = spawn(bin, ['serve', '--web', web, '--listen', '127.0.0.1:0', '--now', NOW], {
    env, stdio: ['ignore', 'pipe', 'pipe'], detached: false,
  });
  const logLines: string[] = [];
  server.stderr.on('data', (b) => logLines.push(String(b)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ocop serve did not start: ' + logLines.join(''))), 20000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    server.on('exit', (code) => reject(new Error(`ocop serve exited ${code}: ${logLines.join('')}`)));
  });
  process.on('exit', () => writeFileSync(log, logLines.join('')));
  process.env.OCOP_BASE_URL = `http://127.0.0.1:${port}`;
  process.env.OCOP_TEST_DB = env.OCOP_DB;
  process.env.OCOP_TEST_CONFIG = config;
  process.env.OCOP_TEST_WORK = work;
  process.env.OCOP_SERVE_PID = String(server.pid);
  writeFileSync(join(out, 'server.json'), JSON.stringify({ url: process.env.OCOP_BASE_URL, db: env.OCOP_DB, pid: server.pid }));
}
