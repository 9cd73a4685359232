// Stands in for arXiv's export API, OpenAlex, Crossref, Semantic Scholar and doi.org on 127.0.0.1,
// answering with the hand-written responses in test/fixtures/online/ (see its README). Plain Node
// http, no vscode: the unit tests and the integration tests in a real VS Code both start it.
//
// Every request is recorded (path, query, headers). A service can be told to misbehave — 429 with
// Retry-After, 503, a slow answer, a malformed body, an empty result, a dropped connection — either
// with `behave(service, …)` or, for tests that can only type a query, by a word in the query:
// `__429__`, `__503__`, `__slow__`, `__malformed__`, `__empty__`, `__drop__`, `__cutoff__`.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

/** The services the server stands in for; also the first path segment of their base URLs. */
export type FixtureService = 'arxiv' | 'openalex' | 'crossref' | 's2' | 'doi';

/** How a service answers until told otherwise. */
export type Behaviour =
  | { kind: 'normal' }
  | { kind: 'empty' }
  | { kind: 'rate-limited'; status?: 429 | 503; retryAfter?: string }
  | { kind: 'unavailable' }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'malformed' }
  | { kind: 'drop' }
  /** Headers and half the body, then the connection closes. */
  | { kind: 'cut-off' }
  /** The normal answer with a `Backoff: <seconds>` header. */
  | { kind: 'backoff'; seconds: number };

/** One request the server received. */
export interface RecordedRequest {
  service: FixtureService | 'unknown';
  method: string;
  /** Path without the service prefix, e.g. `/works`. */
  path: string;
  /** Decoded query parameters (the last value of each). */
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** A running server: base URLs for the engine's options, the request log, and behaviour switches. */
export interface OnlineFixtureServer {
  arxivApiUrl: string;
  openAlexApiUrl: string;
  crossrefApiUrl: string;
  semanticScholarApiUrl: string;
  doiApiUrl: string;
  requests: RecordedRequest[];
  /** Requests to one service. */
  requestsTo(service: FixtureService): RecordedRequest[];
  /** How `service` answers from now on, or for its next `times` requests only. */
  behave(service: FixtureService, behaviour: Behaviour, times?: number): void;
  /** Every service back to normal and the log emptied. */
  reset(): void;
  close(): Promise<void>;
}

/** test/fixtures/online, found from wherever this file was bundled to (out/test/unit, a temp folder) or the working directory. */
function fixtureDir(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'online');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) break;
  }
  return path.join(process.cwd(), 'test', 'fixtures', 'online');
}

const TYPES: Record<string, string> = {
  xml: 'application/atom+xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  csl: 'application/vnd.citationstyles.csl+json; charset=utf-8',
};

/** Which fixture topic a free-text query is about. */
function topicOf(text: string): 'attention' | 'bert' | 'deep-learning' | undefined {
  const lower = text.toLowerCase();
  if (lower.includes('bert')) return 'bert';
  if (lower.includes('attention')) return 'attention';
  if (lower.includes('deep') && lower.includes('learning')) return 'deep-learning';
  return undefined;
}

/** The misbehaviour a query word asks for, if any. */
function behaviourInQuery(text: string): Behaviour | undefined {
  if (text.includes('__429__')) return { kind: 'rate-limited', status: 429, retryAfter: '20' };
  if (text.includes('__503__')) return { kind: 'unavailable' };
  if (text.includes('__slow__')) return { kind: 'slow', delayMs: 30_000 };
  if (text.includes('__malformed__')) return { kind: 'malformed' };
  if (text.includes('__empty__')) return { kind: 'empty' };
  if (text.includes('__drop__')) return { kind: 'drop' };
  if (text.includes('__cutoff__')) return { kind: 'cut-off' };
  return undefined;
}

/** Starts the server on a free port of 127.0.0.1. */
export async function startOnlineServer(): Promise<OnlineFixtureServer> {
  const dir = fixtureDir();
  const requests: RecordedRequest[] = [];
  const behaviours = new Map<FixtureService, { behaviour: Behaviour; times: number }>();
  const open = new Set<http.ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const read = (file: string): string => fs.readFileSync(path.join(dir, file), 'utf8');
  const send = (res: http.ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'Content-Type': type, ...headers }).end(body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, first = '', ...rest] = url.pathname.split('/');
    const service = (['arxiv', 'openalex', 'crossref', 's2', 'doi'] as const).find((s) => s === first);
    const query = Object.fromEntries(url.searchParams.entries());
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : v ?? '']));
    const servicePath = `/${rest.join('/')}`;
    requests.push({ service: service ?? 'unknown', method: req.method ?? 'GET', path: servicePath, query, headers, at: Date.now() });
    if (!service) return send(res, 404, 'text/plain', 'not found');

    open.add(res);
    res.on('close', () => open.delete(res));
    const text = Object.values(query).join(' ') + decodeURIComponent(servicePath);
    const set = behaviours.get(service);
    if (set && --set.times <= 0) behaviours.delete(service);
    const behaviour = behaviourInQuery(text) ?? set?.behaviour ?? { kind: 'normal' };
    const answer = (): void => respond(service, servicePath, url.searchParams, req, res, behaviour);
    if (behaviour.kind === 'slow') {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer();
      }, behaviour.delayMs);
      timers.add(timer);
      return;
    }
    answer();
  });

  function respond(service: FixtureService, servicePath: string, params: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse, behaviour: Behaviour): void {
    switch (behaviour.kind) {
      case 'rate-limited': {
        const status = behaviour.status ?? 429;
        const headers: Record<string, string> = behaviour.retryAfter === undefined ? {} : { 'Retry-After': behaviour.retryAfter };
        const body = service === 's2' ? '{"message": "Too Many Requests"}' : service === 'arxiv' ? 'Rate exceeded.' : '{"status":"error","message":"Too many requests"}';
        return send(res, status, service === 'arxiv' ? 'text/plain' : TYPES.json, body, headers);
      }
      case 'unavailable':
        return send(res, 503, 'text/html', '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>');
      case 'malformed':
        return send(res, 200, service === 'arxiv' ? TYPES.xml : TYPES.json, service === 'arxiv' ? '<html><body>Bad gateway</body></html>' : '{"results": [{"title": "cut off');
      case 'drop':
        res.socket?.destroy();
        return;
      case 'cut-off':
        res.writeHead(200, { 'Content-Type': TYPES.json, 'Content-Length': '4000' });
        res.write('{"results": [{"title": "half');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      default:
        break;
    }
    const empty = behaviour.kind === 'empty';
    const extra: Record<string, string> = behaviour.kind === 'backoff' ? { Backoff: String(behaviour.seconds) } : {};
    const found = route(service, servicePath, params, req, empty);
    if (!found) return send(res, 404, service === 'doi' ? 'text/html' : TYPES.json, service === 'doi' ? '<html><body>DOI Not Found</body></html>' : '{"error": "Not found"}');
    send(res, found.status ?? 200, found.type, found.body, extra);
  }

  /** The fixture answering a request, or undefined for a 404. */
  function route(service: FixtureService, servicePath: string, params: URLSearchParams, req: http.IncomingMessage, empty: boolean): { type: string; body: string; status?: number } | undefined {
    const json = (file: string) => ({ type: TYPES.json, body: read(file) });
    switch (service) {
      case 'arxiv': {
        if (servicePath !== '/api/query') return undefined;
        if (Number(params.get('start') ?? '0') < 0) return { type: TYPES.xml, body: read('arxiv-error.xml') };
        const ids = (params.get('id_list') ?? '').split(',').map((id) => id.trim().replace(/v\d+$/, '')).filter(Boolean);
        if (ids.length) {
          const file = `arxiv-id-${ids[0]}.xml`;
          return { type: TYPES.xml, body: !empty && ids.length === 1 && fs.existsSync(path.join(dir, file)) ? read(file) : read('arxiv-empty.xml') };
        }
        const topic = empty ? undefined : topicOf(params.get('search_query') ?? '');
        return { type: TYPES.xml, body: read(topic === 'attention' || topic === 'bert' ? `arxiv-search-${topic}.xml` : 'arxiv-empty.xml') };
      }
      case 'openalex': {
        if (params.has('per_pag')) return { ...json('openalex-error.json'), status: 400 };
        const single = /^\/works\/(.+)$/.exec(servicePath);
        if (single) {
          const id = decodeURIComponent(single[1]).toLowerCase();
          return !empty && (id === 'w2963341956' || id === 'doi:10.18653/v1/n19-1423' || id === 'https://doi.org/10.18653/v1/n19-1423') ? json('openalex-work-W2963341956.json') : undefined;
        }
        if (servicePath !== '/works') return undefined;
        if (empty) return json('openalex-empty.json');
        const filter = params.get('filter') ?? '';
        if (filter === 'cites:W2963341956') return json('openalex-citing-W2963341956.json');
        if (filter.startsWith('openalex:')) {
          const ids = filter.slice('openalex:'.length).split('|');
          if (ids.includes('W2963403868')) return json('openalex-references-W2963341956.json');
          if (ids.includes('W2965373594')) return json('openalex-related-W2963341956.json');
          return json('openalex-empty.json');
        }
        const topic = topicOf(params.get('search') ?? '');
        return json(topic ? `openalex-search-${topic}.json` : 'openalex-empty.json');
      }
      case 'crossref': {
        if (servicePath !== '/works') return undefined;
        if (params.has('query.title')) return { ...json('crossref-error.json'), status: 400 };
        const topic = empty ? undefined : topicOf(params.get('query.bibliographic') ?? '');
        return json(topic === 'bert' || topic === 'deep-learning' ? `crossref-search-${topic}.json` : 'crossref-empty.json');
      }
      case 's2': {
        if (params.get('fields')?.includes('venu,') || params.get('fields')?.endsWith('venu')) return { ...json('s2-error.json'), status: 400 };
        if (servicePath === '/graph/v1/paper/search') {
          const topic = empty ? undefined : topicOf(params.get('query') ?? '');
          return json(topic === 'attention' || topic === 'bert' ? `s2-search-${topic}.json` : 's2-empty.json');
        }
        const related = /^\/(?:graph\/v1\/paper|recommendations\/v1\/papers\/forpaper)\/(.+?)(?:\/(references|citations))?$/.exec(servicePath);
        if (!related) return undefined;
        const id = decodeURIComponent(related[1]).toLowerCase();
        const isBert = id === 'doi:10.18653/v1/n19-1423' || id === 'arxiv:1810.04805' || id === 'df2b0e26d0599ce3e70df8a9da02e51594e0e992';
        if (!isBert || empty) return servicePath.startsWith('/recommendations') ? { type: TYPES.json, body: '{"recommendedPapers": []}' } : { type: TYPES.json, body: '{"offset": 0, "data": []}' };
        if (servicePath.startsWith('/recommendations')) return json('s2-recommendations-bert.json');
        return json(related[2] === 'citations' ? 's2-citations-bert.json' : 's2-references-bert.json');
      }
      case 'doi': {
        const doi = decodeURIComponent(servicePath.slice(1)).toLowerCase();
        if (empty || doi !== '10.18653/v1/n19-1423') return undefined;
        if (!(req.headers.accept ?? '').includes('application/vnd.citationstyles.csl+json')) return { type: 'text/html', body: '<html><body>N19-1423</body></html>' };
        return { type: TYPES.csl, body: read('doi-10.18653_v1_n19-1423.json') };
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    arxivApiUrl: `${base}/arxiv/api/query`,
    openAlexApiUrl: `${base}/openalex`,
    crossrefApiUrl: `${base}/crossref`,
    semanticScholarApiUrl: `${base}/s2`,
    doiApiUrl: `${base}/doi`,
    requests,
    requestsTo: (service) => requests.filter((r) => r.service === service),
    behave: (service, behaviour, times = Number.POSITIVE_INFINITY) => void behaviours.set(service, { behaviour, times }),
    reset: () => {
      behaviours.clear();
      requests.length = 0;
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      for (const res of open) res.destroy();
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
