import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { localLookup } from '../../src/core/online/merge-works';
import { describeOutcome, type SourceOutcome } from '../../src/core/online/types';
import type { Paper } from '../../src/core/types';
import { OnlineEngine, type OnlineEngineOptions } from '../../src/node/online/engine';
import { type OnlineFixtureServer, startOnlineServer } from '../servers/online-server';

/** Fast pacing so the suite does not wait arXiv's 3 s between requests (one test checks the real spacing). */
const FAST = { minIntervalMs: 0, maxConcurrent: 4 };

describe('the online engine', () => {
  let server: OnlineFixtureServer;
  let cacheDir: string;
  let clock: number;

  before(async () => { server = await startOnlineServer(); });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-engine-'));
    clock = Date.now();
  });
  const engines: OnlineEngine[] = [];
  afterEach(async () => {
    // Cache writes still in flight would land in the folder being removed.
    await Promise.all(engines.splice(0).map((e) => e.idle()));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  function engine(options: Partial<OnlineEngineOptions> = {}): OnlineEngine {
    return track(new OnlineEngine({
      enabled: true,
      urls: { arxiv: server.arxivApiUrl, openalex: server.openAlexApiUrl, crossref: server.crossrefApiUrl, semanticscholar: server.semanticScholarApiUrl, doi: server.doiApiUrl },
      cacheDir,
      now: () => clock,
      pacing: { arxiv: FAST, openalex: FAST, crossref: FAST, semanticscholar: FAST, doi: FAST },
      ...options,
    }));
  }
  function track(online: OnlineEngine): OnlineEngine {
    engines.push(online);
    return online;
  }

  async function collect(run: AsyncIterable<SourceOutcome>): Promise<SourceOutcome[]> {
    const outcomes: SourceOutcome[] = [];
    for await (const outcome of run) outcomes.push(outcome);
    return outcomes;
  }
  const bySource = (outcomes: SourceOutcome[]) => Object.fromEntries(outcomes.map((o) => [o.source, o]));

  it('cannot be made without consent', () => {
    // @ts-expect-error enabled must be the literal true
    assert.throws(() => new OnlineEngine({ enabled: false }), /online search is off/);
    assert.throws(() => new OnlineEngine({} as unknown as OnlineEngineOptions), /online search is off/);
    assert.equal(server.requests.length, 0);
  });

  it('asks every enabled source in parallel and yields each outcome as it arrives', async () => {
    server.behave('openalex', { kind: 'slow', delayMs: 1500 });
    const outcomes = await collect(engine().searchOnline('BERT pre-training'));
    assert.equal(outcomes.length, 4);
    assert.equal(outcomes[3].source, 'openalex', 'the slow source comes last, the others did not wait for it');
    const counts = Object.fromEntries(outcomes.map((o) => [o.source, o.status === 'ok' ? o.papers.length : o.status]));
    assert.deepEqual(counts, { openalex: 2, semanticscholar: 2, crossref: 2, arxiv: 1 });
    assert.ok(outcomes.every((o) => o.status === 'ok' && !o.fromCache));
  });

  it('asks only the sources named, and never one the engine was not given', async () => {
    const outcomes = await collect(engine({ sources: ['crossref', 'arxiv'] }).searchOnline('bert', { sources: ['arxiv', 'openalex'] }));
    assert.deepEqual(outcomes.map((o) => o.source), ['arxiv']);
    assert.deepEqual([...new Set(server.requests.map((r) => r.service))], ['arxiv']);
  });

  it('identifies itself as each service asks: mailto, api_key, x-api-key, User-Agent', async () => {
    await collect(engine({ contactEmail: 'writer@example.org', openAlexApiKey: 'oa-key', semanticScholarApiKey: 's2-key' }).searchOnline('bert'));
    const [crossref] = server.requestsTo('crossref');
    assert.equal(crossref.query.mailto, 'writer@example.org');
    assert.match(crossref.headers['user-agent'], /^LitCite\/.* \(mailto:writer@example\.org\)$/);
    assert.equal(crossref.query['query.bibliographic'], 'bert');
    assert.ok(crossref.query.select.includes('abstract'));
    const [openalex] = server.requestsTo('openalex');
    assert.equal(openalex.query.api_key, 'oa-key');
    assert.equal(openalex.query.mailto, 'writer@example.org');
    assert.equal(openalex.query.search, 'bert');
    const [s2] = server.requestsTo('s2');
    assert.equal(s2.headers['x-api-key'], 's2-key');
    assert.equal(s2.path, '/graph/v1/paper/search');
    assert.ok(s2.query.fields.includes('externalIds'));
    const [arxiv] = server.requestsTo('arxiv');
    assert.equal(arxiv.query.search_query, 'all:bert');
    assert.ok(server.requests.every((r) => r.headers['user-agent'].startsWith('LitCite/')));
  });

  it('sends no key and no address it was not given', async () => {
    await collect(engine().searchOnline('bert'));
    assert.equal(server.requestsTo('crossref')[0].query.mailto, undefined);
    assert.equal(server.requestsTo('openalex')[0].query.api_key, undefined);
    assert.equal(server.requestsTo('s2')[0].headers['x-api-key'], undefined);
  });

  it('answers a repeated query from the cache without any request, at once and in a new engine', async () => {
    const online = engine();
    await collect(online.searchOnline('BERT pre-training'));
    const sent = server.requests.length;
    const soon = await collect(online.searchOnline('bert pre-training'));
    assert.ok(soon.every((o) => o.status === 'ok' && o.fromCache), 'even while the files are being written');
    await online.idle();
    const again = await collect(engine().searchOnline('  bert   PRE-TRAINING '));
    assert.equal(server.requests.length, sent, 'no request');
    assert.ok(again.every((o) => o.status === 'ok' && o.fromCache));
    assert.equal(describeOutcome(bySource(again).crossref), 'Crossref: 2 results (cached)');
    const other = await collect(engine().searchOnline('bert pre-training', { limit: 5, sources: ['crossref'] }));
    assert.equal(other[0].status === 'ok' && other[0].fromCache, false, 'another limit is another query');
  });

  it('asks again once the cached answer has expired', async () => {
    const first = engine();
    await collect(first.searchOnline('bert', { sources: ['crossref'] }));
    await first.idle();
    clock += 7 * 24 * 3600 * 1000;
    const outcomes = await collect(engine().searchOnline('bert', { sources: ['crossref'] }));
    assert.equal(outcomes[0].status === 'ok' && outcomes[0].fromCache, false);
    assert.equal(server.requestsTo('crossref').length, 2);
  });

  it('marks a source that answered 429 rate-limited until its Retry-After, and does not ask it before then', async () => {
    const online = engine();
    server.behave('crossref', { kind: 'rate-limited', status: 429, retryAfter: '20' });
    const first = bySource(await collect(online.searchOnline('bert')));
    assert.equal(first.crossref.status, 'rate-limited');
    assert.equal(first.crossref.status === 'rate-limited' && first.crossref.retryAt, clock + 20_000);
    assert.equal(describeOutcome(first.crossref, clock), 'Crossref: rate-limited, try again in 20 s');
    assert.equal(first.openalex.status, 'ok', 'the others still answer');
    assert.equal(server.requestsTo('crossref').length, 1);

    clock += 10_000;
    const second = bySource(await collect(online.searchOnline('deep learning')));
    assert.equal(second.crossref.status, 'rate-limited');
    assert.equal(server.requestsTo('crossref').length, 1, 'not asked before T');
    assert.equal(online.sourceStates().find((s) => s.source === 'crossref')?.blockedUntil, clock + 10_000);

    server.reset();
    clock += 10_001;
    const third = bySource(await collect(online.searchOnline('deep learning')));
    assert.equal(third.crossref.status, 'ok');
    assert.equal(server.requestsTo('crossref').length, 1);
  });

  it('honours a Retry-After HTTP-date and a 503 with Retry-After', async () => {
    const online = engine();
    server.behave('s2', { kind: 'rate-limited', status: 503, retryAfter: new Date(clock + 45_000).toUTCString() });
    const outcome = bySource(await collect(online.searchOnline('bert', { sources: ['semanticscholar'] }))).semanticscholar;
    assert.equal(outcome.status, 'rate-limited');
    const retryAt = outcome.status === 'rate-limited' ? outcome.retryAt : 0;
    assert.ok(Math.abs(retryAt - (clock + 45_000)) <= 1000, `${retryAt - clock}`);
  });

  it('blocks a source for a while after a 429 without Retry-After, not for ever', async () => {
    const online = engine({ defaultRetryAfterMs: 5000 });
    server.behave('openalex', { kind: 'rate-limited', status: 429 }, 1);
    const outcome = (await collect(online.searchOnline('bert', { sources: ['openalex'] })))[0];
    assert.equal(outcome.status === 'rate-limited' && outcome.retryAt, clock + 5000);
    clock += 5000;
    assert.equal((await collect(online.searchOnline('bert', { sources: ['openalex'] })))[0].status, 'ok');
  });

  it('retries a source whose Retry-After falls within the search, reporting it as retrying', async () => {
    const online = engine({ now: Date.now });
    server.behave('crossref', { kind: 'rate-limited', status: 429, retryAfter: '1' }, 1);
    const outcomes = await collect(online.searchOnline('bert', { sources: ['crossref'], retryWithinMs: 2000 }));
    assert.deepEqual(outcomes.map((o) => o.status), ['rate-limited', 'ok']);
    assert.equal(outcomes[0].status === 'rate-limited' && outcomes[0].retrying, true);
    assert.match(describeOutcome(outcomes[0]), /^Crossref: rate-limited, retrying in [12] s$/);
    const [first, second] = server.requestsTo('crossref');
    assert.ok(second.at - first.at >= 1000);
  });

  it('honours a Backoff header: the results are used, the next request waits', async () => {
    const online = engine();
    server.behave('s2', { kind: 'backoff', seconds: 30 }, 1);
    const first = (await collect(online.searchOnline('bert', { sources: ['semanticscholar'] })))[0];
    assert.equal(first.status, 'ok');
    const second = (await collect(online.searchOnline('attention', { sources: ['semanticscholar'] })))[0];
    assert.equal(second.status === 'rate-limited' && second.retryAt, clock + 30_000);
    assert.equal(server.requestsTo('s2').length, 1);
  });

  it('reports a 503, a timeout, a malformed body and an empty result per source, and the others still answer', async () => {
    server.behave('crossref', { kind: 'unavailable' });
    server.behave('s2', { kind: 'slow', delayMs: 3000 });
    server.behave('openalex', { kind: 'malformed' });
    server.behave('arxiv', { kind: 'empty' });
    const outcomes = bySource(await collect(engine({ timeoutMs: 300 }).searchOnline('bert')));
    assert.equal(outcomes.crossref.status === 'http' && outcomes.crossref.httpStatus, 503);
    assert.equal(outcomes.semanticscholar.status === 'timeout' && outcomes.semanticscholar.timeoutMs, 300);
    assert.equal(describeOutcome(outcomes.semanticscholar), 'Semantic Scholar: timed out after 0.3 s');
    assert.equal(outcomes.openalex.status === 'bad-body' && outcomes.openalex.error.code, 'not-json');
    assert.equal(outcomes.arxiv.status === 'ok' && outcomes.arxiv.papers.length, 0);
    assert.equal(describeOutcome(outcomes.arxiv), 'arXiv: no results');
    const later = bySource(await collect(engine({ timeoutMs: 300 }).searchOnline('bert', { sources: ['crossref'] })));
    assert.equal(later.crossref.status, 'http', 'a 503 without Retry-After does not block the source');
    assert.equal(server.requestsTo('crossref').length, 2);
  });

  it('reports an unreachable service as offline', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcomes = await collect(engine({ urls: { crossref: `http://127.0.0.1:${port}/none` } }).searchOnline('bert', { sources: ['crossref'] }));
    assert.equal(outcomes[0].status, 'offline');
    assert.equal(outcomes[0].status === 'offline' && outcomes[0].code, 'ECONNREFUSED');
    assert.equal(describeOutcome(outcomes[0]), 'Crossref: unreachable (ECONNREFUSED)');
  });

  it('cancels every request in flight when the signal aborts', async () => {
    server.behave('openalex', { kind: 'slow', delayMs: 5000 });
    server.behave('crossref', { kind: 'slow', delayMs: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const start = performance.now();
    const outcomes = bySource(await collect(engine().searchOnline('bert', { sources: ['openalex', 'crossref'], signal: controller.signal })));
    assert.ok(performance.now() - start < 2000);
    assert.equal(outcomes.openalex.status, 'cancelled');
    assert.equal(outcomes.crossref.status, 'cancelled');
  });

  it('spaces arXiv requests 3 s apart by default, and a request cancelled in the queue is never sent', async () => {
    const online = engine({ pacing: {} });
    const controller = new AbortController();
    const first = collect(online.searchOnline('bert', { sources: ['arxiv'] }));
    const queued = collect(online.searchOnline('attention', { sources: ['arxiv'], signal: controller.signal }));
    setTimeout(() => controller.abort(), 200);
    assert.equal((await queued)[0].status, 'cancelled');
    await first;
    assert.equal(server.requestsTo('arxiv').length, 1, 'the cancelled one was never sent');
    const third = await collect(online.searchOnline('attention', { sources: ['arxiv'] }));
    assert.equal(third[0].status, 'ok');
    const [a, b] = server.requestsTo('arxiv');
    // The gate spaces the starts 3 s apart; arrival at the server may jitter by a few ms on a busy machine.
    assert.ok(b.at - a.at >= 2900, `${b.at - a.at} ms apart`);
  });

  it('merges the sources into one ranked list, with library papers recognised', async () => {
    const mine: Paper = { id: 'devlin2019bert', type: 'paper-conference', title: 'BERT', author: [], DOI: '10.18653/v1/N19-1423', origin: 'library' };
    const seen: string[] = [];
    const { works, outcomes } = await engine().search('bert', { local: localLookup([mine]), onOutcome: (o) => seen.push(o.source) });
    assert.equal(outcomes.length, 4);
    assert.equal(seen.length, 4);
    assert.equal(works[0].paper, mine);
    assert.equal(works[0].local, true);
    assert.equal(works[0].sources.length, 4);
    assert.deepEqual(works.slice(1).map((w) => w.paper.title), ['RoBERTa: A Robustly Optimized BERT Pretraining Approach', 'Deep Contextualized Word Representations']);
  });

  describe('looking up an identifier', () => {
    it('resolves a DOI by content negotiation and caches the record without expiry', async () => {
      const online = engine();
      const result = await online.resolveIdentifier('https://doi.org/10.18653/v1/N19-1423');
      assert.ok(result.ok, JSON.stringify(result));
      assert.equal(result.fromCache, false);
      assert.equal(result.paper.title, 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding');
      assert.deepEqual(result.paper.sources, ['doi']);
      assert.equal(result.paper.origin, 'online');
      assert.equal(result.paper.id, '');
      const [request] = server.requestsTo('doi');
      assert.equal(request.path, '/10.18653/v1/N19-1423');
      assert.match(request.headers.accept, /application\/vnd\.citationstyles\.csl\+json/);
      await online.idle();
      clock += 365 * 24 * 3600 * 1000;
      const again = await engine().resolveIdentifier('doi:10.18653/v1/n19-1423');
      assert.ok(again.ok && again.fromCache);
      assert.equal(server.requestsTo('doi').length, 1);
    });

    it('resolves an arXiv id through id_list, the version asked for', async () => {
      const result = await engine().resolveIdentifier('arXiv:1706.03762v7');
      assert.ok(result.ok);
      assert.equal(result.paper.title, 'Attention Is All You Need');
      assert.equal(result.paper.arxiv, '1706.03762');
      assert.equal(server.requestsTo('arxiv')[0].query.id_list, '1706.03762v7');
    });

    it('resolves an OpenAlex work id', async () => {
      const result = await engine().resolveIdentifier('https://openalex.org/W2963341956');
      assert.ok(result.ok);
      assert.equal(result.paper.arxiv, '1810.04805');
    });

    it('says what is not an identifier, what is not found, and why a lookup failed', async () => {
      assert.deepEqual(await engine().resolveIdentifier('attention is all you need'), { ok: false, reason: 'not-an-identifier' });
      assert.equal(server.requests.length, 0);
      const missing = await engine().resolveIdentifier('10.1000/does-not-exist');
      assert.equal(missing.ok === false && missing.reason, 'not-found');
      const noArxiv = await engine().resolveIdentifier('2301.00001');
      assert.equal(noArxiv.ok === false && noArxiv.reason, 'not-found');
      server.behave('doi', { kind: 'slow', delayMs: 3000 });
      const slow = await engine({ timeoutMs: 200 }).resolveIdentifier('10.18653/v1/N19-1423');
      assert.ok(!slow.ok && slow.reason === 'failed' && slow.failure.status === 'timeout' && slow.service === 'doi');
    });
  });

  describe('related papers', () => {
    const bert: Paper = { id: 'devlin2019bert', type: 'paper-conference', title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding', author: [{ family: 'Devlin', given: 'Jacob' }], DOI: '10.18653/v1/N19-1423', arxiv: '1810.04805', issued: { 'date-parts': [[2019]] } };

    it('lists references, citing papers and recommendations from OpenAlex and Semantic Scholar, merged', async () => {
      const result = await engine().related(bert);
      assert.ok(result.ok);
      const titles = (kind: 'references' | 'citing' | 'recommended') => result.lists[kind].works.map((w) => `${w.paper.title} [${w.sources.join('+')}]`);
      assert.deepEqual(titles('references'), [
        'Attention is All you Need [openalex+semanticscholar]',
        'Deep Contextualized Word Representations [openalex+semanticscholar]',
        'Improving language understanding with unsupervised learning [semanticscholar]',
      ]);
      assert.deepEqual(titles('citing'), ['RoBERTa: A Robustly Optimized BERT Pretraining Approach [openalex+semanticscholar]']);
      assert.deepEqual(titles('recommended'), [
        'RoBERTa: A Robustly Optimized BERT Pretraining Approach [openalex+semanticscholar]',
        'Deep Contextualized Word Representations [semanticscholar]',
      ]);
      const openalexPaths = server.requestsTo('openalex').map((r) => `${r.path}?${r.query.filter ?? ''}`).sort();
      assert.deepEqual(openalexPaths, ['/works/doi:10.18653/v1/N19-1423?', '/works?cites:W2963341956', '/works?openalex:W2963403868|W2789541106|W2952729433', '/works?openalex:W2965373594|W2970597249']);
      assert.deepEqual(server.requestsTo('s2').map((r) => r.path).sort(), [
        '/graph/v1/paper/DOI:10.18653/v1/N19-1423/citations',
        '/graph/v1/paper/DOI:10.18653/v1/N19-1423/references',
        '/recommendations/v1/papers/forpaper/DOI:10.18653/v1/N19-1423',
      ]);
    });

    it('caches each list: asking again sends nothing', async () => {
      const online = engine();
      await online.related(bert);
      await online.idle();
      const sent = server.requests.length;
      const again = await engine().related(bert);
      assert.ok(again.ok);
      assert.equal(server.requests.length, sent);
      assert.ok(Object.values(again.lists).every((list) => list.outcomes.every((o) => o.status === 'ok' && o.fromCache)));
    });

    it('uses the arXiv id when there is no DOI, recognises library papers, and needs an identifier', async () => {
      const library: Paper[] = [{ id: 'vaswani2017attention', type: 'article', title: 'Attention Is All You Need', author: [], arxiv: '1706.03762' }];
      const result = await engine().related({ ...bert, DOI: undefined }, { local: localLookup(library) });
      assert.ok(result.ok);
      assert.equal(server.requestsTo('openalex')[0].path, '/works/doi:10.48550/arXiv.1810.04805');
      assert.equal(server.requestsTo('s2')[0].path.includes('ARXIV:1810.04805'), true);
      assert.deepEqual(await engine().related({ id: 'x', type: 'article', title: 'x', author: [] }), { ok: false, reason: 'no-identifier' });
    });

    it('keeps the lists a source answered when the other fails', async () => {
      server.behave('s2', { kind: 'rate-limited', status: 429, retryAfter: '60' });
      const result = await engine().related(bert);
      assert.ok(result.ok);
      assert.equal(result.lists.references.works.length, 2);
      assert.deepEqual(result.lists.references.outcomes.map((o) => `${o.source}:${o.status}`), ['openalex:ok', 'semanticscholar:rate-limited']);
    });
  });
});
