import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeZoteroStatus } from '../../src/core/zotero/status';
import { ZoteroHttp } from '../../src/node/zotero/http';
import { ZoteroLibrarySync, type ZoteroLibrarySyncOptions } from '../../src/node/zotero/library';
import { startFakeZotero, type FakeZotero } from '../servers/zotero-server';

const USER_REF = 'users/1234567';

let zotero: FakeZotero;
let stateDir: string;

beforeEach(async () => {
  zotero = await startFakeZotero();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-zotero-state-'));
});
afterEach(async () => {
  await zotero.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function local(options: Partial<ZoteroLibrarySyncOptions> = {}): ZoteroLibrarySync {
  return new ZoteroLibrarySync({ library: 'users/0', via: 'local', localApiUrl: zotero.localApiUrl, ...options });
}

function web(options: Partial<ZoteroLibrarySyncOptions> = {}): ZoteroLibrarySync {
  return new ZoteroLibrarySync({ library: `users/${zotero.userId}`, via: 'web', webApiUrl: zotero.webApiUrl, apiKey: zotero.apiKey, ...options });
}

function keyOf(library: ZoteroLibrarySync, title: string): string | undefined {
  return library.papers.find((p) => p.title === title)?.id;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Zotero library through the local API', () => {
  it('syncs the library: papers with Better BibTeX keys, and the connected status with name, count and Better BibTeX', async () => {
    const library = local();
    const result = await library.sync();
    assert.equal(result.full, true);
    assert.deepEqual(result.status, { code: 'connected', via: 'local', library: 'users/0', libraryName: 'My Library', itemCount: 12, betterBibtex: '7.0.5' });
    assert.equal(keyOf(library, 'Attention Is All You Need'), 'vaswaniAttentionAllYou2017');
    assert.equal(keyOf(library, 'LAC: Latent Action Composition for Skeleton-based Action Segmentation'), 'yang2023lac', "Zotero's own field beats Better BibTeX");
    assert.equal(keyOf(library, 'Long Short-Term Memory'), 'hochreiter1997long');
    const lee = library.papers.find((p) => p.arxiv === '2307.03381')!;
    assert.equal(lee.extra?.notesCount, 2);
    assert.ok(lee.extra?.attachments?.[0].path?.startsWith(zotero.storageDir), 'the PDF is a local file');
    assert.match(describeZoteroStatus(result.status).short, /^Zotero: My Library \(12\)$/);
  });

  it('polls an unchanged library with one request answered 304, quickly', async () => {
    const library = local();
    await library.sync();
    zotero.clearRequests();
    const started = performance.now();
    const result = await library.sync();
    const elapsed = performance.now() - started;
    assert.equal(result.changed, false);
    assert.equal(zotero.count(), 1, zotero.requests.map((r) => r.path).join('\n'));
    assert.equal(zotero.requests[0].status, 304);
    assert.equal(zotero.requests[0].ifModifiedSinceVersion, '118');
    assert.ok(elapsed < 50, `poll took ${elapsed.toFixed(1)} ms`);
  });

  it('re-fetches only what changed: an edit, a deletion, a trashed item, a new note, a renamed collection', async () => {
    const library = local();
    await library.sync();
    const fake = zotero.library(USER_REF);

    fake.updateItem('SUTTON18', { title: 'Reinforcement Learning: An Introduction (Second Edition)' });
    zotero.clearRequests();
    let result = await library.sync();
    assert.equal(result.changed, true);
    assert.ok(library.papers.some((p) => p.title === 'Reinforcement Learning: An Introduction (Second Edition)'));
    const listing = zotero.requests.find((r) => r.path.includes('/items?'))!;
    assert.match(listing.path, /since=118/);
    assert.ok(zotero.requests.every((r) => !r.path.includes('start=100')), 'no full download');

    fake.deleteItem('CLRKPARS');
    fake.trashItem('LINDMS24');
    fake.addItem({ itemType: 'note', parentItem: 'SUTTON18', note: '<p>new</p>' });
    fake.renameCollection('THS7QK2C', 'Dissertation');
    result = await library.sync();
    assert.equal(result.status.code === 'connected' && result.status.itemCount, 10);
    assert.equal(library.papers.some((p) => p.title === 'Statistical Parsing'), false, 'deleted');
    assert.equal(library.papers.some((p) => p.title.startsWith('Where positional encodings fail')), false, 'trashed');
    assert.equal(library.papers.find((p) => p.title.startsWith('Reinforcement'))?.extra?.notesCount, 1);
    assert.deepEqual(library.papers.find((p) => p.title === 'Long Short-Term Memory')?.extra?.collections, ['Dissertation / Chapter 2: Sequence models']);
  });

  it('detects changes on Zotero 7–9, whose local versions do not move, by modification time and count', async () => {
    zotero.setLocalVersions('synced');
    const library = local();
    await library.sync();
    const fake = zotero.library(USER_REF);
    zotero.clearRequests();
    assert.equal((await library.sync()).changed, false);
    assert.equal(zotero.count(), 1, 'one small request while nothing changed');

    fake.updateItem('HOCHLSTM', { title: 'Long Short-Term Memory (revised)' });
    assert.equal((await library.sync()).changed, true);
    assert.ok(library.papers.some((p) => p.title === 'Long Short-Term Memory (revised)'));

    fake.trashItem('SUTTON18');
    await library.sync();
    assert.equal(library.papers.some((p) => p.title.startsWith('Reinforcement')), false);
    zotero.clearRequests();
    assert.equal((await library.sync()).changed, false);
    assert.ok(zotero.count() <= 2, `settled after the change (${zotero.count()} requests)`);
  });

  it('falls back to Zotero fields, Extra and the key template without Better BibTeX, and says so', async () => {
    zotero.setBetterBibtex(false);
    const library = local();
    const { status } = await library.sync();
    assert.equal(status.code === 'connected' && status.betterBibtex, false);
    assert.match(describeZoteroStatus(status).detail, /Better BibTeX is not installed: keys fall back to Zotero's Citation Key field/);
    assert.equal(keyOf(library, 'Attention Is All You Need'), 'vaswani2017attention');
    assert.equal(keyOf(library, 'Long Short-Term Memory'), 'hochreiter1997long');
    assert.equal(keyOf(library, 'LAC: Latent Action Composition for Skeleton-based Action Segmentation'), 'yang2023lac');
    assert.equal(keyOf(library, 'Zotero Local API'), 'corporationfordigitalscholarshipzotero', 'an institution and no year: the template still gives a key');
    assert.equal(await library.betterBibtexExport(['vaswani2017attention']), undefined);
  });

  it('keeps template keys stable when a paper with the same base key arrives', async () => {
    zotero.setBetterBibtex(false);
    const library = local();
    await library.sync();
    assert.equal(keyOf(library, 'Reinforcement Learning: An Introduction'), 'sutton2018reinforcement');
    zotero.library(USER_REF).addItem({ itemType: 'journalArticle', title: 'Reinforcement learning with function approximation', creators: [{ creatorType: 'author', firstName: 'Rich', lastName: 'Sutton' }], date: '2018', dateAdded: '2001-01-01T00:00:00Z' });
    await library.sync();
    assert.equal(keyOf(library, 'Reinforcement Learning: An Introduction'), 'sutton2018reinforcement', 'the cited paper keeps its key');
    assert.equal(keyOf(library, 'Reinforcement learning with function approximation'), 'sutton2018reinforcementa');
  });

  it('says exactly which setting to turn on when the local API is off', async () => {
    zotero.setLocalApi(false);
    const { status } = await local().sync();
    assert.deepEqual(status, { code: 'local-api-disabled', url: zotero.localApiUrl });
    const words = describeZoteroStatus(status);
    assert.equal(words.fix, 'In Zotero → Settings → Advanced, turn on "Allow other applications on this computer to communicate with Zotero".');
    assert.equal(words.action, 'show-local-api-setting');
  });

  it('reports Zotero not running when nothing listens, and the remote window when there is one', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/api`;
    const library = local({ localApiUrl: url });
    const { status, papers } = await library.sync();
    assert.deepEqual(status, { code: 'not-running', url });
    assert.equal(papers.length, 0);
    assert.equal(library.nextPollDelay(), 5000);
    await library.sync();
    assert.equal(library.nextPollDelay(), 10_000, 'backs off while Zotero stays away');
    const remote = await local({ localApiUrl: url, remoteName: 'ssh-remote' }).sync();
    assert.match(describeZoteroStatus(remote.status).detail, /not reachable from this SSH remote window/);
  });

  it('keeps the papers it has when Zotero goes away, and catches up when it is back', async () => {
    const library = local();
    await library.sync();
    zotero.setLocalApi(false);
    const { status, papers } = await library.sync();
    assert.equal(status.code, 'local-api-disabled');
    assert.equal(papers.length, 12);
    zotero.setLocalApi(true);
    assert.equal((await library.sync()).status.code, 'connected');
  });

  it('passes Better BibTeX exports through byte for byte, BibTeX and BibLaTeX, old and new answer shapes', async () => {
    const library = local();
    await library.sync();
    const keys = ['vaswaniAttentionAllYou2017', 'hochreiter1997long'];
    assert.equal(await library.betterBibtexExport(keys), zotero.bbtExport(keys, 'Better BibTeX'));
    assert.equal(await library.betterBibtexExport(keys, 'Better BibLaTeX'), zotero.bbtExport(keys, 'Better BibLaTeX'));
    assert.match((await library.betterBibtexExport(['hochreiter1997long']))!, /^@article\{hochreiter1997long,\n/);
    zotero.setLegacyBbtExport(true);
    assert.equal(await library.betterBibtexExport(keys), zotero.bbtExport(keys, 'Better BibTeX'));
    assert.equal(await library.betterBibtexExport(['yang2023lac']), undefined, 'a key Better BibTeX does not have: LitCite writes the entry');
  });

  it('exports from a group library with the Better BibTeX library id it has for the group', async () => {
    const library = local({ library: `groups/${zotero.groupId}` });
    const { status } = await library.sync();
    assert.equal(status.code === 'connected' && status.libraryName, 'Vision & Language Lab');
    const key = keyOf(library, 'Error Feedback Reloaded: From Quadratic to Arithmetic Mean of Smoothness Constants')!;
    assert.equal(key, 'richtarikErrorFeedbackReloaded2024');
    assert.equal(await library.betterBibtexExport([key]), zotero.bbtExport([key], 'Better BibTeX', `groups/${zotero.groupId}`));
    assert.equal(library.papers.find((p) => p.id === key)?.extra?.selectUri, 'zotero://select/groups/4711/items/RICHTEF1');
  });

  it('opens a PDF from the local file, or through Zotero when the file is not here', async () => {
    const library = local();
    await library.sync();
    const target = await library.pdfTarget('vaswaniAttentionAllYou2017');
    assert.equal(target?.kind, 'file');
    assert.ok(target?.kind === 'file' && fs.existsSync(target.path));
    fs.rmSync(path.join(zotero.storageDir, 'storage', 'K7PDFA01'), { recursive: true });
    assert.deepEqual(await library.pdfTarget('vaswaniAttentionAllYou2017'), { kind: 'uri', uri: 'zotero://open-pdf/library/items/K7PDFA01' });
    assert.equal(await library.pdfTarget('suttonReinforcementLearningIntroduction2018'), undefined, 'no PDF');
    assert.equal(library.itemTypeFor('gravesSupervisedSequenceLabelling2008'), 'thesis');
    assert.deepEqual(library.texFieldsFor('hochreiter1997long'), { howpublished: 'MIT Press' });
  });

  it('repairs a download during which the library changed (pages shifted)', async () => {
    let mutated = false;
    const httpClient = new ZoteroHttp({
      fetch: async (input, init) => {
        if (!mutated && String(input).includes('start=5')) {
          mutated = true;
          zotero.library(USER_REF).deleteItem('SUTTON18');
        }
        return fetch(input, init);
      },
    });
    const library = local({ http: httpClient, pageSize: 5 });
    await library.sync();
    assert.equal(mutated, true);
    assert.equal(library.papers.length, 11);
    assert.equal(library.papers.some((p) => p.title.startsWith('Reinforcement')), false);
    assert.ok(zotero.requests.some((r) => r.path.includes('format=versions')), 'reconciled from the version list');
  });
});

describe('Zotero library state on disk', () => {
  it('restores papers and keys from the saved copy, then polls with one request', async () => {
    const first = local({ stateDir });
    await first.sync();
    await first.flush();
    assert.equal(fs.readdirSync(stateDir).filter((f) => f.endsWith('.jsonl')).length, 1);

    const second = local({ stateDir });
    assert.equal(await second.restore(), true);
    assert.deepEqual(second.papers.map((p) => p.id), first.papers.map((p) => p.id));
    assert.deepEqual(second.papers, first.papers);
    zotero.clearRequests();
    const result = await second.sync();
    assert.equal(result.full, false);
    assert.equal(zotero.count((r) => r.surface === 'local'), 1);
  });

  it('ignores a corrupt or foreign state file and syncs from scratch', async () => {
    const saved = local({ stateDir });
    await saved.sync();
    await saved.flush();
    const [file] = fs.readdirSync(stateDir);
    fs.writeFileSync(path.join(stateDir, file), '{"format":"litcite-zotero-state","formatVersion":1}\n{not json');
    const library = local({ stateDir });
    assert.equal(await library.restore(), false);
    const result = await library.sync();
    assert.equal(result.full, true);
    assert.equal(library.papers.length, 12);
    assert.equal(await local({ stateDir, library: `groups/${zotero.groupId}` }).restore(), false, 'another library has no saved copy');
  });

  it('starts over when another Zotero database answers (412 on Zotero-Server-ID)', async () => {
    const saved = local({ stateDir });
    await saved.sync();
    await saved.flush();
    const [file] = fs.readdirSync(stateDir);
    const full = path.join(stateDir, file);
    const lines = fs.readFileSync(full, 'utf8').split('\n');
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]), serverId: 'someOtherDb' });
    fs.writeFileSync(full, lines.join('\n'));
    const library = local({ stateDir });
    assert.equal(await library.restore(), true);
    const result = await library.sync();
    assert.equal(result.full, true);
    assert.equal(result.status.code, 'connected');
    assert.ok(zotero.requests.some((r) => r.status === 412));
  });
});

describe('Zotero library through the web API', () => {
  it('reads a personal library with the key, paging by 100 with at most 4 requests in flight', async () => {
    await zotero.close();
    zotero = await startFakeZotero({ webLatencyMs: 15 });
    const library = web({ pageSize: 3 });
    const { status } = await library.sync();
    assert.deepEqual(status, { code: 'connected', via: 'web', library: `users/${zotero.userId}`, libraryName: 'My Library', itemCount: 12 });
    const pages = zotero.requests.filter((r) => r.surface === 'web' && r.path.includes('/items?') && r.path.includes('limit=3'));
    assert.ok(pages.length >= 7, `${pages.length} pages`);
    assert.ok(zotero.requests.every((r) => r.surface !== 'web' || r.apiKey === zotero.apiKey), 'every request carries the key');
    assert.ok(zotero.maxWebInFlight <= 4, `${zotero.maxWebInFlight} in flight`);
    assert.ok(zotero.maxWebInFlight >= 2, 'pages are fetched in parallel');
    assert.equal(library.papers.find((p) => p.title === 'Attention Is All You Need')?.id, 'vaswani2017attention', 'no Better BibTeX on the web: the template');
  });

  it("resolves users/0 to the key owner's library, and reads group libraries", async () => {
    const mine = web({ library: 'users/0' });
    assert.equal((await mine.sync()).status.code, 'connected');
    assert.equal(mine.libraryRef, `users/${zotero.userId}`);
    const group = web({ library: `groups/${zotero.groupId}` });
    const { status } = await group.sync();
    assert.equal(status.code === 'connected' && status.libraryName, 'Vision & Language Lab');
    assert.equal(group.papers.length, 4);
    assert.equal(group.papers.find((p) => p.title === 'Figure and table style guide')?.issued, undefined);
  });

  it('polls with If-Modified-Since-Version, and fetches changes and deletions since the library version', async () => {
    const library = web();
    await library.sync();
    zotero.clearRequests();
    assert.equal((await library.sync()).changed, false);
    assert.deepEqual(zotero.requests.map((r) => r.status), [304]);
    zotero.library(USER_REF).updateItem('GRAVESTH', { abstractNote: 'A new abstract about handwriting.' });
    zotero.library(USER_REF).deleteItem('GOODCH10');
    await library.sync();
    assert.equal(library.papers.find((p) => p.title.startsWith('Supervised Sequence'))?.abstract, 'A new abstract about handwriting.');
    assert.equal(library.papers.some((p) => p.title.startsWith('Sequence Modeling')), false);
    assert.ok(zotero.requests.some((r) => r.path.endsWith('/deleted?since=118')));
  });

  it('reports a rejected key clearly and stops polling until settings change', async () => {
    const library = web({ apiKey: 'WRONGKEY' });
    const { status } = await library.sync();
    assert.deepEqual(status, { code: 'web-key-rejected', library: `users/${zotero.userId}` });
    assert.match(describeZoteroStatus(status).detail, /rejected the API key/);
    assert.equal(library.nextPollDelay(), Infinity);
    const none = web({ apiKey: undefined });
    zotero.clearRequests();
    assert.equal((await none.sync()).status.code, 'web-key-missing');
    assert.equal(zotero.count(), 0);
  });

  it('waits out a short Retry-After, and reports a long one as rate-limited without further requests', async () => {
    zotero.rateLimit(1, 0);
    const library = web();
    assert.equal((await library.sync()).status.code, 'connected', 'a 429 with Retry-After: 0 is retried');

    const other = web({ http: new ZoteroHttp({ maxRetryWaitMs: 1000 }) });
    zotero.rateLimit(1, 120);
    const { status } = await other.sync();
    assert.equal(status.code, 'rate-limited');
    const delay = other.nextPollDelay();
    assert.ok(delay > 110_000 && delay <= 120_000, `${delay}`);
    zotero.clearRequests();
    assert.equal((await other.sync()).status.code, 'rate-limited');
    assert.equal(zotero.count(), 0, 'no requests while rate-limited');
  });

  it('honours Backoff: the status shows it and polls hold off until it ends', async () => {
    const library = web();
    zotero.setBackoff(30);
    const { status } = await library.sync();
    assert.equal(status.code, 'connected');
    assert.ok(status.code === 'connected' && status.backoffUntil && status.backoffUntil > Date.now() + 25_000);
    assert.ok(library.nextPollDelay(1000) > 25_000);
    zotero.clearRequests();
    await library.sync();
    assert.equal(zotero.count(), 0);
  });
});
