// Stands in for arXiv's export API and doi.org (content negotiation, redirected to Crossref) on
// 127.0.0.1, answering with the recorded responses in test/fixtures/http/.
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'http');
const CSL = 'application/vnd.citationstyles.csl+json';
const KNOWN_DOIS: Record<string, string> = {
  '10.18653/v1/2024.acl-long.468': 'crossref-10.18653_v1_2024.acl-long.468.json',
};

/** A running fixture server: base URLs for the settings, and which paths were asked for. */
export interface FixtureServer {
  /** `litcite.arxivApiUrl` value. */
  arxivApiUrl: string;
  /** `litcite.doiApiUrl` value. */
  doiApiUrl: string;
  /** An arXiv API URL that never answers (for timeouts). */
  slowArxivApiUrl: string;
  /** Every request path with its query, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts the server on a free port. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const requests: string[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname + url.search);
    if (url.pathname.startsWith('/slow/')) {
      // Never answers: the client's timeout has to end it.
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (url.pathname === '/arxiv/api/query') return arxiv(url, res);
    if (url.pathname.startsWith('/doi/')) return doi(decodeURIComponent(url.pathname.slice('/doi/'.length)), req, res);
    const transform = /^\/crossref\/v1\/works\/(.+)\/transform$/.exec(url.pathname);
    if (transform) return crossref(decodeURIComponent(transform[1]), req, res);
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    arxivApiUrl: `${base}/arxiv/api/query`,
    doiApiUrl: `${base}/doi`,
    slowArxivApiUrl: `${base}/slow/api/query`,
    requests,
    close: () => {
      for (const res of hanging) res.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, status: number, type: string, file: string): void {
  res.writeHead(status, { 'Content-Type': type }).end(fs.readFileSync(path.join(FIXTURES, file)));
}

/** arXiv answers 200 with a feed in every case: the paper, an empty feed, or an error entry. */
function arxiv(url: URL, res: http.ServerResponse): void {
  const id = (url.searchParams.get('id_list') ?? '').replace(/v\d+$/, '');
  const type = 'application/atom+xml; charset=utf-8';
  if (id === '2307.03381') return send(res, 200, type, 'arxiv-2307.03381.xml');
  if (!/^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/.test(id)) return send(res, 200, type, 'arxiv-error.xml');
  send(res, 200, type, 'arxiv-no-results.xml');
}

/** doi.org redirects a known DOI to its registration agency's API, and has a "not found" page otherwise. */
function doi(name: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!KNOWN_DOIS[name]) {
    res.writeHead(404, { 'Content-Type': 'text/html;charset=utf-8' }).end(`<html><head><title>Error: DOI Not Found</title></head><body><h1>DOI Not Found</h1><p>${name}</p></body></html>`);
    return;
  }
  const accept = req.headers.accept ?? '';
  const location = accept.includes(CSL) ? `/crossref/v1/works/${encodeURIComponent(name)}/transform` : `https://aclanthology.org/${name.split('/').pop()}`;
  res.writeHead(302, { Location: location, 'Content-Type': 'text/html;charset=utf-8' }).end(`<html><head><title>Handle Redirect</title></head><body><a href="${location}">${location}</a></body></html>`);
}

function crossref(name: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const file = KNOWN_DOIS[name];
  if (!file) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Resource not found.');
  if (!(req.headers.accept ?? '').includes(CSL)) return void res.writeHead(406, { 'Content-Type': 'text/plain' }).end('Not acceptable');
  send(res, 200, CSL, file);
}
