import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addPaper, createCliEngine, formatRelatedText, formatSearchText, onlineOptionsFromEnv, onlineSearch, parseSourcesOption, relatedPapers } from '../../src/cli/online';
import type { Paper } from '../../src/core/types';
import { OnlineEngine } from '../../src/node/online/engine';
import { type OnlineFixtureServer, startOnlineServer } from '../servers/online-server';
import { defaultCacheDir } from '../../src/node/cache-dir';

describe('online CLI settings', () => {
  it('reads base URLs, keys, the contact address and the cache folder from LITCITE_* variables', () => {
    const options = onlineOptionsFromEnv({
      LITCITE_ARXIV_API_URL: 'http://127.0.0.1:1/arxiv/api/query',
      LITCITE_OPENALEX_API_URL: 'http://127.0.0.1:1/openalex',
      LITCITE_CROSSREF_API_URL: 'http://127.0.0.1:1/crossref',
      LITCITE_SEMANTIC_SCHOLAR_API_URL: 'http://127.0.0.1:1/s2',
      LITCITE_DOI_API_URL: 'http://127.0.0.1:1/doi',
      LITCITE_OPENALEX_API_KEY: 'oa',
      LITCITE_SEMANTIC_SCHOLAR_API_KEY: ' s2 ',
      LITCITE_CONTACT_EMAIL: 'me@example.org',
      LITCITE_CACHE_DIR: '/tmp/litcite-cache',
    }, 'linux', '/home/me');
    assert.deepEqual(options, {
      urls: { arxiv: 'http://127.0.0.1:1/arxiv/api/query', openalex: 'http://127.0.0.1:1/openalex', crossref: 'http://127.0.0.1:1/crossref', semanticscholar: 'http://127.0.0.1:1/s2', doi: 'http://127.0.0.1:1/doi' },
      cacheDir: '/tmp/litcite-cache',
      contactEmail: 'me@example.org',
      openAlexApiKey: 'oa',
      semanticScholarApiKey: 's2',
    });
    assert.deepEqual(onlineOptionsFromEnv({ LITCITE_CONTACT_EMAIL: '  ' }, 'linux', '/home/me'), { urls: {}, cacheDir: '/home/me/.cache/litcite' });
  });

  it('caches in the user cache folder of each system', () => {
    assert.equal(defaultCacheDir({}, 'linux', '/home/me'), '/home/me/.cache/litcite');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }, 'linux', '/home/me'), '/var/cache/me/litcite');
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/me'), '/home/me/.cache/litcite', 'a relative XDG_CACHE_HOME is ignored');
    assert.equal(defaultCacheDir({}, 'darwin', '/Users/me'), '/Users/me/Library/Caches/litcite');
    assert.equal(defaultCacheDir({ LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' }, 'win32', 'C:\\Users\\me'), 'C:\\Users\\me\\AppData\\Local\\litcite\\Cache');
    assert.equal(defaultCacheDir({ LITCITE_CACHE_DIR: '/tmp/lc', XDG_CACHE_HOME: '/x' }, 'linux', '/home/me'), '/tmp/lc', 'LITCITE_CACHE_DIR wins');
  });

  it('reads --sources', () => {
    assert.deepEqual(parseSourcesOption(undefined), { ok: true, sources: ['openalex', 'semanticscholar', 'crossref', 'arxiv'] });
    assert.deepEqual(parseSourcesOption('arxiv, Crossref,s2,semantic-scholar'), { ok: true, sources: ['arxiv', 'crossref', 'semanticscholar'] });
    assert.deepEqual(parseSourcesOption('arxiv,pubmed'), { ok: false, message: "unknown source 'pubmed' in --sources (sources: openalex, semanticscholar, crossref, arxiv)" });
    assert.equal(parseSourcesOption(',').ok, false);
  });
});

describe('online CLI commands', () => {
  let server: OnlineFixtureServer;
  let cacheDir: string;
  before(async () => { server = await startOnlineServer(); });
  after(() => server.close());
  beforeEach(() => {
    server.reset();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cli-'));
  });
  const engines: OnlineEngine[] = [];
  afterEach(async () => {
    // Cache writes still in flight would land in the folder being removed.
    await Promise.all(engines.splice(0).map((e) => e.idle()));
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => ({
    LITCITE_ARXIV_API_URL: server.arxivApiUrl,
    LITCITE_OPENALEX_API_URL: server.openAlexApiUrl,
    LITCITE_CROSSREF_API_URL: server.crossrefApiUrl,
    LITCITE_SEMANTIC_SCHOLAR_API_URL: server.semanticScholarApiUrl,
    LITCITE_DOI_API_URL: server.doiApiUrl,
    LITCITE_CACHE_DIR: cacheDir,
  });
  /** The CLI's engine with arXiv's 3 s spacing relaxed, so the suite does not wait for it. */
  const engine = (sources?: Parameters<typeof createCliEngine>[0]): OnlineEngine => {
    const fast = { minIntervalMs: 0, maxConcurrent: 4 };
    const online = new OnlineEngine({ ...onlineOptionsFromEnv(env()), sources, enabled: true, pacing: { arxiv: fast, semanticscholar: fast } });
    engines.push(online);
    return online;
  };

  const library: Paper[] = [
    { id: 'devlin2019bert', type: 'paper-conference', title: 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding', author: [{ family: 'Devlin', given: 'Jacob' }], issued: { 'date-parts': [[2019]] }, DOI: '10.18653/v1/N19-1423', source: 'refs.bib', origin: 'library' },
    { id: 'lee2023teaching', type: 'article', title: 'Teaching Arithmetic to Small Transformers', author: [{ family: 'Lee', given: 'Nayoung' }], arxiv: '2307.03381', source: 'bundled', origin: 'bundled' },
  ];

  it('createCliEngine reads the environment (the --online flag is the consent)', async () => {
    const online = createCliEngine(['crossref'], env());
    engines.push(online);
    const outcomes = [];
    for await (const outcome of online.searchOnline('bert')) outcomes.push(outcome);
    assert.equal(outcomes.length, 1);
    assert.equal(server.requestsTo('crossref').length, 1);
  });

  it('search --online: local hits first, then online works, each once, with keys, sources and origin', async () => {
    const result = await onlineSearch('bert', { engine: engine(), library, localHits: [library[1]], limit: 10 });
    assert.deepEqual(result.items.map((i) => [i.key, i.origin, i.sources.join('+')]), [
      ['lee2023teaching', 'bundled', ''],
      ['devlin2019bert', 'library', 'openalex+semanticscholar+crossref+arxiv'],
      ['liu2019roberta', 'online', 'openalex+semanticscholar'],
      ['peters2018deep', 'online', 'crossref'],
    ]);
    const roberta = result.items[2];
    assert.deepEqual(Object.keys(roberta), ['key', 'title', 'authors', 'year', 'venue', 'doi', 'arxiv', 'abstract', 'sources', 'origin']);
    assert.equal(roberta.arxiv, '1907.11692');
    assert.equal(roberta.year, 2019);
    assert.equal(roberta.authors[0], 'Yinhan Liu');
    assert.ok(roberta.abstract?.startsWith('Language model pretraining'));
    assert.equal(result.allFailed, false);
    assert.deepEqual([...result.status].sort(), ['Crossref: 2 results', 'OpenAlex: 2 results', 'Semantic Scholar: 2 results', 'arXiv: 1 result']);
    const text = formatSearchText(result.items);
    assert.match(text, /^ 1\. Teaching Arithmetic to Small Transformers\n {4}lee2023teaching · Nayoung Lee · 2023|^ 1\. Teaching Arithmetic to Small Transformers\n {4}lee2023teaching · /);
    assert.match(text, / 3\. RoBERTa: A Robustly Optimized BERT Pretraining Approach\n {4}liu2019roberta · .* · online: OpenAlex, Semantic Scholar/);
  });

  it('search --online says when every source failed', async () => {
    for (const service of ['arxiv', 'openalex', 'crossref', 's2'] as const) server.behave(service, { kind: 'unavailable' });
    const result = await onlineSearch('bert', { engine: engine(), library: [], limit: 5 });
    assert.equal(result.items.length, 0);
    assert.equal(result.allFailed, true);
    assert.ok(result.status.every((line) => /answered HTTP 503$/.test(line)), result.status.join('\n'));
  });

  it('add: fetches by DOI and makes the entry under a key unique in the target file', async () => {
    const result = await addPaper('https://doi.org/10.18653/v1/N19-1423', { engine: engine(), targetKeys: ['devlin2019bert'], library: [] });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.key, 'devlin2019berta');
    assert.match(result.entry, /^@inproceedings\{devlin2019berta,\n/);
    assert.match(result.entry, /doi = \{10\.18653\/v1\/n19-1423\}/i);
    assert.match(result.entry, /pages = \{4171--4186\}/);
    assert.equal(result.paper.id, 'devlin2019berta');
  });

  it('add: keeps the key the library shows for the paper, and refuses one the file has without asking the server', async () => {
    const reused = await addPaper('10.18653/v1/N19-1423', { engine: engine(), targetKeys: [], library });
    assert.ok(reused.ok);
    assert.equal(reused.key, 'devlin2019bert');
    server.reset();
    const duplicate = await addPaper('https://doi.org/10.18653/v1/n19-1423', { engine: engine(), targetKeys: ['devlin2019bert'], targetPapers: [library[0]] });
    assert.deepEqual(duplicate, { ok: false, reason: 'duplicate', key: 'devlin2019bert', message: 'doi:10.18653/v1/n19-1423 is already in the file as devlin2019bert' });
    assert.equal(server.requests.length, 0);
  });

  it('add: by arXiv id, with the entry writer the caller chooses; and says what went wrong', async () => {
    const written: Paper[] = [];
    const result = await addPaper('arXiv:1706.03762', { engine: engine(), targetKeys: [], formatEntry: (paper) => { written.push(paper); return `@misc{${paper.id}}\n`; } });
    assert.ok(result.ok);
    assert.equal(result.key, 'vaswani2017attention');
    assert.equal(result.entry, '@misc{vaswani2017attention}\n');
    assert.equal(written[0].arxiv, '1706.03762');
    const bad = await addPaper('attention is all you need', { engine: engine(), targetKeys: [] });
    assert.equal(!bad.ok && bad.reason, 'not-an-identifier');
    const missing = await addPaper('10.1000/nothing', { engine: engine(), targetKeys: [] });
    assert.deepEqual(missing, { ok: false, reason: 'not-found', message: 'no paper found for doi:10.1000/nothing' });
    server.behave('doi', { kind: 'rate-limited', status: 429, retryAfter: '20' });
    const limited = await addPaper('10.1000/other', { engine: engine(), targetKeys: [] });
    assert.equal(!limited.ok && limited.reason, 'failed');
    assert.match(!limited.ok ? limited.message : '', /^could not look up doi:10\.1000\/other: DOI resolver: rate-limited, try again in 20 s$/);
  });

  it('related: by library key, by DOI; lists with keys; unknown input explained', async () => {
    const byKey = await relatedPapers('devlin2019bert', { engine: engine(), library });
    assert.ok(byKey.ok, JSON.stringify(byKey));
    assert.equal(byKey.paper.key, 'devlin2019bert');
    assert.deepEqual(byKey.lists.references.map((i) => i.key), ['vaswani2017attention', 'peters2018deep', 'radford2018improving']);
    assert.deepEqual(byKey.lists.citing.map((i) => i.key), ['liu2019roberta']);
    assert.equal(byKey.status.length, 6);
    const text = formatRelatedText(byKey);
    assert.match(text, /^BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding\n {4}devlin2019bert\n\nReferences \(3\)\n 1\. Attention is All you Need/);
    assert.match(text, /\nCited by \(1\)\n 1\. RoBERTa/);

    const byDoi = await relatedPapers('10.18653/v1/N19-1423', { engine: engine(), library: [] });
    assert.ok(byDoi.ok);
    assert.equal(byDoi.paper.origin, 'online');
    assert.equal(byDoi.paper.title, 'BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding');
    assert.equal(byDoi.lists.recommended.length, 2);

    const unknown = await relatedPapers('nokey', { engine: engine(), library });
    assert.deepEqual(unknown, { ok: false, reason: 'unknown', message: "'nokey' is not a key in the library, a DOI or an arXiv id" });
    const noIds = await relatedPapers('lee2023teaching', { engine: engine(), library: [{ ...library[1], arxiv: undefined }] });
    assert.equal(!noIds.ok && noIds.reason, 'no-identifier');
  });
});
