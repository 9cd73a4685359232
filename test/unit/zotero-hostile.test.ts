import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseZoteroDate } from '../../src/core/zotero/dates';
import { parseExtra } from '../../src/core/zotero/extra';
import { fileUrlToPath, mapZoteroItem } from '../../src/core/zotero/map';
import { readRichTitle } from '../../src/core/zotero/rich-text';
import { applyZoteroChanges, collectionPaths, compactItem, emptySyncState } from '../../src/core/zotero/sync';
import type { ZoteroCollection, ZoteroItem } from '../../src/core/zotero/types';
import { ZoteroHttp } from '../../src/node/zotero/http';
import { ZoteroLibrarySync } from '../../src/node/zotero/library';

const LIBRARY = { type: 'user', id: '0' } as const;

/** Milliseconds `fn` takes, best of three (the machine is shared). */
function time(fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * Asserts `run(n)` does not grow quadratically: 8× the input must take well under the 64× a
 * quadratic algorithm needs (garbage collection alone makes large inputs somewhat dearer per unit).
 */
function assertLinear(label: string, run: (n: number) => void, n: number): void {
  run(n);
  const small = time(() => run(n));
  const large = time(() => run(8 * n));
  assert.ok(large < 32 * small + 50, `${label}: ${small.toFixed(1)} ms for n, ${large.toFixed(1)} ms for 8n`);
}

function item(data: Record<string, unknown>, extra: Partial<ZoteroItem> = {}): ZoteroItem {
  return { key: 'HOSTILE1', version: 1, data: { itemType: 'journalArticle', ...data }, ...extra } as ZoteroItem;
}

describe('Zotero input from a hostile or broken server', () => {
  it('reads fields that are huge, in linear time', () => {
    assertLinear('rich title of < and tags', (n) => { readRichTitle('<i>a</i><'.repeat(n) + '<b>'.repeat(n)); }, 20_000);
    assertLinear('extra with many lines', (n) => { parseExtra('tex.a: b\nCitation Key x\nx:'.repeat(n)); }, 2_000);
    assertLinear('extra with one long line', (n) => { parseExtra(`${'a '.repeat(n)}: value`); }, 50_000);
    assertLinear('date text', (n) => { parseZoteroDate('12/'.repeat(n) + '2020'); }, 50_000);
    assertLinear('file URL', (n) => { fileUrlToPath(`file:///${'%41'.repeat(n)}`); }, 50_000);
    assertLinear('whole item', (n) => {
      mapZoteroItem(item({
        title: 'Attention <i>is</i> '.repeat(n),
        abstractNote: 'word '.repeat(10 * n),
        creators: Array.from({ length: n / 10 }, (_, i) => ({ creatorType: 'author', firstName: 'Ł', lastName: `Kaiser${i}` })),
        tags: Array.from({ length: n / 10 }, (_, i) => ({ tag: `t${i}` })),
        extra: 'arXiv: 1706.03762\n'.repeat(n / 10),
        date: '2017 '.repeat(n),
        url: `https://arxiv.org/abs/${'1'.repeat(n)}`,
      }), { library: LIBRARY });
    }, 20_000);
  });

  it('survives values of the wrong type, deep nesting and prototype names', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const hostile = item({
      title: deep, creators: 'not a list', tags: [null, 5, { tag: deep }, 'plain'], collections: { length: 3 },
      date: { year: 2020 }, extra: ['Citation Key: x'], abstractNote: 42, url: null, __proto__: { polluted: true },
      constructor: 'x', toString: 'y', citationKey: { key: 'k' }, DOI: '10.1/ok',
    }, { meta: { parsedDate: deep as string }, csljson: { issued: { 'date-parts': deep }, 'container-title': deep } as Record<string, unknown> });
    const mapped = mapZoteroItem(hostile, { library: LIBRARY, children: [null, 'x', { key: 'C', data: null }] as unknown as ZoteroItem[], collectionPath: () => undefined });
    assert.ok(mapped);
    assert.equal(mapped.paper.title, '');
    assert.deepEqual(mapped.paper.author, []);
    assert.equal(mapped.paper.abstract, '42');
    assert.equal(mapped.paper.DOI, '10.1/ok');
    assert.deepEqual(mapped.paper.extra?.tags, ['5', 'plain']);
    assert.equal(mapped.nativeKey, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);

    // What is stored is flat, so it can always be saved and compared.
    const compact = compactItem(hostile);
    assert.doesNotThrow(() => JSON.stringify(compact));
    assert.equal(compact.data.title, undefined);
    const { state } = applyZoteroChanges(emptySyncState(), { items: [hostile, compact], cursor: { kind: 'version', version: 1 } });
    assert.equal(state.items.size, 1);
  });

  it('does not loop on collection cycles or very deep collection trees', () => {
    const collections = new Map<string, ZoteroCollection>();
    for (let i = 0; i < 20_000; i++) collections.set(`C${i}`, { key: `C${i}`, version: 1, data: { name: `n${i}`, parentCollection: `C${(i + 1) % 20_000}` } });
    const started = performance.now();
    const paths = collectionPaths(collections);
    assert.ok(performance.now() - started < 5000);
    assert.equal(paths.size, 20_000);
    assert.ok(paths.get('C0')!.split(' / ').length <= 64);
  });

  it('turns nonsense answers into a status, never a crash or an endless loop', async () => {
    const answers: Record<string, { status: number; body: string; headers?: Record<string, string> }> = {
      '/api/': { status: 200, body: 'Nothing', headers: { 'Zotero-Server-ID': 'x' } },
      '/api/groups': { status: 200, body: '[]' },
    };
    const requests: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      requests.push(url.pathname + url.search);
      if (url.pathname.endsWith('/collections')) return new Response('[]', { headers: { 'Total-Results': '0', 'Last-Modified-Version': '5' } });
      if (url.pathname.endsWith('/items') && url.searchParams.get('format') === 'versions') {
        return new Response('{"A":1}', { headers: { 'Last-Modified-Version': '5', 'Zotero-Server-ID': 'x' } });
      }
      if (url.pathname.endsWith('/items')) {
        // Claims a billion items, sends a broken page: the sync must stop, not ask 10 million pages.
        const start = Number(url.searchParams.get('start') ?? 0);
        const body = start === 0 ? JSON.stringify([{ key: 'A', version: 1, data: { itemType: 'book', title: 'Only' } }, null, 7, { key: 9 }]) : '[]';
        return new Response(body, { headers: { 'Total-Results': '1000000000', 'Last-Modified-Version': '5', 'Zotero-Server-ID': 'x' } });
      }
      const answer = answers[url.pathname] ?? { status: 404, body: 'no' };
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }) as typeof fetch;
    const library = new ZoteroLibrarySync({ library: 'users/0', via: 'local', localApiUrl: 'http://zotero.invalid/api', http: new ZoteroHttp({ fetch: fakeFetch }), useBetterBibtex: false });
    const { status } = await library.sync();
    assert.ok(requests.length < 50, `${requests.length} requests`);
    assert.equal(status.code, 'connected');
    assert.deepEqual(library.papers.map((p) => p.title), ['Only']);

    const garbage = new ZoteroLibrarySync({
      library: 'users/0', via: 'local', localApiUrl: 'http://zotero.invalid/api', useBetterBibtex: false,
      http: new ZoteroHttp({ fetch: (async () => new Response('<html>captive portal</html>', { headers: { 'Zotero-Server-ID': 'x' } })) as typeof fetch }),
    });
    const broken = await garbage.sync();
    assert.equal(broken.status.code, 'error');
    assert.match(broken.status.code === 'error' ? broken.status.message : '', /the answer is not JSON/);
  });
});
