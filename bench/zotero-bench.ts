/* A 10,000-work Zotero library from the fake Zotero: first sync (local and web API), unchanged and changed polls, restore. */
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PerformanceObserver } from 'perf_hooks';
import { ZoteroHttp } from '../src/node/zotero/http';
import { ZoteroLibrarySync } from '../src/node/zotero/library';
import type { ServerCommand, ServerReady } from '../test/servers/zotero-server-process';
import { median } from './stats';

const WORKS = 10_000;
const POLLS = 20;
/** The fake Zotero's child-process entry, built next to the bench (esbuild.js --bench). */
const SERVER_SCRIPT = path.join(__dirname, 'zotero-server-process.js');

/** What the main thread went through while `fn` ran. */
interface Measured<T> {
  value: T;
  ms: number;
  /** The longest gap between two 1 ms timer ticks: synchronous work, garbage collection, and (on a busy machine) waiting for a core. */
  stallMs: number;
  /** The same gap, but no longer than the CPU time the process used in it: leaves out waiting for a core. */
  cpuStallMs: number;
  /** The longest garbage-collection pause. */
  gcMs: number;
}

/** Runs `fn` while ticking a 1 ms timer and watching garbage collection. */
async function measured<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  let stallMs = 0;
  let cpuStallMs = 0;
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  let running = true;
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const tick = (): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    stallMs = Math.max(stallMs, now - last);
    cpuStallMs = Math.max(cpuStallMs, Math.min(now - last, (cpu.user + cpu.system) / 1000));
    last = now;
    lastCpu = process.cpuUsage();
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 5));
  observer.disconnect();
  return { value, ms, stallMs, cpuStallMs, gcMs };
}

/** A command without its id (Omit spread over each member of the union). */
type Command = ServerCommand extends infer C ? (C extends unknown ? Omit<C, 'id'> : never) : never;

/** The fake Zotero in a child process, driven over IPC. */
async function startServer(): Promise<ServerReady & { send(command: Command): Promise<unknown>; child: ChildProcess }> {
  const child = fork(SERVER_SCRIPT, [], { execArgv: [], env: { ...process.env, LITCITE_FAKE_ZOTERO_WORKS: String(WORKS) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (result: unknown) => void>();
  let nextId = 1;
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: ServerReady | { id: number; result: unknown }) => {
      if ('ready' in message) resolve(message);
      else pending.get(message.id)?.(message.result);
    });
  });
  return {
    ...ready,
    child,
    send: (command) => new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ ...command, id });
    }),
  };
}

/**
 * Figures for syncing a 10,000-work library (with notes and PDFs) from the fake Zotero, which runs
 * in a child process so only LitCite's work counts against the main thread. Stalls are given three
 * ways because on a shared 2-core machine the wall-clock gap also holds time spent waiting for a core.
 */
export async function zoteroBench(): Promise<Record<string, number>> {
  if (!fs.existsSync(SERVER_SCRIPT)) throw new Error(`${SERVER_SCRIPT} is missing: build test/servers/zotero-server-process.ts next to the bench`);
  const zotero = await startServer();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-zotero-bench-'));
  try {
    const local = new ZoteroLibrarySync({ library: 'users/0', via: 'local', localApiUrl: zotero.localApiUrl, stateDir });
    const first = await measured(() => local.sync());
    await local.flush();

    const polls: number[] = [];
    let pollStall = 0;
    for (let i = 0; i < POLLS; i++) {
      const poll = await measured(() => local.sync());
      polls.push(poll.ms);
      pollStall = Math.max(pollStall, poll.cpuStallMs);
    }
    await zotero.send({ command: 'clear' });
    await local.sync();
    const pollRequests = Number(await zotero.send({ command: 'count' }));

    await zotero.send({ command: 'update', library: `users/${zotero.userId}`, key: 'W2222222', patch: { title: 'An edited title for the bench' } });
    const changed = await measured(() => local.sync());
    const saved = await measured(() => local.flush());

    const restoring = new ZoteroLibrarySync({ library: 'users/0', via: 'local', localApiUrl: zotero.localApiUrl, stateDir });
    const restore = await measured(() => restoring.restore());
    const stateFile = fs.readdirSync(stateDir).find((f) => f.endsWith('.jsonl'));
    const stateMb = stateFile ? fs.statSync(path.join(stateDir, stateFile)).size / 1e6 : 0;

    await zotero.send({ command: 'betterBibtex', installed: false });
    const web = new ZoteroLibrarySync({ library: `users/${zotero.userId}`, via: 'web', webApiUrl: zotero.webApiUrl, apiKey: zotero.apiKey, http: new ZoteroHttp() });
    const webFirst = await measured(() => web.sync());
    const webPolls: number[] = [];
    for (let i = 0; i < POLLS; i++) webPolls.push((await measured(() => web.sync())).ms);

    return {
      'works synced (papers)': local.papers.length,
      'items downloaded (works, notes, PDF attachments)': zotero.items,
      'local API first sync, wall (ms)': first.ms,
      'local API first sync, longest event-loop stall (ms)': first.stallMs,
      'local API first sync, longest stall counting CPU time only (ms)': first.cpuStallMs,
      'local API first sync, longest GC pause (ms)': first.gcMs,
      'local API first sync, requests': first.value.requests,
      'unchanged poll (304), median (ms)': median(polls),
      'unchanged poll, max of 20 (ms)': Math.max(...polls),
      'unchanged poll, longest stall counting CPU time only (ms)': pollStall,
      'unchanged poll, requests': pollRequests,
      'poll after one item changed, wall (ms)': changed.ms,
      'poll after one item changed, longest stall counting CPU time only (ms)': changed.cpuStallMs,
      'saving the copy after it, wall (ms)': saved.ms,
      'saving the copy, longest stall counting CPU time only (ms)': saved.cpuStallMs,
      'saved copy size (MB)': stateMb,
      'restore from the saved copy, wall (ms)': restore.ms,
      'restore from the saved copy, longest event-loop stall (ms)': restore.stallMs,
      'restore: longest stall counting CPU time only (ms)': restore.cpuStallMs,
      'restore: longest GC pause (ms)': restore.gcMs,
      'web API first sync (pages of 100, 4 in flight), wall (ms)': webFirst.ms,
      'web API first sync, longest event-loop stall (ms)': webFirst.stallMs,
      'web API first sync, longest stall counting CPU time only (ms)': webFirst.cpuStallMs,
      'web API first sync, longest GC pause (ms)': webFirst.gcMs,
      'web API first sync, requests': webFirst.value.requests,
      'web API unchanged poll (304), median (ms)': median(webPolls),
    };
  } finally {
    await zotero.send({ command: 'close' });
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

