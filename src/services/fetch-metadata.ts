import * as vscode from 'vscode';
import { describeIdentifier, PaperIdentifier, paperFromArxivFeed } from '../core/arxiv';
import { paperFromCslResponse } from '../core/csl';
import type { Paper } from '../core/types';
import { SETTINGS } from '../ids';
import { readConfig } from './config';
import { causeMessage, errorCode } from '../node/online/http';

/** A lookup that found the paper, or why not, in words for the user. */
export type LookupResult =
  | { ok: true; paper: Paper; cached: boolean }
  | { ok: false; reason: 'offline' | 'timeout' | 'not-found' | 'http' | 'bad-response' | 'cancelled'; message: string };

/** How long a lookup may take before it is given up. */
export const LOOKUP_TIMEOUT_MS = 10_000;
const CACHE_KEY = 'litcite.metadataCache';
/** Metadata of a published paper rarely changes; a month keeps repeated adds offline-friendly. */
const CACHE_TTL_MS = 30 * 24 * 3600 * 1000;
const CACHE_LIMIT = 300;
const USER_AGENT = 'LitCite (VS Code extension; https://github.com/litcite/litcite)';

interface CachedPaper {
  at: number;
  paper: Paper;
}

/**
 * Looks papers up on arXiv's export API and by DOI content negotiation (doi.org → Crossref or
 * DataCite CSL-JSON), with a timeout, cancellation and a cache kept across sessions in
 * `globalState`. Only successful answers are cached.
 */
export class MetadataFetcher {
  private readonly memory = new Map<string, CachedPaper>();

  constructor(private readonly state: vscode.Memento) {
    const stored = state.get<Record<string, CachedPaper>>(CACHE_KEY, {});
    for (const [key, value] of Object.entries(stored)) {
      if (Date.now() - value.at < CACHE_TTL_MS) this.memory.set(key, value);
    }
  }

  /** The paper an identifier names, from the cache or the web. `token` cancels the request. */
  async lookup(id: PaperIdentifier, token?: vscode.CancellationToken): Promise<LookupResult> {
    const config = readConfig();
    const url = id.kind === 'arxiv'
      ? `${config.arxivApiUrl}?id_list=${encodeURIComponent(id.id + (id.version ? `v${id.version}` : ''))}&max_results=1`
      : `${trimSlashes(config.doiApiUrl)}/${encodeDoi(id.doi)}`;
    const hit = this.memory.get(url);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) return { ok: true, paper: structuredClone(hit.paper), cached: true };

    const accept = id.kind === 'arxiv' ? 'application/atom+xml' : 'application/vnd.citationstyles.csl+json';
    const setting = `litcite.${id.kind === 'arxiv' ? SETTINGS.arxivApiUrl : SETTINGS.doiApiUrl}`;
    const response = await request(url, accept, setting, token);
    if (!response.ok) return response;
    const { status, statusText, body } = response;
    const host = hostOf(url);
    const what = describeIdentifier(id);
    if (status === 404 || status === 410) {
      return { ok: false, reason: 'not-found', message: id.kind === 'doi' ? `${host} has no record of the DOI ${id.doi} (${status} ${statusText || 'Not Found'}). Check the DOI.` : `${host} has no paper ${what} (${status}).` };
    }
    if (status === 429 || (id.kind === 'arxiv' && /^\s*Rate exceeded/i.test(body))) {
      return { ok: false, reason: 'http', message: `${host} is limiting requests right now; try again in a minute.` };
    }
    if (status < 200 || status >= 300) return { ok: false, reason: 'http', message: `${host} answered ${status} ${statusText} for ${what}.` };

    let paper: Paper;
    if (id.kind === 'arxiv') {
      const read = paperFromArxivFeed(body, id.id);
      if (!read.ok) return { ok: false, reason: read.reason === 'not-found' ? 'not-found' : 'bad-response', message: `${read.message}.` };
      paper = read.paper;
    } else {
      const read = paperFromCslResponse(body, id.doi);
      if (!read.ok) return { ok: false, reason: 'bad-response', message: `${host}: ${read.message}.` };
      paper = read.paper;
      if (!paper.DOI) paper.DOI = id.doi;
    }
    this.remember(url, paper);
    return { ok: true, paper: structuredClone(paper), cached: false };
  }

  private remember(key: string, paper: Paper): void {
    this.memory.set(key, { at: Date.now(), paper });
    const entries = [...this.memory.entries()].sort(([, a], [, b]) => b.at - a.at).slice(0, CACHE_LIMIT);
    void this.state.update(CACHE_KEY, Object.fromEntries(entries));
  }
}

type RawResponse = { ok: true; status: number; statusText: string; body: string } | Extract<LookupResult, { ok: false }>;

/** GET with a timeout and cancellation, errors turned into messages that say what to do. */
async function request(url: string, accept: string, setting: string, token: vscode.CancellationToken | undefined): Promise<RawResponse> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, LOOKUP_TIMEOUT_MS);
  const cancel = token?.onCancellationRequested(() => controller.abort());
  const host = hostOf(url);
  try {
    const response = await fetch(url, { headers: { Accept: accept, 'User-Agent': USER_AGENT }, redirect: 'follow', signal: controller.signal });
    const body = await response.text();
    return { ok: true, status: response.status, statusText: response.statusText, body };
  } catch (err) {
    if (timedOut) return { ok: false, reason: 'timeout', message: `${host} did not answer within ${LOOKUP_TIMEOUT_MS / 1000} seconds. Try again later.` };
    if (token?.isCancellationRequested) return { ok: false, reason: 'cancelled', message: 'The lookup was cancelled.' };
    // fetch rejects only when no HTTP answer came: DNS, refused or reset connections, TLS.
    const why = errorCode(err) ?? causeMessage(err);
    return {
      ok: false,
      reason: 'offline',
      message: `Could not reach ${host}${why ? ` (${why})` : ''}: check the internet connection and the ${setting} setting.`,
    };
  } finally {
    clearTimeout(timer);
    cancel?.dispose();
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** A DOI in a URL path: its `/` stay (doi.org expects them), everything else that needs it is escaped. */
function encodeDoi(doi: string): string {
  return doi.split('/').map(encodeURIComponent).join('/');
}

/** A base URL without its trailing slashes. */
function trimSlashes(url: string): string {
  let end = url.length;
  while (end > 0 && url[end - 1] === '/') end--;
  return url.slice(0, end);
}
