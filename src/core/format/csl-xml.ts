/**
 * Reading CSL style and locale files as text: a small well-formedness-checking XML reader (one pass,
 * explicit stack, so a hostile file costs linear time and cannot overflow the stack), the facts
 * about a style the registry needs (title, id, parent, citation format, default locale), and a
 * locale's locator terms. citeproc parses the XML again itself; this reader exists because
 * citeproc-js accepts some broken files silently and fails on others with messages such as
 * "Cannot read properties of undefined", which tell a user nothing.
 */
import { readEntity } from '../rich-text';

/** An element of a parsed XML document. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text directly inside the element (not inside its children), entities decoded. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
}

/** The outcome of {@link parseXml}: the root element, or where and why the text is not XML. */
export type XmlParse = { ok: true; root: XmlElement } | { ok: false; line: number; message: string };

/** How a style's citations look (`<category citation-format="…">`). */
export type CitationFormat = 'author-date' | 'numeric' | 'note' | 'label' | 'author';

/** What a style file says about itself. */
export interface CslStyleFacts {
  /** `<info><id>`: the style's URI, e.g. `http://www.zotero.org/styles/apa`. */
  id?: string;
  title?: string;
  /** `<link rel="independent-parent">`: set for a dependent style, which has no formatting of its own. */
  parent?: string;
  citationFormat?: CitationFormat;
  /** `<style class>`: `in-text` or `note`. */
  styleClass: 'in-text' | 'note';
  defaultLocale?: string;
  hasBibliography: boolean;
  /** Whether `<bibliography>` has a `<sort>`. */
  sortedBibliography: boolean;
}

const CSL_NAMESPACE = 'http://purl.org/net/xbiblio/csl';
const CITATION_FORMATS = new Set<string>(['author-date', 'numeric', 'note', 'label', 'author']);

/** Parses an XML document; the first well-formedness error is reported with its line. */
export function parseXml(text: string): XmlParse {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let line = 1;
  let counted = 0;
  const lineAt = (p: number): number => {
    for (; counted < p; counted++) if (src.charCodeAt(counted) === 10) line++;
    return line;
  };
  const fail = (p: number, message: string): XmlParse => ({ ok: false, line: lineAt(p), message });
  let i = 0;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const textEnd = lt < 0 ? src.length : lt;
    if (textEnd > i && !isBlank(src, i, textEnd)) {
      const top = stack[stack.length - 1];
      if (!top) return fail(i, root ? 'text after the root element' : 'text before the root element');
      top.text += decodeEntities(src.slice(i, textEnd));
    }
    if (lt < 0) break;
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt + 4);
      if (end < 0) return fail(lt, 'unclosed comment');
      i = end + 3;
    } else if (src.startsWith('<?', lt)) {
      const end = src.indexOf('?>', lt + 2);
      if (end < 0) return fail(lt, 'unclosed processing instruction');
      i = end + 2;
    } else if (src.startsWith('<![CDATA[', lt)) {
      const end = src.indexOf(']]>', lt + 9);
      if (end < 0) return fail(lt, 'unclosed CDATA section');
      const top = stack[stack.length - 1];
      if (!top) return fail(lt, 'CDATA outside the root element');
      top.text += src.slice(lt + 9, end);
      i = end + 3;
    } else if (src.startsWith('<!', lt)) {
      const end = src.indexOf('>', lt + 2);
      if (end < 0) return fail(lt, 'unclosed declaration');
      i = end + 1;
    } else if (src.charCodeAt(lt + 1) === 47 /* / */) {
      const nameEnd = scanName(src, lt + 2);
      const name = src.slice(lt + 2, nameEnd);
      const close = skipSpace(src, nameEnd);
      if (!name || src[close] !== '>') return fail(lt, 'malformed end tag');
      const open = stack.pop();
      if (!open) return fail(lt, `</${name}> closes nothing`);
      if (open.name !== name) return fail(lt, `</${name}> closes <${open.name}> (line ${open.line})`);
      i = close + 1;
    } else {
      const tag = readStartTag(src, lt);
      if (typeof tag === 'string') return fail(lt, tag);
      const element: XmlElement = { name: tag.name, attrs: tag.attrs, children: [], text: '', line: lineAt(lt) };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) return fail(lt, 'a second root element');
      else root = element;
      if (!tag.selfClosing) stack.push(element);
      i = tag.end;
    }
  }
  const open = stack.pop();
  if (open) return fail(src.length, `<${open.name}> (line ${open.line}) is never closed`);
  if (!root) return fail(0, 'no XML element found');
  return { ok: true, root };
}

/** The facts the registry needs from a style's text, or why it is not a usable CSL style. */
export function readStyleFacts(xml: string): { ok: true; facts: CslStyleFacts } | { ok: false; line?: number; message: string } {
  const parsed = parseXml(xml);
  if (!parsed.ok) return { ok: false, line: parsed.line, message: `not well-formed XML: ${parsed.message}` };
  const root = parsed.root;
  if (localName(root.name) !== 'style') return { ok: false, line: root.line, message: `the root element is <${root.name}>, not a CSL <style>` };
  if (root.attrs.xmlns !== CSL_NAMESPACE) return { ok: false, line: root.line, message: `<style> is not in the CSL namespace (${CSL_NAMESPACE})` };
  const info = child(root, 'info');
  const bibliographyElement = child(root, 'bibliography');
  const facts: CslStyleFacts = {
    styleClass: root.attrs.class === 'note' ? 'note' : 'in-text',
    hasBibliography: !!bibliographyElement,
    sortedBibliography: !!bibliographyElement && !!child(bibliographyElement, 'sort'),
  };
  const id = info && child(info, 'id')?.text.trim();
  if (id) facts.id = id;
  const title = info && child(info, 'title')?.text.trim();
  if (title) facts.title = title;
  const parent = info?.children.find((c) => localName(c.name) === 'link' && c.attrs.rel === 'independent-parent')?.attrs.href;
  if (parent) facts.parent = parent.trim();
  const format = info?.children.find((c) => localName(c.name) === 'category' && c.attrs['citation-format'])?.attrs['citation-format'];
  if (format && CITATION_FORMATS.has(format)) facts.citationFormat = format as CitationFormat;
  const locale = root.attrs['default-locale'];
  if (locale) facts.defaultLocale = locale;
  if (!facts.parent) {
    const citation = child(root, 'citation');
    if (!citation) return { ok: false, line: root.line, message: 'the style has no <citation> element' };
    if (!child(citation, 'layout')) return { ok: false, line: citation.line, message: '<citation> has no <layout>' };
    const bibliography = child(root, 'bibliography');
    if (bibliography && !child(bibliography, 'layout')) return { ok: false, line: bibliography.line, message: '<bibliography> has no <layout>' };
  }
  return { ok: true, facts };
}

/** The language tag of a CSL locale file (`<locale xml:lang="de-DE">`), or why it is not one. */
export function readLocaleLanguage(xml: string): { ok: true; lang: string } | { ok: false; line?: number; message: string } {
  const parsed = parseXml(xml);
  if (!parsed.ok) return { ok: false, line: parsed.line, message: `not well-formed XML: ${parsed.message}` };
  const root = parsed.root;
  const lang = root.attrs['xml:lang'];
  if (localName(root.name) !== 'locale' || !lang) return { ok: false, line: root.line, message: 'not a CSL locale (<locale xml:lang="…">)' };
  return { ok: true, lang };
}

/**
 * Every spelling of the named terms in a locale: long, short and symbol forms, singular and
 * plural (`page` → `page`, `pages`, `p.`, `pp.`). Terms restricted to a gender or ordinal are skipped.
 */
export function localeTermForms(xml: string, names: ReadonlySet<string>): Array<{ name: string; text: string }> {
  const parsed = parseXml(xml);
  if (!parsed.ok) return [];
  const out: Array<{ name: string; text: string }> = [];
  const terms = parsed.root.children.find((c) => localName(c.name) === 'terms');
  for (const term of terms?.children ?? []) {
    const name = term.attrs.name;
    if (localName(term.name) !== 'term' || !name || !names.has(name)) continue;
    const forms = term.children.length
      ? term.children.filter((c) => ['single', 'multiple'].includes(localName(c.name))).map((c) => c.text)
      : [term.text];
    for (const text of forms) if (text.trim()) out.push({ name, text: text.trim() });
  }
  return out;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => localName(c.name) === name);
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 58 || c > 127;
}

function scanName(src: string, p: number): number {
  while (p < src.length && isNameChar(src.charCodeAt(p))) p++;
  return p;
}

function isSpaceCode(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function skipSpace(src: string, p: number): number {
  while (p < src.length && isSpaceCode(src.charCodeAt(p))) p++;
  return p;
}

function isBlank(src: string, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (!isSpaceCode(src.charCodeAt(p))) return false;
  return true;
}

/** A start tag at `lt`: name, attributes, whether it closes itself, the offset after `>`; or what is wrong. */
function readStartTag(src: string, lt: number): { name: string; attrs: Record<string, string>; selfClosing: boolean; end: number } | string {
  const nameEnd = scanName(src, lt + 1);
  const name = src.slice(lt + 1, nameEnd);
  if (!name) return 'a `<` that starts no tag (write `&lt;` for a literal one)';
  const attrs: Record<string, string> = {};
  let p = nameEnd;
  for (;;) {
    const before = p;
    p = skipSpace(src, p);
    const c = src[p];
    if (c === undefined) return `<${name}> is cut off`;
    if (c === '>') return { name, attrs, selfClosing: false, end: p + 1 };
    if (c === '/' && src[p + 1] === '>') return { name, attrs, selfClosing: true, end: p + 2 };
    if (p === before) return `malformed <${name}> tag`;
    const attrEnd = scanName(src, p);
    if (attrEnd === p) return `malformed attribute in <${name}>`;
    const attr = src.slice(p, attrEnd);
    p = skipSpace(src, attrEnd);
    if (src[p] !== '=') return `attribute ${attr} of <${name}> has no value`;
    p = skipSpace(src, p + 1);
    const quote = src[p];
    if (quote !== '"' && quote !== "'") return `attribute ${attr} of <${name}> is not quoted`;
    const close = src.indexOf(quote, p + 1);
    if (close < 0) return `attribute ${attr} of <${name}> is never closed`;
    const value = src.slice(p + 1, close);
    if (value.includes('<')) return `attribute ${attr} of <${name}> contains \`<\``;
    if (Object.prototype.hasOwnProperty.call(attrs, attr)) return `attribute ${attr} repeated in <${name}>`;
    attrs[attr] = decodeEntities(value);
    p = close + 1;
  }
}

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  let out = '';
  let i = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', i)) {
    out += text.slice(i, amp);
    const entity = readEntity(text, amp);
    out += entity.text;
    i = entity.end;
  }
  return out + text.slice(i);
}
