/**
 * Formatting CSL-JSON items with a registered style and locale (citeproc-js through
 * `@citation-js/plugin-csl`): one bibliography entry, a bibliography, and a document's citations
 * with its reference list. Get a formatter from `StyleRegistry.formatter(style, locale)`.
 *
 * A document's citations are rendered with citeproc's `makeCitationCluster` after registering
 * every cited item once (numbers follow the order of first citation; disambiguation sees all
 * items), not with `rebuildProcessorState`, which re-walks every earlier citation for each new
 * one (2,500 citations took 1.1–3.1 s). The price: citeproc's position tests (`ibid`,
 * `subsequent`) see every citation as a first one, which only note styles use. Rendered
 * citations are cached per item set, so re-rendering an edited document formats only what changed.
 */
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-csl';
import { OTHERS_NAME, type CslItem } from './csl-json';
import { localeTermForms } from './csl-xml';
import { citationNumbers, linkParts, markCitationPart, refHref } from './citation-links';
import { hashText } from './hash';
import { htmlToText, sanitizeFormattedHtml } from './html';
import { locatorTerms, type LocatorLabel, type LocatorTerms } from './locator';
import type { LoadedStyle, StyleInfo } from './styles';

/** Plain text, or HTML that is safe to insert (see html.ts). */
export type OutputFormat = 'text' | 'html';

export interface EntryOptions {
  format?: OutputFormat;
  /** Keep a numeric style's label (`[1]`) in front of the entry. Default true. */
  label?: boolean;
}

export interface BibliographyOptions extends EntryOptions {
  /** `style`: the style's own order (and numbers); `given`: the order of the items passed. Default `style`. */
  order?: 'style' | 'given';
}

/** One formatted bibliography entry. */
export interface FormattedEntry {
  id: string;
  /** In the requested format; HTML without the `csl-entry` wrapper. */
  content: string;
}

/** One cited work inside a citation. Affixes are CSL rich text: `<i>`, `<b>`, `<sup>`, `<sub>` tags; other characters are text. */
export interface CiteItem {
  id: string;
  prefix?: string;
  suffix?: string;
  locator?: string;
  label?: LocatorLabel;
  /** `[-@key]`: the year (or number) without the author. */
  suppressAuthor?: boolean;
}

/** One citation: `[@a; @b, p. 3]` is one cluster of two items. */
export interface CitationCluster {
  items: CiteItem[];
  /** Pandoc's author-in-text `@key`: "Doe (2020)" in author-date styles, the plain citation in numeric ones. */
  inText?: boolean;
}

export interface CitationRequest {
  /** Every item cited or listed; clusters may only name these ids. */
  items: CslItem[];
  /** The citations in document order. */
  clusters: CitationCluster[];
  /** Items listed in the bibliography without being cited (Pandoc's `nocite`), after the cited ones. */
  nocite?: string[];
  format?: OutputFormat;
  /** HTML: link each cited work to `#ref-<id>` (Pandoc's `link-citations`). */
  linkCitations?: boolean;
  /** HTML: link URLs and DOIs in entries (Pandoc's `link-bibliography`). Default true. */
  linkBibliography?: boolean;
  /** Also format the reference list. Default true. */
  bibliography?: boolean;
  /**
   * Stop formatting citations not formatted before once this long (ms) has passed since the call
   * (the reference list, formatted first, counts too); the rest are left `pending`. Default: no
   * limit. Citations already formatted for the same items cost next to nothing.
   */
  budgetMs?: number;
}

export interface CitationResult {
  /** One per cluster, in the requested format; `''` for a pending one. */
  citations: string[];
  /** The reference list in the style's order (cited, then nocite); empty when the style has none. */
  bibliography: FormattedEntry[];
  /** Indices of clusters left unformatted because `budgetMs` ran out; ask again to format them. */
  pending: number[];
}

/** The part of a citeproc-js engine LitCite drives (plugin-csl types engines as `any`). */
interface CiteprocEngine {
  updateItems(ids: string[], noSort?: boolean): void;
  makeBibliography(): [{ entry_ids: string[][] }, string[]] | false;
  makeCitationCluster(items: CiteprocCite[]): string;
  setOutputFormat(format: string): void;
  opt: { development_extensions: { wrap_url_and_doi: boolean; apply_citation_wrapper: boolean } };
  sys: { retrieveItem: unknown; wrapCitationEntry?: (text: string, id: string) => string };
  /** citeproc's item registry; `seq` is an item's citation number. */
  registry?: { registry?: Record<string, { seq?: number } | undefined> };
}

interface CiteprocCite {
  id: string;
  prefix?: string;
  suffix?: string;
  locator?: string;
  label?: string;
  'suppress-author'?: boolean;
  'author-only'?: boolean;
}

type EngineFactory = (items: object[], style: string, lang: string | undefined, format: string) => CiteprocEngine;

/** A document's rendered citations for one registered item set. */
interface DocumentState {
  signature: string;
  order: string[];
  clusters: Map<string, string>;
  bibliography?: Map<string, FormattedEntry[]>;
}

/** citeproc's answer when a cite renders to nothing (an author-only cite in a numeric style). */
const NO_PRINTED_FORM = '[NO_PRINTED_FORM]';
/** Item-set states kept per formatter: a few documents can be previewed in turn without re-rendering. */
const DOCUMENT_STATES = 4;
/** Rendered clusters kept per item set. */
const MAX_CACHED_CLUSTERS = 50_000;

/** Formats with one style and locale. Caches what it formats; safe to keep for the extension's lifetime. */
export class CitationFormatter {
  private readonly engine = plugins.config.get('@csl').engine as unknown as EngineFactory;
  private readonly entryCache = new WeakMap<CslItem, Map<string, string>>();
  private readonly fingerprints = new WeakMap<CslItem, string>();
  private readonly preparedCache = new WeakMap<CslItem, CslItem>();
  private readonly states = new Map<string, DocumentState>();
  /** The document engine and the item set it holds; `retrieveItem` changes whenever plugin-csl re-prepares it. */
  private documentEngine?: { engine: CiteprocEngine; retrieveItem: unknown; signature: string };
  /** The engine for single entries and bibliographies, with the items it is currently given. */
  private entryEngine?: { engine: CiteprocEngine; retrieveItem: unknown; items: Map<string, CslItem> };
  private terms?: LocatorTerms;
  private etAl?: string;

  constructor(
    private readonly style: LoadedStyle,
    /** The registered locale used, or undefined for the style's own default. */
    readonly locale: string | undefined,
    private readonly localeXml: string | undefined,
    private readonly fallbackLocaleXml: string | undefined,
  ) {}

  /** The style this formatter formats with. */
  get info(): StyleInfo {
    return this.style.info;
  }

  /** Locator label spellings of this locale (and en-US), for reading Pandoc citations. */
  locatorTerms(): LocatorTerms {
    this.terms ??= locatorTerms(this.localeXml, this.fallbackLocaleXml);
    return this.terms;
  }

  /** One bibliography entry for `item` (a citation-only style gives its citation). Cached per item object. */
  formatEntry(item: CslItem, options: EntryOptions = {}): string {
    const format = options.format ?? 'text';
    const label = options.label ?? true;
    const key = `${format}|${label}`;
    let cached = this.entryCache.get(item);
    const hit = cached?.get(key);
    if (hit !== undefined) return hit;
    let result: string;
    if (this.style.info.hasBibliography) {
      result = this.formatBibliography([item], { format, label })[0]?.content ?? '';
    } else {
      result = this.formatCitations({ items: [item], clusters: [{ items: [{ id: item.id }] }], format, bibliography: false }).citations[0] ?? '';
    }
    if (!cached) this.entryCache.set(item, (cached = new Map()));
    cached.set(key, result);
    return result;
  }

  /** Entries for `items` (duplicate ids once), in the style's order or as given. */
  formatBibliography(items: CslItem[], options: BibliographyOptions = {}): FormattedEntry[] {
    if (!this.style.info.hasBibliography || !items.length) return [];
    const prepared = this.prepareItems(items);
    const engine = this.entryEngineFor(prepared);
    engine.updateItems([...prepared.keys()], options.order === 'given');
    return this.bibliographyEntries(engine, options.format ?? 'text', options.label ?? true, true);
  }

  /**
   * A document's citations and reference list. Clusters already rendered for equal items come
   * from a cache (see {@link signature}); with `budgetMs`, new ones only while time is left.
   */
  formatCitations(request: CitationRequest): CitationResult {
    const started = performance.now();
    const format = request.format ?? 'text';
    const link = format === 'html' && !!request.linkCitations;
    const prepared = this.prepareItems(request.items);
    const order: string[] = [];
    const seen = new Set<string>();
    const note = (id: string): void => {
      if (!seen.has(id) && prepared.has(id)) {
        seen.add(id);
        order.push(id);
      }
    };
    for (const cluster of request.clusters) for (const item of cluster.items) note(item.id);
    for (const id of request.nocite ?? []) note(id);
    const state = this.documentState(this.signature(order, prepared), order);

    // the reference list first: it is bounded by the number of works, and counts against the budget
    let bibliography: FormattedEntry[] = [];
    if ((request.bibliography ?? true) && this.style.info.hasBibliography && order.length) {
      const linkUrls = request.linkBibliography ?? true;
      const key = `${format}|${linkUrls}`;
      state.bibliography ??= new Map();
      let entries = state.bibliography.get(key);
      if (!entries) {
        const engine = this.documentEngineFor(state, prepared);
        entries = this.bibliographyEntries(engine, format, true, linkUrls);
        state.bibliography.set(key, entries);
      }
      bibliography = entries;
    }
    const pending: number[] = [];
    const citations = request.clusters.map((cluster, index) => {
      const items = cluster.items.filter((i) => prepared.has(i.id));
      if (!items.length) return '';
      const key = `${format}|${link}|${cluster.inText ? 1 : 0}|${JSON.stringify(items)}`;
      let text = state.clusters.get(key);
      if (text === undefined) {
        if (request.budgetMs !== undefined && performance.now() - started >= request.budgetMs) {
          pending.push(index);
          return '';
        }
        const engine = this.documentEngineFor(state, prepared);
        text = this.renderCluster(engine, items, !!cluster.inText, format, link);
        // edits leave clusters no longer cited; start over rather than grow without bound
        if (state.clusters.size >= MAX_CACHED_CLUSTERS) state.clusters.clear();
        state.clusters.set(key, text);
      }
      return text;
    });
    return { citations, bibliography, pending };
  }

  // -------------------------------------------------------------------------------------------

  /** Items keyed by id (first of a repeated id wins), copied with what citeproc needs changed. */
  private prepareItems(items: CslItem[]): Map<string, CslItem> {
    const out = new Map<string, CslItem>();
    for (const item of items) {
      if (!item?.id || out.has(item.id)) continue;
      out.set(item.id, this.prepareItem(item));
    }
    return out;
  }

  /**
   * A copy citeproc formats: `system_id` set (its citation wrapper needs it), the abstract dropped
   * (never printed, costly to carry), and a trailing `others` name given the locale's "et al."
   * (citeproc-js would print "others"). Cached per item object, so unchanged items keep their identity.
   */
  private prepareItem(item: CslItem): CslItem {
    const cached = this.preparedCache.get(item);
    if (cached) return cached;
    const copy: CslItem = { ...item, system_id: item.id };
    delete copy.abstract;
    for (const variable of ['author', 'editor'] as const) {
      const names = copy[variable];
      const last = names?.[names.length - 1];
      if (names && last && last.literal === OTHERS_NAME.literal && !last.family) {
        copy[variable] = [...names.slice(0, -1), { literal: this.etAlTerm() }];
      }
    }
    this.preparedCache.set(item, copy);
    return copy;
  }

  private etAlTerm(): string {
    this.etAl ??= [this.localeXml, this.fallbackLocaleXml]
      .map((xml) => (xml ? localeTermForms(xml, new Set(['et-al']))[0]?.text : undefined))
      .find(Boolean) ?? 'et al.';
    return this.etAl;
  }

  /**
   * What a document's rendered citations depend on: the items' contents and, where numbers or
   * the reference list follow first citation (numeric styles, unsorted bibliographies), their
   * order. So re-rendering with equal items, even new objects, reuses what was formatted, and
   * in APA a new first citation does not re-render the rest.
   */
  private signature(order: string[], prepared: Map<string, CslItem>): string {
    const orderMatters = this.style.info.numeric || !this.style.info.sortedBibliography;
    const ids = orderMatters ? order : [...order].sort();
    return ids.map((id) => `${id}\u0000${this.fingerprint(prepared.get(id)!)}`).join('\u0001');
  }

  private fingerprint(item: CslItem): string {
    let print = this.fingerprints.get(item);
    if (print === undefined) {
      const json = JSON.stringify(item);
      this.fingerprints.set(item, (print = `${hashText(json)}:${json.length}`));
    }
    return print;
  }

  private documentState(signature: string, order: string[]): DocumentState {
    let state = this.states.get(signature);
    if (state) {
      // most recently used last
      this.states.delete(signature);
    } else {
      state = { signature, order, clusters: new Map() };
      if (this.states.size >= DOCUMENT_STATES) this.states.delete(this.states.keys().next().value!);
    }
    this.states.set(signature, state);
    return state;
  }

  /**
   * The entry engine, given `items` to look up. plugin-csl prepares an engine by resetting its
   * registry and building a lookup; once prepared, it is reused with LitCite's own lookup for as
   * long as nothing else prepares it (so one entry costs one `updateItems`, not two).
   */
  private entryEngineFor(items: Map<string, CslItem>): CiteprocEngine {
    const current = this.entryEngine;
    if (current && current.engine.sys.retrieveItem === current.retrieveItem) {
      current.items = items;
      current.engine.setOutputFormat('html');
      return current.engine;
    }
    const engine = this.engine([...items.values()], this.style.citeprocName, this.locale, 'html');
    const state = { engine, retrieveItem: undefined as unknown, items };
    const retrieveItem = (id: string): CslItem | undefined => state.items.get(id);
    engine.sys.retrieveItem = retrieveItem;
    state.retrieveItem = retrieveItem;
    this.entryEngine = state;
    return engine;
  }

  /**
   * The document engine holding exactly `state`'s items, registering them again when anything else
   * used it. It always renders HTML; text is derived from that ({@link htmlToText}), so both formats
   * come from one rendering and plain text never loses a literal `<`.
   */
  private documentEngineFor(state: DocumentState, prepared: Map<string, CslItem>): CiteprocEngine {
    const current = this.documentEngine;
    if (current && current.signature === state.signature && current.engine.sys.retrieveItem === current.retrieveItem) {
      current.engine.setOutputFormat('html');
      return current.engine;
    }
    const engine = this.engine([...prepared.values()], this.style.citeprocName, this.locale, 'html');
    engine.updateItems(state.order);
    this.documentEngine = { engine, retrieveItem: engine.sys.retrieveItem, signature: state.signature };
    return engine;
  }

  private renderCluster(engine: CiteprocEngine, items: CiteItem[], inText: boolean, format: OutputFormat, link: boolean): string {
    const cites = items.map(toCiteprocCite);
    const first = items[0]!;
    if (inText && !this.style.info.numeric && items.length === 1 && !first.suppressAuthor) {
      const author = engine.makeCitationCluster([{ ...cites[0]!, 'author-only': true }]);
      if (author && !author.includes(NO_PRINTED_FORM)) {
        const rest = this.cluster(engine, [{ ...cites[0]!, 'suppress-author': true }], format, link ? [first.id] : undefined);
        return rest ? `${this.finish(author, format)} ${rest}` : this.finish(author, format);
      }
    }
    return this.cluster(engine, cites, format, link ? [...new Set(items.map((i) => i.id))] : undefined);
  }

  /** One cluster, finished for the format; with `linkIds`, each work's part links to its entry. */
  private cluster(engine: CiteprocEngine, cites: CiteprocCite[], format: OutputFormat, linkIds: string[] | undefined): string {
    const plain = engine.makeCitationCluster(cites);
    if (plain.includes(NO_PRINTED_FORM)) return '';
    if (!linkIds) return this.finish(plain, format);
    const whole = (): string => sanitizeFormattedHtml(`<a href="${refHref(linkIds[0]!)}" role="doc-biblioref">${plain}</a>`);
    if (linkIds.length === 1) return whole();
    const wrapped = this.withCitationWrapper(engine, () => engine.makeCitationCluster(cites));
    const seq = (id: string): number | undefined => engine.registry?.registry?.[id]?.seq;
    const linked = linkParts(plain, wrapped, linkIds, this.style.info.numeric ? citationNumbers(seq, linkIds) : undefined);
    return linked === undefined ? whole() : sanitizeFormattedHtml(linked);
  }

  /** Renders with citeproc's per-item wrapper marking each work's part with private-use characters. */
  private withCitationWrapper(engine: CiteprocEngine, render: () => string): string {
    const extensions = engine.opt.development_extensions;
    extensions.apply_citation_wrapper = true;
    engine.sys.wrapCitationEntry = markCitationPart;
    try {
      return render();
    } finally {
      extensions.apply_citation_wrapper = false;
      delete engine.sys.wrapCitationEntry;
    }
  }

  private finish(html: string, format: OutputFormat): string {
    return format === 'html' ? sanitizeFormattedHtml(html) : htmlToText(html);
  }

  /** The registered items' entries, rendered as HTML and finished for `format`. */
  private bibliographyEntries(engine: CiteprocEngine, format: OutputFormat, label: boolean, linkUrls: boolean): FormattedEntry[] {
    engine.setOutputFormat('html');
    engine.opt.development_extensions.wrap_url_and_doi = format === 'html' && linkUrls;
    let result: ReturnType<CiteprocEngine['makeBibliography']>;
    try {
      result = engine.makeBibliography();
    } finally {
      engine.opt.development_extensions.wrap_url_and_doi = false;
    }
    if (!result) return [];
    const [meta, entries] = result;
    return entries.map((html, i) => {
      let inner = html.trim().replace(/^<div class="csl-entry">/, '').replace(/<\/div>$/, '').trim();
      if (!label) inner = inner.replace(/^<div class="csl-left-margin">[^<]*<\/div>\s*/, '').replace(/^<div class="csl-right-inline">([\s\S]*)<\/div>$/, '$1');
      return { id: meta.entry_ids[i]?.[0] ?? '', content: this.finish(inner, format) };
    });
  }
}

function toCiteprocCite(item: CiteItem): CiteprocCite {
  const cite: CiteprocCite = { id: item.id };
  if (item.prefix) cite.prefix = item.prefix;
  if (item.suffix) cite.suffix = item.suffix;
  if (item.locator) {
    cite.locator = item.locator;
    cite.label = item.label ?? 'page';
  }
  if (item.suppressAuthor) cite['suppress-author'] = true;
  return cite;
}
