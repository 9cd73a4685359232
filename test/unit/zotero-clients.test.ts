import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZoteroApiClient, ZoteroApiError } from '../../src/node/zotero/api';
import { BetterBibtexClient, BetterBibtexError, betterBibtexUrlFor } from '../../src/node/zotero/better-bibtex';
import { ZoteroHttp, ZoteroHttpError } from '../../src/node/zotero/http';
import { fixtureLibraries, startFakeZotero, type FakeZotero } from '../servers/zotero-server';

/** A throwaway server answering with `handler`; counts requests in flight. */
async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => { inFlight--; });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, get maxInFlight() { return maxInFlight; }, close: () => { server.closeAllConnections(); return new Promise((r) => server.close(r)); } };
}

async function rejectsWith(promise: Promise<unknown>, failure: string): Promise<ZoteroHttpError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ZoteroHttpError, String(err));
    assert.equal(err.failure, failure);
    return err;
  }
  assert.fail(`expected a ${failure} failure`);
}

describe('Zotero HTTP layer', () => {
  it('tells connection refused (Zotero not running) from a timeout and a cancelled request', async () => {
    const gone = await serve(() => undefined);
    await gone.close();
    await rejectsWith(new ZoteroHttp().request(`${gone.url}/api/`), 'refused');

    const silent = await serve(() => undefined);
    try {
      const started = Date.now();
      await rejectsWith(new ZoteroHttp({ timeoutMs: 150 }).request(`${silent.url}/api/`), 'timeout');
      assert.ok(Date.now() - started < 2000);
      const controller = new AbortController();
      const pending = new ZoteroHttp().request(`${silent.url}/api/`, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await rejectsWith(pending, 'aborted');
    } finally {
      await silent.close();
    }
  });

  it('keeps at most four requests in flight', async () => {
    const slow = await serve((_req, res) => setTimeout(() => res.end('[]'), 30));
    try {
      const client = new ZoteroHttp();
      await Promise.all(Array.from({ length: 12 }, () => client.request(`${slow.url}/x`)));
      assert.equal(slow.maxInFlight, 4);
      assert.equal(client.requestCount, 12);
    } finally {
      await slow.close();
    }
  });

  it('retries after 429 and 503 with Retry-After (seconds or a date), and remembers Backoff', async () => {
    let calls = 0;
    const limited = await serve((req, res) => {
      calls++;
      if (req.url === '/429' && calls === 1) return res.writeHead(429, { 'Retry-After': '0' }).end();
      if (req.url === '/503' && calls === 1) return res.writeHead(503, { 'Retry-After': new Date(Date.now() - 1000).toUTCString() }).end();
      res.writeHead(200, { Backoff: '5' }).end('ok');
    });
    try {
      const client = new ZoteroHttp();
      assert.equal((await client.request(`${limited.url}/429`)).body, 'ok');
      assert.equal(calls, 2);
      calls = 0;
      assert.equal((await client.request(`${limited.url}/503`)).body, 'ok');
      assert.ok(client.backoffUntil > Date.now() + 4000);
      assert.equal(client.rateLimitedUntil, 0);
    } finally {
      await limited.close();
    }
  });

  it('gives up on a long Retry-After with the time to retry at, and then sends nothing until it', async () => {
    let calls = 0;
    const limited = await serve((_req, res) => {
      calls++;
      res.writeHead(429, { 'Retry-After': '3600' }).end();
    });
    try {
      const client = new ZoteroHttp();
      const error = await rejectsWith(client.request(`${limited.url}/x`), 'rate-limited');
      assert.ok(error.retryAt! > Date.now() + 3500_000);
      assert.ok(client.rateLimitedUntil > Date.now());
      await rejectsWith(client.request(`${limited.url}/x`), 'rate-limited');
      assert.equal(calls, 1);
    } finally {
      await limited.close();
    }
  });
});

describe('Zotero API client (against the fake)', () => {
  let zotero: FakeZotero;
  before(async () => {
    const libraries = fixtureLibraries();
    // 150 collections: more than one page.
    for (let i = 0; i < 147; i++) libraries[0].collections.push({ key: `C${String(i).padStart(7, '0')}`, version: 1, data: { name: `Collection ${i}`, parentCollection: false } });
    zotero = await startFakeZotero({ libraries });
  });
  after(() => zotero.close());
  const user = { type: 'user', id: '0' } as const;

  it('asks for JSON items without annotations, and answers 304 to a conditional request', async () => {
    const api = new ZoteroApiClient({ baseUrl: `${zotero.localApiUrl}/`, http: new ZoteroHttp() });
    const page = await api.items(user, { sort: 'dateAdded', direction: 'asc', limit: 5, include: ['csljson'] });
    assert.ok(!page.notModified);
    assert.equal(page.items.length, 5);
    assert.equal(page.total, 19);
    assert.equal(page.version, 118);
    assert.equal(page.serverId, 'fakeZ0tero1D');
    assert.ok(page.items[0].csljson);
    assert.match(zotero.requests.at(-1)!.path, /\/api\/users\/0\/items\?format=json&itemType=-annotation&include=data%2Ccsljson&sort=dateAdded&direction=asc&limit=5$/);
    const again = await api.items(user, { since: 118 }, { ifModifiedSince: 118 });
    assert.equal(again.notModified, true);
  });

  it('lists versions, keys, deletions, all collections across pages, groups and the key owner', async () => {
    const api = new ZoteroApiClient({ baseUrl: zotero.webApiUrl, apiKey: zotero.apiKey, http: new ZoteroHttp() });
    const library = { type: 'user', id: String(zotero.userId) } as const;
    const versions = await api.itemVersions(library, { since: 110 });
    assert.deepEqual(Object.keys(versions.versions).sort(), ['LINDMS24', 'N5LEENT1', 'N6LEENT2']);
    assert.equal((await api.itemKeys(library)).keys.length, 19);
    zotero.library(`users/${zotero.userId}`).deleteItem('STANDNT1');
    assert.deepEqual((await api.deleted(library, 118)).deleted.items, ['STANDNT1']);
    assert.equal((await api.collections(library)).collections.length, 150);
    assert.deepEqual(await api.groups(String(zotero.userId)), [{ id: '4711', name: 'Vision & Language Lab' }]);
    assert.deepEqual(await api.keyOwner(), { userId: String(zotero.userId), username: 'mara.lindqvist' });
    assert.equal(await api.groupName('4711'), 'Vision & Language Lab');
  });

  it('turns 403, 404 and a body that is not JSON into API errors with the status', async () => {
    const bad = new ZoteroApiClient({ baseUrl: zotero.webApiUrl, apiKey: 'WRONG', http: new ZoteroHttp() });
    await assert.rejects(bad.items(user, {}), (err: unknown) => err instanceof ZoteroApiError && err.status === 403);
    const api = new ZoteroApiClient({ baseUrl: zotero.localApiUrl, http: new ZoteroHttp() });
    await assert.rejects(api.groupName('999'), (err: unknown) => err instanceof ZoteroApiError && err.status === 404);
    const html = await serve((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>proxy login</html>'));
    try {
      const proxied = new ZoteroApiClient({ baseUrl: html.url, http: new ZoteroHttp() });
      await assert.rejects(proxied.items(user, {}), /the answer is not JSON/);
    } finally {
      await html.close();
    }
  });
});

describe('Better BibTeX JSON-RPC client (against the fake)', () => {
  let zotero: FakeZotero;
  before(async () => { zotero = await startFakeZotero(); });
  after(() => zotero.close());

  it('finds the endpoint next to the local API', () => {
    assert.equal(betterBibtexUrlFor('http://localhost:23119/api'), 'http://localhost:23119/better-bibtex/json-rpc');
    assert.equal(betterBibtexUrlFor('http://127.0.0.1:9/zotero/api/'), 'http://127.0.0.1:9/zotero/better-bibtex/json-rpc');
  });

  it('reads versions, libraries, keys, attachments and search hits', async () => {
    const bbt = new BetterBibtexClient(zotero.betterBibtexUrl, new ZoteroHttp());
    assert.deepEqual(await bbt.ready(), { betterbibtex: '7.0.5', zotero: '7.0.11' });
    assert.deepEqual(await bbt.libraries(), [{ id: 1, name: 'My Library' }, { id: 2, name: 'Vision & Language Lab' }]);
    assert.deepEqual([...await bbt.citationKeys(['VSWNA7TT', 'N2VSWN01'])], [['VSWNA7TT', 'vaswaniAttentionAllYou2017']]);
    assert.deepEqual([...await bbt.citationKeys(['PARKVL24'], 2)], [['PARKVL24', 'parkBridgingVisionLanguage2024']]);
    const attachments = await bbt.attachments('vaswaniAttentionAllYou2017');
    assert.equal(attachments[0].open, 'zotero://open-pdf/library/items/K7PDFA01');
    assert.ok(attachments[0].path.endsWith('Attention Is All You Need.pdf'));
    assert.deepEqual((await bbt.search('short-term')).map((h) => h.citekey), ['hochreiter1997long']);
  });

  it('passes exports through exactly, in both answer shapes, and reports unknown keys as errors', async () => {
    const bbt = new BetterBibtexClient(zotero.betterBibtexUrl, new ZoteroHttp());
    const keys = ['leeTeachingArithmeticSmall2023', 'wuGooglesNeuralMachine2016'];
    assert.equal(await bbt.exportEntries(keys, 'Better BibTeX'), zotero.bbtExport(keys, 'Better BibTeX'));
    zotero.setLegacyBbtExport(true);
    assert.equal(await bbt.exportEntries(keys, 'Better BibLaTeX'), zotero.bbtExport(keys, 'Better BibLaTeX'));
    zotero.setLegacyBbtExport(false);
    await assert.rejects(bbt.exportEntries(['nosuchkey'], 'Better BibTeX'), (err: unknown) => err instanceof BetterBibtexError && err.code === -32602 && /nosuchkey not found/.test(err.message));
  });

  it('answers undefined from ready() when Better BibTeX is not installed', async () => {
    zotero.setBetterBibtex(false);
    try {
      const bbt = new BetterBibtexClient(zotero.betterBibtexUrl, new ZoteroHttp());
      assert.equal(await bbt.ready(), undefined);
      await assert.rejects(bbt.citationKeys(['VSWNA7TT']), /not installed/);
    } finally {
      zotero.setBetterBibtex(true);
    }
  });
});
