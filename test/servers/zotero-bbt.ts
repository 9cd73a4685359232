// The fake Better BibTeX: its JSON-RPC methods over the fake's libraries, with keys and exports
// from test/fixtures/zotero/better-bibtex.json and made-up ones for items the fixture does not list.
import { attachmentFile, type FakeLibrary } from './zotero-store';

/** test/fixtures/zotero/better-bibtex.json */
export interface BbtFixture {
  version: { betterbibtex: string; zotero: string };
  /** Better BibTeX's (Zotero's internal) library ids, which are not group ids. */
  libraries: { id: number; name: string; ref: string }[];
  citekeys: Record<string, Record<string, string>>;
  exports: Record<string, Record<string, string>>;
}

const INVALID_PARAMS = -32602;
const METHOD_NOT_FOUND = -32601;
const TRANSLATORS = new Set(['Better BibTeX', 'Better BibLaTeX']);

class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** Better BibTeX as the fake serves it. */
export class FakeBetterBibtex {
  /** Answer `item.export` the way Better BibTeX before 6.7 did: `[200, 'text/plain', text]`. */
  legacyExportShape = false;
  private readonly keys = new Map<string, { byItem: Map<string, string>; taken: Set<string> }>();
  private readonly libraryIds = new Map<string, number>();

  constructor(private readonly fixture: BbtFixture, private readonly libraries: readonly FakeLibrary[], private readonly storageDir: string) {
    libraries.forEach((library, index) => {
      const listed = fixture.libraries.find((l) => l.ref === library.ref);
      this.libraryIds.set(library.ref, listed?.id ?? index + 1);
    });
  }

  /** The key Better BibTeX has for an item, made up (and remembered) when the fixture has none. */
  citekey(library: FakeLibrary, itemKey: string): string | undefined {
    const item = library.items.get(itemKey);
    if (!item || item.data.itemType === 'note' || item.data.itemType === 'attachment' || typeof item.data.parentItem === 'string') return undefined;
    let keys = this.keys.get(library.ref);
    if (!keys) {
      const byItem = new Map(Object.entries(this.fixture.citekeys[library.ref] ?? {}));
      keys = { byItem, taken: new Set(byItem.values()) };
      this.keys.set(library.ref, keys);
    }
    let key = keys.byItem.get(itemKey);
    if (!key) {
      const base = madeUpKey(item.data);
      key = base;
      for (let i = 0; keys.taken.has(key); i++) key = base + String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26));
      keys.byItem.set(itemKey, key);
      keys.taken.add(key);
    }
    return key;
  }

  /** What `item.export` returns for these keys: the fixture's entry, or a made-up one, joined as Better BibTeX joins them. */
  exportText(citekeys: readonly string[], translator: string, library: FakeLibrary): string {
    return citekeys.map((citekey) => {
      const fixed = this.fixture.exports[citekey]?.[translator];
      if (fixed) return fixed;
      const item = this.itemFor(library, citekey);
      if (!item) throw new RpcError(INVALID_PARAMS, `${citekey} not found`);
      return madeUpEntry(citekey, item.data, translator === 'Better BibLaTeX');
    }).join('\n');
  }

  private itemFor(library: FakeLibrary, citekey: string) {
    for (const item of library.items.values()) if (this.citekey(library, item.key) === citekey) return item;
    return undefined;
  }

  private libraryById(id: unknown): FakeLibrary | undefined {
    if (id === undefined || id === null) return this.libraries.find((l) => l.type === 'user');
    return this.libraries.find((l) => this.libraryIds.get(l.ref) === Number(id) || l.name === id);
  }

  /** Answers one JSON-RPC request object (or a batch). */
  handle(body: unknown): unknown {
    if (Array.isArray(body)) return body.map((request) => this.handle(request));
    if (!body || typeof body !== 'object' || (body as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
      return { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null };
    }
    const request = body as { method?: unknown; params?: unknown; id?: unknown };
    const params = Array.isArray(request.params) ? request.params : request.params === undefined ? [] : [request.params];
    try {
      return { jsonrpc: '2.0', result: this.call(String(request.method), params), id: request.id ?? null };
    } catch (err) {
      const code = err instanceof RpcError ? err.code : -32603;
      return { jsonrpc: '2.0', error: { code, message: (err as Error).message }, id: null };
    }
  }

  private call(method: string, params: unknown[]): unknown {
    switch (method) {
      case 'api.ready':
        return this.fixture.version;
      case 'user.groups':
        return this.libraries.map((l) => ({ id: this.libraryIds.get(l.ref), name: l.type === 'user' ? 'My Library' : l.name }));
      case 'item.citationkey': {
        const result: Record<string, string | null> = {};
        for (const entry of asArray(params[0])) {
          const text = String(entry);
          const [id, itemKey] = text.includes(':') ? text.split(':') : [undefined, text];
          const library = this.libraryById(id);
          result[text] = (library && this.citekey(library, itemKey)) ?? null;
        }
        return result;
      }
      case 'item.export': {
        const [citekeys, translator, libraryId] = params;
        if (typeof translator !== 'string' || !TRANSLATORS.has(translator)) throw new RpcError(INVALID_PARAMS, `unknown translator ${String(translator)}`);
        const library = this.libraryById(libraryId);
        if (!library) throw new RpcError(INVALID_PARAMS, `library ${String(libraryId)} not found`);
        const text = this.exportText(asArray(citekeys).map(String), translator, library);
        return this.legacyExportShape ? [200, 'text/plain', text] : text;
      }
      case 'item.attachments': {
        const [citekey, libraryId] = params;
        const library = this.libraryById(libraryId);
        const item = library && this.itemFor(library, String(citekey).replace(/^@/, ''));
        if (!library || !item) throw new RpcError(INVALID_PARAMS, `${String(citekey)} not found`);
        const prefix = library.type === 'user' ? 'library' : `groups/${library.id}`;
        return library.childrenOf(item.key)
          .filter((child) => child.data.itemType === 'attachment')
          .map((child) => ({ open: `zotero://open-pdf/${prefix}/items/${child.key}`, path: attachmentFile(child.data, child.key, this.storageDir) ?? '' }));
      }
      case 'item.search': {
        const terms = String(typeof params[0] === 'string' ? params[0] : '').toLowerCase();
        const found: unknown[] = [];
        for (const library of this.libraries) {
          for (const item of library.items.values()) {
            const citekey = this.citekey(library, item.key);
            if (!citekey || !String(item.data.title ?? '').toLowerCase().includes(terms)) continue;
            found.push({ id: `${library.id}/${item.key}`, type: 'article', title: item.data.title, citekey, library: library.type === 'user' ? 'My Library' : library.name });
          }
        }
        return found;
      }
      default:
        throw new RpcError(METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
  }
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A Better BibTeX-style key (`auth` + three title words + year) for an item the fixture does not list. */
function madeUpKey(data: Record<string, unknown>): string {
  const creators = Array.isArray(data.creators) ? (data.creators as Record<string, unknown>[]) : [];
  const family = String(creators[0]?.lastName ?? creators[0]?.name ?? 'anon').normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
  const words = String(data.title ?? '').normalize('NFD').replace(/[^A-Za-z0-9 ]/g, '').split(' ').filter((w) => w.length > 3).slice(0, 3);
  const year = /\d{4}/.exec(String(data.date ?? ''))?.[0] ?? '';
  return family + words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('') + year;
}

/** A plausible Better BibTeX entry for a made-up item. */
function madeUpEntry(citekey: string, data: Record<string, unknown>, biblatex: boolean): string {
  const types: Record<string, string> = { journalArticle: 'article', conferencePaper: 'inproceedings', bookSection: 'incollection', book: 'book', thesis: biblatex ? 'thesis' : 'phdthesis', report: biblatex ? 'report' : 'techreport', preprint: biblatex ? 'online' : 'misc' };
  const creators = Array.isArray(data.creators) ? (data.creators as Record<string, unknown>[]) : [];
  const authors = creators.map((c) => (c.name ? `{${String(c.name)}}` : `${String(c.lastName ?? '')}, ${String(c.firstName ?? '')}`)).join(' and ');
  const year = /\d{4}/.exec(String(data.date ?? ''))?.[0];
  const fields = [
    `  title = {${String(data.title ?? '')}}`,
    authors ? `  author = {${authors}}` : '',
    year ? (biblatex ? `  date = {${year}}` : `  year = {${year}}`) : '',
    data.publicationTitle ? `  ${biblatex ? 'journaltitle' : 'journal'} = {${String(data.publicationTitle)}}` : '',
  ].filter(Boolean);
  return `@${types[String(data.itemType)] ?? 'misc'}{${citekey},\n${fields.join(',\n')}\n}\n`;
}
