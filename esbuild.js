// Builds every bundle the project ships or tests with.
//   node esbuild.js               extension, CLI, webview script (development)
//   node esbuild.js --production  the same, minified, no source maps
//   node esbuild.js --watch       rebuild on change
//   node esbuild.js --tests       also unit + integration tests and the test harness (out/)
//   node esbuild.js --bench       also the benchmark (out/bench)
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // citation-js pulls in optional fetch polyfills it never uses in Node 18+.
  external: ['vscode'],
};

/** Paths of the test entry points under a folder, as esbuild entry points keyed by output name. */
function testEntries(dir, outDir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ in: path.join(dir, f), out: path.join(outDir, f.replace(/\.ts$/, '')) }));
}

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, platform: 'browser', format: 'iife', target: 'es2020', entryPoints: ['src/webview/details.ts'], outfile: 'dist/webview/details.js' },
  { ...common, platform: 'node', entryPoints: ['src/node/library-worker.ts'], outfile: 'dist/library-worker.js' },
  { ...common, sourcemap: false, minify: false, entryPoints: ['src/node/build-corpus-cache.ts'], outfile: 'out/build-corpus-cache.js' },
];
if (args.has('--tests')) {
  // Test bundles of deleted test files must not run again.
  fs.rmSync('out/test', { recursive: true, force: true });
  builds.push(
    { ...common, entryPoints: testEntries('test/unit', 'unit'), outdir: 'out/test' },
    { ...common, external: ['vscode', 'mocha'], entryPoints: testEntries('test/integration', 'integration'), outdir: 'out/test' },
    { ...common, external: ['playwright-core'], entryPoints: testEntries('test/harness', 'harness'), outdir: 'out/test' },
  );
}
if (args.has('--bench')) {
  builds.push({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'out/bench/bench.js' });
  builds.push({ ...common, entryPoints: ['bench/realworld.ts'], outfile: 'out/bench/realworld.js' });
  // The fake Zotero the Zotero bench syncs from runs in a child process of its own.
  builds.push({ ...common, entryPoints: ['test/servers/zotero-server-process.ts'], outfile: 'out/bench/zotero-server-process.js' });
}

/** Copies the codicon font and stylesheet next to the webview bundle (webviews can only load local files). */
function copyCodicons() {
  const from = path.join(__dirname, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(__dirname, 'dist', 'codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join(to, file));
}

function reportSizes() {
  for (const b of builds) {
    const files = b.outfile ? [b.outfile] : [];
    for (const f of files) {
      if (fs.existsSync(f)) console.log(`${f.padEnd(28)} ${(fs.statSync(f).size / 1024).toFixed(1).padStart(8)} KiB`);
    }
  }
}

async function main() {
  const existing = builds.filter((b) => (b.entryPoints.length ?? 0) > 0 && b.entryPoints.every((e) => fs.existsSync(typeof e === 'string' ? e : e.in)));
  if (watch) {
    for (const b of existing) (await esbuild.context(b)).watch();
    console.log('watching for changes…');
    return;
  }
  await Promise.all(existing.map((b) => esbuild.build(b)));
  copyCodicons();
  // Parse the bundled corpus now so activation only reads the result (run from out/, so its
  // __dirname/.. is the project root).
  require('child_process').execFileSync(process.execPath, [path.join(__dirname, 'out', 'build-corpus-cache.js')], { stdio: 'inherit' });
  fs.chmodSync('dist/cli.js', 0o755);
  reportSizes();
}

main().catch((err) => { console.error(err); process.exit(1); });
