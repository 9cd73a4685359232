/**
 * A markdown-it plugin that renders Pandoc citations as Pandoc with `--citeproc` would: each
 * `[@key]`, `[see @a, p. 33; -@b]`, `@key` and `@key [p. 33]` formatted in the document's style,
 * linked to its entry when `link-citations` is set, unknown keys visibly marked, and a reference
 * list (`<div id="refs">`) at the end, or where the document has `<div id="refs"></div>` or
 * `::: {#refs}` `:::`. Honours the front matter's `nocite` (also `@*`), `suppress-bibliography`,
 * `reference-section-title`, `link-citations`, `link-bibliography` and inline `references:`.
 *
 * Parsing finds citations (VS Code caches the tokens per document version); formatting happens
 * when the tokens are rendered, so a changed `.bib` or style shows on the next render of the same
 * tokens. Rendering is synchronous: the caller's `resolve` and `style` must answer from memory.
 *
 * Front matter: VS Code's preview (1.71+) keeps it in the source and hides it with
 * markdown-it-front-matter, added after extension plugins; this plugin reads the front matter from
 * the source itself, and hides it too when nothing else does (plain markdown-it), emitting the same
 * hidden `front_matter` token. A renderer that strips front matter first loses those options, as
 * Pandoc would without the metadata.
 */
import type MarkdownIt from 'markdown-it';
import { markdownFrontMatter } from '../cite-syntax';
import { paperFromCslItem } from '../csl-read';
import { toCslItem, type CslItem } from '../format/csl-json';
import type { CiteItem, CitationFormatter, CitationRequest } from '../format/format';
import { escapeHtml } from '../format/html';
import { splitLocator, type LocatorTerms } from '../format/locator';
import { documentMeta, frontMatterText, metaFromYaml, type DocumentMeta } from '../format/resolve-style';
import type { YamlMap, YamlValue } from '../format/yaml';
import type { Paper } from '../types';
import { affixToRichText, readBracketCitation, readInTextCitation, type PandocCitation } from './pandoc-citation-syntax';

type Md = MarkdownIt.MarkdownIt;
type Token = MarkdownIt.Token;
type Env = MarkdownIt.Env | undefined;

/** What {@link PandocCitationOptions.resolve} is asked for. */
export interface ReferenceRequest {
  /** Cited and `nocite` keys the front matter's `references:` does not define, in order of first use. */
  keys: string[];
  /** `nocite: '@*'`: also every entry of the document's bibliography files. */
  all: boolean;
  meta: DocumentMeta;
}

/** The style a document is formatted in. */
export interface DocumentStyle {
  formatter: CitationFormatter;
  /** Plain text shown above the reference list, e.g. why the document's `.csl` was not used. */
  notice?: string;
}

export interface PandocCitationOptions {
  /**
   * Papers for the requested keys (the document's bibliographies first, then the library); keys
   * without a paper are shown as unknown. Synchronous. `env` is what the renderer was given
   * (VS Code's holds `currentDocument`).
   */
  resolve(request: ReferenceRequest, env: Env): Paper[];
  /** The formatter for the document (its `csl:`, `_quarto.yml`, settings); undefined shows citations as written. */
  style(meta: DocumentMeta, env: Env): DocumentStyle | undefined;
  /** Link citations to entries when the front matter does not say (Pandoc's default: false). */
  linkCitations?: boolean;
  /**
   * Spend at most this long (ms) per render on citations not formatted before; the rest show as
   * written (class `litcite-pending`) and {@link onPending} is called. Default: no limit.
   * Citations formatted once render from a cache, so later renders are fast either way.
   */
  budgetMs?: number;
  /**
   * After a render that left citations pending: `resume(ms)` formats up to that long more of them
   * and returns true once none are left, when the caller should render the preview again.
   */
  onPending?: (resume: (budgetMs: number) => boolean, env: Env) => void;
}

/** Everything one parse found, shared by the tokens that render it. */
interface CitationDocument {
  meta: DocumentMeta;
  /** The front matter's `references:` as papers. */
  inline: Paper[];
  citations: PandocCitation[];
  sources: string[];
  rendered?: RenderedDocument;
}

interface RenderedDocument {
  citations: string[];
  references: string;
}

interface CitationMeta {
  citation: PandocCitation;
  source: string;
  doc?: CitationDocument;
  index?: number;
}

const CITATION = 'litcite_citation';
const PREPARE = 'litcite_prepare';
const REFERENCES = 'litcite_references';

/** Installs the plugin: `md.use(pandocCitations, options)`, or from VS Code's `extendMarkdownIt(md)`. */
export function pandocCitations(md: Md, options: PandocCitationOptions): void {
  const cslItems = new WeakMap<Paper, CslItem>();
  let lastMeta: { yaml: string | undefined; meta: DocumentMeta; inline: Paper[] } | undefined;

  const metaOf = (src: string): { meta: DocumentMeta; inline: Paper[] } => {
    const yaml = frontMatterText(src);
    if (!lastMeta || lastMeta.yaml !== yaml) {
      const meta = yaml === undefined ? documentMeta('') : metaFromYaml(yaml);
      lastMeta = { yaml, meta, inline: inlineReferences(meta) };
    }
    return lastMeta;
  };

  md.block.ruler.after('fence', 'litcite_front_matter', hideFrontMatter, { alt: [] });

  md.inline.ruler.before('link', CITATION, (state, silent) => {
    const c = state.src.charCodeAt(state.pos);
    if ((c !== 91 /* [ */ && c !== 64 /* @ */) || state.linkLevel > 0) return false;
    const citation = c === 91 ? readBracketCitation(state.src, state.pos, state.posMax) : readInTextCitation(state.src, state.pos, state.posMax);
    if (!citation) return false;
    if (c === 91 && isReferenceLabel(state, citation.end)) return false;
    if (!silent) {
      const token = state.push(CITATION, '', 0);
      const source = state.src.slice(state.pos, citation.end);
      token.content = source;
      token.meta = { litcite: { citation, source } satisfies CitationMeta };
    }
    state.pos = citation.end;
    return true;
  });

  md.core.ruler.after('inline', 'litcite_citations', (state) => {
    if (state.inlineMode) return;
    const citationTokens: Token[] = [];
    for (const token of state.tokens) {
      if (token.type !== 'inline' || !token.children) continue;
      for (const child of token.children) if (child.type === CITATION) citationTokens.push(child);
    }
    const { meta, inline } = metaOf(state.src);
    if (!citationTokens.length && !meta.nocite.keys.length && !meta.nocite.all) return;
    const doc: CitationDocument = { meta, inline, citations: [], sources: [] };
    citationTokens.forEach((token, index) => {
      const data = citationData(token);
      data.doc = doc;
      data.index = index;
      doc.citations.push(data.citation);
      doc.sources.push(data.source);
    });
    const references = new state.Token(REFERENCES, '', 0);
    references.block = true;
    references.meta = { litcite: doc };
    const placeholder = findReferencesPlaceholder(state.tokens);
    if (placeholder) state.tokens.splice(placeholder.index, placeholder.count, references);
    else state.tokens.push(references);
    const prepare = new state.Token(PREPARE, '', 0);
    prepare.hidden = true;
    prepare.meta = { litcite: doc };
    state.tokens.unshift(prepare);
  });

  const render = (doc: CitationDocument, env: Env): RenderedDocument => {
    try {
      return renderDocument(md, doc, env, options, cslItems);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return asWritten(doc, `Citations could not be formatted: ${message}`);
    }
  };

  md.renderer.rules[PREPARE] = (tokens, idx, _options, env) => {
    const doc = documentOf(tokens[idx]!);
    doc.rendered = render(doc, env);
    return '';
  };
  md.renderer.rules[CITATION] = (tokens, idx, _options, env) => {
    const data = citationData(tokens[idx]!);
    if (!data.doc || data.index === undefined) return `<span class="citation">${escapeHtml(data.source)}</span>`;
    data.doc.rendered ??= render(data.doc, env);
    return data.doc.rendered.citations[data.index] ?? escapeHtml(data.source);
  };
  md.renderer.rules[REFERENCES] = (tokens, idx, _options, env) => {
    const doc = documentOf(tokens[idx]!);
    doc.rendered ??= render(doc, env);
    return doc.rendered.references;
  };
}

function citationData(token: Token): CitationMeta {
  return (token.meta as { litcite: CitationMeta }).litcite;
}

function documentOf(token: Token): CitationDocument {
  return (token.meta as { litcite: CitationDocument }).litcite;
}

function renderDocument(
  md: Md,
  doc: CitationDocument,
  env: Env,
  options: PandocCitationOptions,
  cslItems: WeakMap<Paper, CslItem>,
): RenderedDocument {
  const { meta } = doc;
  const style = options.style(meta, env);
  if (!style) return asWritten(doc, undefined);
  const byKey = new Map<string, Paper>();
  for (const paper of doc.inline) if (!byKey.has(paper.id)) byKey.set(paper.id, paper);
  const wanted: string[] = [];
  const seen = new Set<string>();
  for (const key of [...doc.citations.flatMap((c) => c.items.map((i) => i.key)), ...meta.nocite.keys]) {
    if (!seen.has(key)) {
      seen.add(key);
      wanted.push(key);
    }
  }
  const missing = wanted.filter((key) => !byKey.has(key));
  if (missing.length || meta.nocite.all) {
    for (const paper of options.resolve({ keys: missing, all: meta.nocite.all, meta }, env)) {
      if (paper?.id && !byKey.has(paper.id)) byKey.set(paper.id, paper);
    }
  }
  const csl = (paper: Paper): CslItem => {
    let item = cslItems.get(paper);
    if (!item) cslItems.set(paper, (item = toCslItem(paper)));
    return item;
  };
  const terms = style.formatter.locatorTerms();
  const clusters = doc.citations.map((citation) => ({
    inText: citation.inText,
    items: citation.items.filter((item) => byKey.has(item.key)).map((item) => citeItem(item, terms)),
  }));
  const nocite = meta.nocite.all ? [...byKey.keys()] : meta.nocite.keys.filter((key) => byKey.has(key));
  const request: CitationRequest = {
    items: [...byKey.values()].map(csl),
    clusters,
    nocite,
    format: 'html',
    linkCitations: meta.linkCitations ?? options.linkCitations ?? false,
    linkBibliography: meta.linkBibliography ?? true,
  };
  if (options.budgetMs !== undefined) request.budgetMs = options.budgetMs;
  const result = style.formatter.formatCitations(request);
  if (result.pending.length && options.onPending) {
    const formatter = style.formatter;
    const resume = (budgetMs: number): boolean => formatter.formatCitations({ ...request, budgetMs, bibliography: false }).pending.length === 0;
    options.onPending(resume, env);
  }
  const pending = new Set(result.pending);
  const citations = doc.citations.map((citation, i) => {
    const keys = citation.items.map((item) => item.key);
    if (pending.has(i)) return `<span class="citation litcite-pending" data-cites="${escapeHtml(keys.join(' '))}">${escapeHtml(doc.sources[i]!)}</span>`;
    const unknown = keys.filter((key) => !byKey.has(key)).map(unknownKey);
    const known = result.citations[i] ?? '';
    const body = [known, ...unknown].filter(Boolean).join(' ') || escapeHtml(doc.sources[i]!);
    return `<span class="citation" data-cites="${escapeHtml(keys.join(' '))}">${body}</span>`;
  });
  let references = style.notice ? notice(style.notice) : '';
  if (!meta.suppressBibliography && result.bibliography.length) {
    if (meta.referenceSectionTitle) references += `<h1 class="litcite-references-title">${md.renderInline(meta.referenceSectionTitle)}</h1>\n`;
    references += '<div id="refs" class="references csl-bib-body" role="list">\n';
    for (const entry of result.bibliography) {
      references += `<div id="ref-${escapeHtml(entry.id)}" class="csl-entry" role="listitem">${entry.content}</div>\n`;
    }
    references += '</div>\n';
  }
  return { citations, references };
}

/** The citations as written (escaped), and a notice, when no style can format them. */
function asWritten(doc: CitationDocument, message: string | undefined): RenderedDocument {
  return {
    citations: doc.sources.map((source) => `<span class="citation litcite-unformatted">${escapeHtml(source)}</span>`),
    references: message ? notice(message) : '',
  };
}

function notice(message: string): string {
  return `<div class="litcite-notice" role="note">${escapeHtml(message)}</div>\n`;
}

function unknownKey(key: string): string {
  const title = `No entry for “${key}” in the document's bibliography or the library`;
  return `<span class="litcite-unknown" title="${escapeHtml(title)}">@${escapeHtml(key)}?</span>`;
}

function citeItem(item: PandocCitation['items'][number], terms: LocatorTerms): CiteItem {
  const split = splitLocator(item.suffix, terms);
  const cite: CiteItem = { id: item.key };
  const prefix = affixToRichText(item.prefix);
  if (prefix) cite.prefix = prefix;
  const suffix = affixToRichText(split.suffix);
  if (suffix) cite.suffix = suffix;
  if (split.locator) {
    cite.locator = split.locator;
    if (split.label) cite.label = split.label;
  }
  if (item.suppressAuthor) cite.suppressAuthor = true;
  return cite;
}

/** Whether `[…]` ending at `end` is a reference link the document defines (`[@a]: url`), which markdown-it should render. */
function isReferenceLabel(state: MarkdownIt.StateInline, end: number): boolean {
  const references = (state.env as MarkdownIt.Env | undefined)?.references;
  if (!references) return false;
  const label = state.md.utils.normalizeReference(state.src.slice(state.pos + 1, end - 1));
  return Object.prototype.hasOwnProperty.call(references, label);
}

/** `<div id="refs"></div>` (raw HTML) or a `::: {#refs}` / `:::` paragraph: where Pandoc puts the reference list. */
function findReferencesPlaceholder(tokens: Token[]): { index: number; count: number } | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.type === 'html_block' && /^<div\s+id=["']refs["'][^<>]*>\s*<\/div>$/i.test(token.content.trim())) return { index: i, count: 1 };
    if (token.type === 'inline' && tokens[i - 1]?.type === 'paragraph_open' && tokens[i + 1]?.type === 'paragraph_close'
      && /^:::+ *\{ *#refs *\} *\n:::+$/.test(token.content.trim())) return { index: i - 1, count: 3 };
  }
  return undefined;
}

/**
 * Block rule: the front matter at the very top, Pandoc's way (`---`, a non-blank line, …, `---`
 * or `...`), as a hidden `front_matter` token like markdown-it-front-matter's. Runs after `fence`,
 * so where VS Code has installed that plugin (before `fence`), it takes the front matter first.
 */
function hideFrontMatter(state: MarkdownIt.StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  if (startLine !== 0 || state.parentType !== 'root' || state.sCount[0] !== 0) return false;
  const span = markdownFrontMatter(state.src);
  if (!span) return false;
  if (silent) return true;
  let line = 0;
  while (line < endLine && state.bMarks[line]! < span.end) line++;
  const token = state.push('front_matter', '', 0);
  token.hidden = true;
  token.block = true;
  token.markup = '---';
  token.map = [0, line];
  // markdown-it-front-matter keeps the YAML text itself as the token's meta
  token.meta = (frontMatterText(state.src) ?? '') as unknown as Record<string, unknown>;
  state.line = line;
  return true;
}

/** The front matter's `references:` as papers; an item that cannot be read is a problem in `meta`, not an error. */
function inlineReferences(meta: DocumentMeta): Paper[] {
  const papers: Paper[] = [];
  for (const item of meta.references) {
    try {
      papers.push(paperFromYaml(item));
    } catch (error) {
      meta.problems.push(`references item ${String(item.id)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return papers;
}

/** A front matter `references:` item (CSL-YAML as Pandoc reads it) as a paper. */
function paperFromYaml(item: YamlMap): Paper {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (DATE_FIELDS.has(name)) record[name] = yamlDate(value);
    else if (NAME_FIELDS.has(name)) record[name] = yamlNames(value);
    else if (name === 'title' || name === 'container-title') record[name] = typeof value === 'string' ? affixToRichText(value) : value;
    else record[name] = value;
  }
  record.id = String(item.id);
  return paperFromCslItem(record, String(item.id));
}

const DATE_FIELDS = new Set(['issued', 'accessed', 'event-date', 'original-date', 'submitted']);
const NAME_FIELDS = new Set(['author', 'editor', 'translator', 'container-author', 'collection-editor', 'director']);

/** `2020`, `2020-05-01`, `2019/2020`, `{year: 2020, month: 5}` or CSL's own `{date-parts: …}`. */
function yamlDate(value: YamlValue): unknown {
  if (typeof value === 'number') return { 'date-parts': [[value]] };
  if (typeof value === 'string') {
    const parts = value.split('/').map((part) => /^(-?\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$/.exec(part.trim()));
    if (parts.every(Boolean)) return { 'date-parts': parts.map((m) => m!.slice(1).filter(Boolean).map(Number)) };
    return { literal: value };
  }
  const list = Array.isArray(value) ? value : [value];
  const ranges = list.flatMap((part) => {
    if (!part || typeof part !== 'object' || Array.isArray(part)) return [];
    const map = part as YamlMap;
    if (map['date-parts'] !== undefined) return [];
    return [[map.year, map.month, map.day].filter((v) => v !== undefined && v !== null).map(Number)];
  });
  if (ranges.length) return { 'date-parts': ranges };
  return Array.isArray(value) ? value[0] : value;
}

/** Name lists; a name written as one string is `Family, Given` or a literal name. */
function yamlNames(value: YamlValue): unknown {
  const list = Array.isArray(value) ? value : [value];
  return list.map((name) => {
    if (typeof name !== 'string') return name;
    const comma = name.indexOf(',');
    return comma > 0 ? { family: name.slice(0, comma).trim(), given: name.slice(comma + 1).trim() } : { literal: name.trim() };
  });
}
