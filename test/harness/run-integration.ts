/*
 * Runs the integration suite (test/integration/*.test.ts, bundled into out/test/integration/)
 * inside a real VS Code, offline.
 *
 * VS Code itself cannot be downloaded on the CI machines, so the suite runs in code-server
 * (the VS Code server and web workbench, installed from npm by .ci/install-code-server.sh),
 * with headless Chromium as the window. The workbench is opened with a `payload` that names
 * this project as the extension under development and out/test/integration/index.js as the
 * test entry: the extension host loads the extension from the working tree (no install) and
 * calls run(). Every line the extension host logs reaches the page through
 * window.codeAutomationLog, and window.codeAutomationExit(code) ends the run.
 *
 *   node out/test/harness/run-integration.js [--grep PATTERN] [--timeout SECONDS] [--keep]
 *
 *   --grep PATTERN    only run tests whose full title matches PATTERN (a regular expression)
 *   --timeout SECONDS hard limit for the whole run, default 600
 *   --keep            keep the temp dir (code-server log, user data, workspace copy)
 *
 * Environment:
 *   LITCITE_CODE_SERVER  code-server package folder
 *                        (default ~/.cache/litcite-code-server/node_modules/code-server)
 *   LITCITE_CHROMIUM     Chromium binary (default /usr/bin/chromium)
 * Everything in the environment also reaches the extension host. The harness adds:
 *   LITCITE_TEST_WORKSPACE   the writable copy of test/workspace/ that the window has open
 *   LITCITE_SCREENSHOT_DIR   absolute path of test/screenshots/
 *   LITCITE_TEST_GREP        the --grep pattern
 *
 * Screenshots: a test logs "[litcite-screenshot] NAME" (see test/integration/helpers.ts);
 * the harness then saves the page as test/screenshots/NAME.png, atomically.
 *
 * Only one run at a time holds the machine: a second run waits for the first.
 *
 * The last line on stdout is always "N passed, N failed", counted from mocha's reporter.
 * Exit status: 0 all passed and at least one test passed; 1 a test failed, run() rejected or
 * nothing passed; 2 bad usage; 3 infrastructure failure (missing build or code-server,
 * code-server or the browser died); 124 hard timeout; 128+n on signal n.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as util from 'util';
import { chromium, type Browser, type Page } from 'playwright-core';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INFRA = 3;
const EXIT_TIMEOUT = 124;

/** The log line a test writes to ask for a screenshot; keep in sync with helpers.ts. */
const SCREENSHOT_MARKER = '[litcite-screenshot]';
const SCREENSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const VIEWPORT = { width: 1400, height: 900 };

interface Options {
  grep?: string;
  timeoutS: number;
  keep: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options | 'help' {
  const opts: Options = { timeoutS: 600, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${name} needs a value`);
      return next;
    };
    switch (name) {
      case '--help': case '-h': return 'help';
      case '--keep': opts.keep = true; break;
      case '--grep': case '-g': opts.grep = value(); break;
      case '--timeout': {
        const s = Number(value());
        if (!Number.isFinite(s) || s <= 0) throw new UsageError('--timeout wants a number of seconds > 0');
        opts.timeoutS = s;
        break;
      }
      default: throw new UsageError(`unknown argument ${arg}`);
    }
  }
  if (opts.grep !== undefined) {
    try { new RegExp(opts.grep); } catch (e) { throw new UsageError(`--grep: ${(e as Error).message}`); }
  }
  return opts;
}

/** The project root: the nearest folder above this script holding package.json. */
function findRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}

const started = Date.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** Harness messages go to stdout too, so they stay in order with the forwarded test output. */
function note(message: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`[harness +${t}s] ${message}\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** GETs a URL; resolves with the status and body, or status 0 when nothing answers. */
function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.setTimeout(timeoutMs, () => req.destroy());
  });
}

/**
 * A vscode-remote URI for a path on the server. The scheme is what matters: with a file URI
 * or a bare path the workbench looks for the extension inside the browser and hangs.
 */
function remoteUri(authority: string, fsPath: string): string {
  return `vscode-remote://${authority}${fsPath.split(path.sep).map(encodeURIComponent).join('/')}`;
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function groupAlive(pgid: number): boolean {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try { process.kill(-pgid, signal); } catch { /* already gone */ }
}

/** PIDs of this process's direct children whose executable's path contains `name`. */
function childPids(name: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so read from the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && fs.readlinkSync(`/proc/${entry}/exe`).includes(name)) pids.push(Number(entry));
    } catch { /* exited meanwhile */ }
  }
  return pids;
}

// ---------------------------------------------------------------- one run at a time

const LOCK_DIR = path.join(os.tmpdir(), 'litcite-integration.lock');
let lockHeld = false;

/**
 * Takes the machine-wide lock (a directory holding the owner's pid), waiting for another run
 * to end. A lock whose owner is gone is taken over.
 */
async function acquireLock(timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      lockHeld = true;
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = 0;
    try { owner = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')); } catch { /* being written */ }
    let stale = owner > 0 && !isAlive(owner);
    if (!owner) {
      // No pid yet: the owner is between mkdir and write, or died right there.
      try { stale = Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 10_000; } catch { /* just released */ }
    }
    if (stale) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) return false;
    if (!told) {
      note(`another integration run (pid ${owner || '?'}) is using VS Code; waiting for it to end`);
      told = true;
    }
    await sleep(1000);
  }
}

function releaseLock(): void {
  if (!lockHeld) return;
  lockHeld = false;
  try {
    if (Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')) === process.pid) {
      fs.rmSync(LOCK_DIR, { recursive: true, force: true });
    }
  } catch { /* already gone */ }
}

// ---------------------------------------------------------------- run state

let opts: Options = { timeoutS: 600, keep: false };
let tmpRoot: string | undefined;
let server: ChildProcess | undefined;
let watchdog: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let browserPgids: number[] = [];
let screenshotDir = '';
let screenshotQueue: Promise<void> = Promise.resolve();
let hardTimer: NodeJS.Timeout | undefined;
let finishing = false;
let passed = 0;
let failed = 0;
let transcript: fs.WriteStream | undefined;

/** The process groups the watchdog must stop if this process dies without cleaning up. */
function writeGroupsFile(): void {
  if (!tmpRoot) return;
  const groups = [server?.pid, ...browserPgids].filter((p): p is number => typeof p === 'number');
  fs.writeFileSync(path.join(tmpRoot, 'pgids'), groups.join(' ') + '\n');
}

/**
 * A detached shell that outlives a SIGKILLed harness: once this process is gone it stops
 * the process groups listed in <tmp>/pgids and removes the temp dir. A clean exit kills it.
 */
function startWatchdog(): void {
  if (!tmpRoot) return;
  const script = [
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
    'for g in $(cat "$2/pgids" 2>/dev/null); do kill -TERM -"$g" 2>/dev/null; done',
    'sleep 3',
    'for g in $(cat "$2/pgids" 2>/dev/null); do kill -KILL -"$g" 2>/dev/null; done',
    '[ "$3" = keep ] || rm -rf "$2"',
    'if [ "$(cat "$4/pid" 2>/dev/null)" = "$1" ]; then rm -rf "$4"; fi',
  ].join('\n');
  watchdog = spawn('sh', ['-c', script, 'litcite-watchdog', String(process.pid), tmpRoot, opts.keep ? 'keep' : 'clean', LOCK_DIR], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
}

async function teardown(): Promise<void> {
  await Promise.race([screenshotQueue, sleep(10_000)]);
  if (browser) {
    const b = browser;
    browser = undefined;
    const closed = await Promise.race([b.close().then(() => true, () => false), sleep(5000).then(() => false)]);
    if (!closed) for (const g of browserPgids) killGroup(g, 'SIGKILL');
  }
  if (server?.pid !== undefined) {
    const pgid = server.pid;
    // The group (code-server, extension host, pty host, file watcher) outlives the leader.
    if (groupAlive(pgid)) {
      killGroup(pgid, 'SIGTERM');
      const deadline = Date.now() + 5000;
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      killGroup(pgid, 'SIGKILL');
    }
  }
  if (watchdog?.pid !== undefined) killGroup(watchdog.pid, 'SIGKILL');
  transcript?.end();
  releaseLock();
  if (tmpRoot) {
    if (opts.keep) note(`kept ${tmpRoot} (code-server.log, transcript.log, browser-console.log, ud/, workspace copy)`);
    else fs.rmSync(tmpRoot, { recursive: true, force: true });
  }
}

function showServerLogTail(): void {
  if (!tmpRoot) return;
  try {
    const lines = fs.readFileSync(path.join(tmpRoot, 'code-server.log'), 'utf8').trimEnd().split('\n');
    note(`last lines of code-server's log:\n${lines.slice(-30).join('\n')}`);
  } catch { /* not started */ }
}

/** Ends the run on every path: stops everything, then prints the closing line and exits. */
async function finish(code: number, reason?: string): Promise<void> {
  if (finishing) return;
  finishing = true;
  if (hardTimer) clearTimeout(hardTimer);
  if (reason) note(reason);
  // Whatever goes wrong in teardown, leave in bounded time.
  setTimeout(() => {
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    process.exit(code);
  }, 30_000).unref();
  if (code === EXIT_INFRA || code === EXIT_TIMEOUT) {
    showServerLogTail();
    if (page && screenshotDir) {
      const file = path.join(screenshotDir, code === EXIT_TIMEOUT ? 'harness-timeout.png' : 'harness-failure.png');
      await page.screenshot({ path: file, timeout: 5000 }).then(
        () => note(`the window at this moment: ${path.relative(process.cwd(), file)}`),
        () => undefined,
      );
    }
  }
  try {
    await teardown();
  } catch (e) {
    note(`teardown error: ${(e as Error).stack ?? String(e)}`);
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  process.exit(code);
}

// ---------------------------------------------------------------- test output

/**
 * Counts results from mocha's spec reporter. Its closing summary ("  N passing (T)",
 * "  N pending", "  N failing") is authoritative; until it arrives (a run that hangs or
 * dies never prints it) the per-test lines "  ✔ title" and "  1) title" are counted instead.
 */
let sawSummary = false;
function countResults(line: string): void {
  const summary = /^\s*(\d+) (passing|failing)\b/.exec(line);
  if (summary) {
    if (!sawSummary) { passed = 0; failed = 0; sawSummary = true; }
    if (summary[2] === 'passing') passed += Number(summary[1]);
    else failed += Number(summary[1]);
  } else if (!sawSummary) {
    if (/^\s+✔ /.test(line)) passed++;
    else if (/^\s+\d+\) \S/.test(line)) failed++;
  }
}

function requestScreenshot(name: string): void {
  if (!SCREENSHOT_NAME.test(name)) {
    note(`ignoring screenshot request with a bad name: ${JSON.stringify(name)}`);
    return;
  }
  screenshotQueue = screenshotQueue.then(async () => {
    if (!page || finishing) return;
    const file = path.join(screenshotDir, `${name}.png`);
    const part = path.join(screenshotDir, `.${name}.${process.pid}.part`);
    try {
      await page.screenshot({ path: part, type: 'png', timeout: 10_000 });
      fs.renameSync(part, file); // the test polls for the final name: it must appear whole
      note(`screenshot ${path.relative(process.cwd(), file)}`);
    } catch (e) {
      fs.rmSync(part, { force: true });
      note(`screenshot ${name} failed: ${(e as Error).message}`);
    }
  });
}

/** One log call of the extension host (or the workbench), as the workbench forwards it. */
function onAutomationLog(level: unknown, message: unknown): void {
  // message is [format, ...args], exactly what the extension host passed to console.log.
  const text = stripAnsi(Array.isArray(message) ? util.format(...(message as unknown[])) : String(message));
  transcript?.write(`[${String(level)}] ${text}\n`);
  if (finishing) return; // nothing may follow the closing line
  for (const line of text.split('\n')) {
    countResults(line);
    if (line.startsWith(SCREENSHOT_MARKER)) requestScreenshot(line.slice(SCREENSHOT_MARKER.length).trim());
  }
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  let parsed: Options | 'help';
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`run-integration: ${e.message}\n`);
    process.exit(EXIT_USAGE);
  }
  if (parsed === 'help') {
    process.stdout.write('usage: run-integration [--grep PATTERN] [--timeout SECONDS] [--keep]\n');
    process.exit(0);
  }
  opts = parsed;

  const root = findRoot();
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main?: string };
  const testsEntry = path.join(root, 'out', 'test', 'integration', 'index.js');
  const extensionMain = path.join(root, manifest.main ?? 'dist/extension.js');
  const workspaceSource = path.join(root, 'test', 'workspace');
  screenshotDir = path.join(root, 'test', 'screenshots');
  let codeServer = path.resolve(process.env.LITCITE_CODE_SERVER
    || path.join(os.homedir(), '.cache', 'litcite-code-server', 'node_modules', 'code-server'));
  if (codeServer.endsWith('.js')) codeServer = path.resolve(codeServer, '..', '..', '..');
  const serverEntry = path.join(codeServer, 'out', 'node', 'entry.js');
  const chromiumPath = process.env.LITCITE_CHROMIUM || '/usr/bin/chromium';

  const missing: Array<[string, string]> = [
    [testsEntry, 'build the tests: node esbuild.js --tests'],
    [extensionMain, 'build the extension: node esbuild.js'],
    [workspaceSource, 'the test workspace is part of the repository'],
    [serverEntry, 'install code-server: bash .ci/install-code-server.sh (or set LITCITE_CODE_SERVER)'],
    [chromiumPath, 'install Chromium: apt-get install chromium (or set LITCITE_CHROMIUM)'],
  ];
  for (const [file, hint] of missing) {
    if (!fs.existsSync(file)) return finish(EXIT_INFRA, `missing ${file}: ${hint}`);
  }

  if (!(await acquireLock(opts.timeoutS * 1000))) {
    return finish(EXIT_INFRA, `another integration run held the lock ${LOCK_DIR} for over ${opts.timeoutS}s`);
  }
  hardTimer = setTimeout(() => void finish(EXIT_TIMEOUT, `TIMEOUT: the run did not end within ${opts.timeoutS}s`), opts.timeoutS * 1000);

  // Short path: code-server puts unix sockets under the user-data-dir (108-byte limit).
  tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'lcit-'));
  startWatchdog();
  const userDataDir = path.join(tmpRoot, 'ud');
  const extensionsDir = path.join(tmpRoot, 'ext');
  const workspace = path.join(tmpRoot, 'my-paper'); // the folder name shows in the explorer
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir);
  fs.cpSync(workspaceSource, workspace, { recursive: true });
  fs.mkdirSync(screenshotDir, { recursive: true });
  transcript = fs.createWriteStream(path.join(tmpRoot, 'transcript.log'));

  // User settings live on the server side: keep the window quiet, offline and predictable.
  const settings = {
    'workbench.startupEditor': 'none',
    // The web workbench defaults to the light theme; start from desktop VS Code's default.
    'workbench.colorTheme': 'Default Dark Modern',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'git.openRepositoryInParentFolders': 'never',
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EXTENSIONS_GALLERY: '{}', // no marketplace lookups: there is no network
    LITCITE_TEST_WORKSPACE: workspace,
    LITCITE_SCREENSHOT_DIR: screenshotDir,
  };
  if (opts.grep !== undefined) env.LITCITE_TEST_GREP = opts.grep;
  note(`code-server ${codeServer} on ${origin}`);
  const serverLog = fs.openSync(path.join(tmpRoot, 'code-server.log'), 'a');
  // detached: code-server and everything it forks (extension host, pty host, file watcher)
  // form one process group that teardown and the watchdog stop together.
  server = spawn(process.execPath, [
    serverEntry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--config', path.join(tmpRoot, 'config.yaml'), // never read or write ~/.config/code-server
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ], { detached: true, stdio: ['ignore', serverLog, serverLog], env });
  fs.closeSync(serverLog);
  writeGroupsFile();
  server.on('exit', (code, signal) => {
    void finish(EXIT_INFRA, `code-server exited early (code ${code}, signal ${signal})`);
  });
  server.on('error', (e) => void finish(EXIT_INFRA, `cannot start code-server: ${e.message}`));

  const upBy = Date.now() + 60_000;
  while ((await httpGet(`${origin}/healthz`, 2000)).status !== 200) {
    if (finishing) return;
    if (Date.now() > upBy) return finish(EXIT_INFRA, 'code-server did not answer /healthz within 60s');
    await sleep(100);
  }
  note('code-server is up');

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // Playwright's own signal handlers would exit before the teardown and the closing line.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  // Playwright starts Chromium as our child in its own process group: note it for the watchdog.
  browserPgids = childPids('chromium');
  writeGroupsFile();
  browser.on('disconnected', () => void finish(EXIT_INFRA, 'the browser went away'));
  const context = await browser.newContext({ viewport: VIEWPORT });
  page = await context.newPage();

  const consoleLog = fs.createWriteStream(path.join(tmpRoot, 'browser-console.log'));
  page.on('console', (m) => consoleLog.write(`[console.${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.stack ?? e.message}\n`));
  page.on('requestfailed', (r) => consoleLog.write(`[requestfailed] ${r.url()} ${r.failure()?.errorText ?? ''}\n`));
  page.on('crash', () => void finish(EXIT_INFRA, 'the workbench page crashed'));

  let hostExitCode: number | undefined;
  let endOfRun: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => { endOfRun = resolve; });
  // Both must exist before the workbench loads: it looks for them once, at start-up.
  await page.exposeFunction('codeAutomationLog', onAutomationLog);
  await page.exposeFunction('codeAutomationExit', (code: unknown, logs: unknown) => {
    hostExitCode = typeof code === 'number' ? code : Number(code);
    if (Array.isArray(logs) && tmpRoot) {
      for (const item of logs as Array<{ relativePath?: unknown; contents?: unknown }>) {
        if (typeof item.relativePath !== 'string' || typeof item.contents !== 'string') continue;
        const file = path.join(tmpRoot, 'browser-logs', path.normalize(item.relativePath).replace(/^(\.\.[/\\])+/, ''));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, item.contents);
      }
    }
    endOfRun();
  });

  // The URIs carry the workbench's remote authority, which the served page states.
  const served = await httpGet(`${origin}/?folder=${encodeURIComponent(workspace)}`, 10_000);
  const authority = /"remoteAuthority":"([^"]+)"/.exec(served.body.replace(/&quot;/g, '"'))?.[1] ?? 'remote';
  const payload = [
    ['extensionDevelopmentPath', remoteUri(authority, root)],
    ['extensionTestsPath', remoteUri(authority, testsEntry)],
    ['skipWelcome', 'true'],
  ];
  const url = `${origin}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
  note(`workbench loaded${opts.grep !== undefined ? `, grep ${JSON.stringify(opts.grep)}` : ''}; tests run in the extension host`);

  await ended;
  await Promise.race([screenshotQueue, sleep(10_000)]);
  let code = 0;
  if (hostExitCode !== 0) {
    code = EXIT_FAILED;
    note(`the test entry reported failure (exit code ${hostExitCode})`);
  }
  if (failed > 0) code = EXIT_FAILED;
  if (passed === 0) {
    code = EXIT_FAILED;
    note(`FAIL: no test passed${opts.grep !== undefined ? ' (does --grep match any test?)' : ''}`);
  }
  return finish(code);
}

for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
  process.on(signal, () => void finish(128 + number, `got ${signal}`));
}
process.on('uncaughtException', (e) => void finish(EXIT_INFRA, `ERROR: ${e.stack ?? String(e)}`));
process.on('unhandledRejection', (e) => void finish(EXIT_INFRA, `ERROR: ${(e as Error)?.stack ?? String(e)}`));

main().catch((e: unknown) => finish(EXIT_INFRA, `ERROR: ${(e as Error)?.stack ?? String(e)}`));
