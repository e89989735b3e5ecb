// Builds the web application into a directory that `ocop serve --web DIR` serves:
//   node build.mjs [--out DIR] [--check]
// DIR defaults to ../build/web. Type-checks first (tsc --noEmit) unless --no-check, then bundles
// src/main.tsx and src/style.css with esbuild into DIR/assets/NAME-HASH.{js,css} (content-hashed:
// served with a year of caching) and writes DIR/index.html pointing at them (served with
// no-cache). No inline script or style: the service's Content-Security-Policy is default-src 'self'.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = resolve(outIdx >= 0 ? args[outIdx + 1] : join(here, '..', 'build', 'web'));

if (!args.includes('--no-check')) {
  try {
    execFileSync(process.execPath, [join(here, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', here], {
      stdio: 'inherit',
    });
  } catch {
    console.error('web: the type check failed (above)');
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
const result = await build({
  entryPoints: { app: join(here, 'src', 'main.tsx'), style: join(here, 'src', 'style.css') },
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  logLevel: 'warning',
});
let js = '', css = '';
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  const name = basename(file);
  if (meta.entryPoint?.endsWith('main.tsx') && name.endsWith('.js')) js = name;
  if (meta.entryPoint?.endsWith('style.css') && name.endsWith('.css')) css = name;
}
if (!js || !css) throw new Error('esbuild did not produce the app bundle and the style sheet');
const html = readFileSync(join(here, 'index.html'), 'utf8')
  .replace('%APP_JS%', `/assets/${js}`)
  .replace('%APP_CSS%', `/assets/${css}`);
writeFileSync(join(out, 'index.html'), html);
copyFileSync(join(here, 'favicon.svg'), join(out, 'favicon.svg'));
console.log(`web: built ${out} (assets/${js}, assets/${css})`);
