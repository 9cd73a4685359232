/**
 * Better BibTeX's JSON-RPC endpoint in the Zotero app (`POST http://localhost:23119/better-bibtex/json-rpc`,
 * JSON-RPC 2.0). Shapes relied on, from Better BibTeX's documentation of its JSON-RPC API:
 *
 *   api.ready()                                  → { betterbibtex: string, zotero: string }
 *   user.groups()                                → [{ id: number, name: string }]   (Zotero's internal
 *                                                   library ids: not group ids; "My Library" is one of them)
 *   item.citationkey(["KEY" | "<libraryID>:KEY"]) → { "<the same string>": citekey | null }
 *   item.export(citekeys, translator, libraryID?) → string (Better BibTeX ≥ 6.7),
 *                                                   or [200, "text/plain", string] (older versions)
 *   item.attachments(citekey, libraryID?)        → [{ open: "zotero://open-pdf/…", path: string, … }]
 *   item.search(terms)                           → CSL-JSON items with `citekey` and `library` (its name)
 *
 * Errors come back as `{ error: { code, message } }`; a Zotero without Better BibTeX answers 404.
 */
import type { ZoteroHttp } from './http';

/** The two export translators LitCite asks for: their output is what the user's own exports contain. */
export type BetterBibtexTranslator = 'Better BibTeX' | 'Better BibLaTeX';

/** A JSON-RPC error from Better BibTeX (`code` as it sent it). */
export class BetterBibtexError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'BetterBibtexError';
  }
}

/** One `item.attachments` entry. */
export interface BetterBibtexAttachment {
  /** `zotero://open-pdf/library/items/KEY`. */
  open: string;
  /** The file on this machine. */
  path: string;
}

/** One `item.search` hit. */
export interface BetterBibtexSearchHit {
  citekey: string;
  title?: string;
  /** The library's name (`My Library`, a group's name). */
  library?: string;
}

/** Keys per `item.citationkey` call, so a 10,000-item library is a few small requests. */
const KEYS_PER_CALL = 2000;

/** The URL of Better BibTeX's endpoint next to a local API base URL (`…:23119/api` → `…:23119/better-bibtex/json-rpc`). */
export function betterBibtexUrlFor(localApiUrl: string): string {
  const base = localApiUrl.endsWith('/') ? localApiUrl : `${localApiUrl}/`;
  return new URL('../better-bibtex/json-rpc', base).href;
}

/** A client for Better BibTeX's JSON-RPC methods. */
export class BetterBibtexClient {
  private nextId = 1;

  constructor(private readonly url: string, private readonly http: ZoteroHttp, private readonly timeoutMs?: number) {}

  /** Better BibTeX's and Zotero's versions, or undefined when Better BibTeX is not installed (404). */
  async ready(signal?: AbortSignal): Promise<{ betterbibtex: string; zotero: string } | undefined> {
    const result = await this.call('api.ready', [], signal, true);
    if (result === NOT_INSTALLED) return undefined;
    const value = result as { betterbibtex?: unknown; zotero?: unknown } | undefined;
    return { betterbibtex: String(value?.betterbibtex ?? '?'), zotero: String(value?.zotero ?? '?') };
  }

  /** Zotero's libraries as Better BibTeX numbers them (`user.groups`). */
  async libraries(signal?: AbortSignal): Promise<{ id: number; name: string }[]> {
    const result = await this.call('user.groups', [], signal);
    return Array.isArray(result)
      ? result.filter((l): l is { id: number; name: string } => typeof l?.id === 'number' && typeof l?.name === 'string')
      : [];
  }

  /** Citation keys by Zotero item key; items Better BibTeX has no key for are left out. `libraryId` is Better BibTeX's, for groups. */
  async citationKeys(itemKeys: readonly string[], libraryId?: number, signal?: AbortSignal): Promise<Map<string, string>> {
    const keys = new Map<string, string>();
    for (let i = 0; i < itemKeys.length; i += KEYS_PER_CALL) {
      const chunk = itemKeys.slice(i, i + KEYS_PER_CALL);
      const asked = chunk.map((key) => (libraryId === undefined ? key : `${libraryId}:${key}`));
      const result = await this.call('item.citationkey', [asked], signal);
      if (!result || typeof result !== 'object') continue;
      chunk.forEach((key, index) => {
        const citekey = (result as Record<string, unknown>)[asked[index]];
        if (typeof citekey === 'string' && citekey) keys.set(key, citekey);
      });
    }
    return keys;
  }

  /** The export text for some citation keys, exactly as Better BibTeX produced it. */
  async exportEntries(citekeys: readonly string[], translator: BetterBibtexTranslator, libraryId?: number, signal?: AbortSignal): Promise<string> {
    const params: unknown[] = [citekeys, translator];
    if (libraryId !== undefined) params.push(libraryId);
    const result = await this.call('item.export', params, signal);
    if (typeof result === 'string') return result;
    // Before 6.7: [status, contentType, text].
    if (Array.isArray(result) && typeof result[2] === 'string') return result[2];
    throw new BetterBibtexError(-32603, 'item.export answered with neither text nor [status, type, text]');
  }

  /** An item's attachments by citation key. */
  async attachments(citekey: string, libraryId?: number, signal?: AbortSignal): Promise<BetterBibtexAttachment[]> {
    const params: unknown[] = [citekey];
    if (libraryId !== undefined) params.push(libraryId);
    const result = await this.call('item.attachments', params, signal);
    if (!Array.isArray(result)) return [];
    return result
      .filter((a): a is { open?: unknown; path?: unknown } => !!a && typeof a === 'object')
      .map((a) => ({ open: typeof a.open === 'string' ? a.open : '', path: typeof a.path === 'string' ? a.path : '' }))
      .filter((a) => a.open || a.path);
  }

  /** Zotero's quick search through Better BibTeX, with citation keys. */
  async search(terms: string, signal?: AbortSignal): Promise<BetterBibtexSearchHit[]> {
    const result = await this.call('item.search', [terms], signal);
    if (!Array.isArray(result)) return [];
    return result
      .filter((h): h is Record<string, unknown> => !!h && typeof h === 'object' && typeof (h as { citekey?: unknown }).citekey === 'string')
      .map((h) => ({
        citekey: h.citekey as string,
        title: typeof h.title === 'string' ? h.title : undefined,
        library: typeof h.library === 'string' ? h.library : undefined,
      }));
  }

  private async call(method: string, params: unknown[], signal?: AbortSignal, notInstalledIsAnswer = false): Promise<unknown> {
    const response = await this.http.request(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method, params, id: this.nextId++ }),
      signal,
      timeoutMs: this.timeoutMs,
    });
    if (response.status === 404) {
      if (notInstalledIsAnswer) return NOT_INSTALLED;
      throw new BetterBibtexError(404, 'Better BibTeX is not installed');
    }
    if (response.status !== 200) throw new BetterBibtexError(response.status, `HTTP ${response.status} from Better BibTeX`);
    let reply: unknown;
    try {
      reply = JSON.parse(response.body);
    } catch {
      throw new BetterBibtexError(-32700, 'Better BibTeX answered with something other than JSON');
    }
    const { result, error } = (reply ?? {}) as { result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (error) throw new BetterBibtexError(typeof error.code === 'number' ? error.code : -32603, String(error.message ?? 'unknown error'));
    return result;
  }
}

const NOT_INSTALLED = Symbol('not installed');
