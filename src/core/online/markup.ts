/**
 * Markup in service answers reduced to text: XML elements of the arXiv Atom feed, JATS/HTML in
 * Crossref abstracts and titles, character references everywhere. Written as forward scans with
 * `indexOf` (no backtracking regexes, no DOM) because the input comes from the network: every
 * function here is linear in its input, never throws, and never looks names up on a prototype.
 */

/** The five entities XML predefines. */
const XML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
]);

/** Named entities that turn up in HTML and JATS abstracts, beyond XML's own. */
const HTML_ENTITIES: ReadonlyMap<string, string> = new Map([
  ...XML_ENTITIES,
  ['nbsp', ' '], ['ndash', '–'], ['mdash', '—'], ['hellip', '…'], ['lsquo', '‘'], ['rsquo', '’'],
  ['ldquo', '“'], ['rdquo', '”'], ['laquo', '«'], ['raquo', '»'], ['times', '×'], ['minus', '−'],
  ['plusmn', '±'], ['deg', '°'], ['micro', 'µ'], ['middot', '·'], ['le', '≤'], ['ge', '≥'],
  ['alpha', 'α'], ['beta', 'β'], ['gamma', 'γ'], ['delta', 'δ'], ['epsilon', 'ε'], ['lambda', 'λ'],
  ['mu', 'μ'], ['pi', 'π'], ['sigma', 'σ'], ['tau', 'τ'], ['chi', 'χ'], ['omega', 'ω'],
  ['copy', '©'], ['reg', '®'], ['trade', '™'], ['shy', ''], ['zwnj', ''], ['thinsp', ' '],
]);

/** What a reference to an impossible character (`&#0;`, `&#x110000;`, a lone surrogate) becomes. */
const REPLACEMENT = '\uFFFD';

function fromCodePoint(value: number): string {
  const valid = Number.isInteger(value) && value > 0 && value <= 0x10ffff && (value < 0xd800 || value > 0xdfff);
  return valid ? String.fromCodePoint(value) : REPLACEMENT;
}

/**
 * Character references (`&#233;`, `&#xE9;`) and the named entities of `names` decoded; unknown
 * names are left as written. Quantifiers are bounded, so each `&` costs a constant.
 */
export function decodeEntities(text: string, names: ReadonlyMap<string, string> = XML_ENTITIES): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,8})|#[xX]([\dA-Fa-f]{1,8})|([A-Za-z][\dA-Za-z]{0,31}));/g, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10));
    if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
    return names.get(name ?? '') ?? whole;
  });
}

/** Runs of whitespace as one space, trimmed (services hard-wrap titles and abstracts). */
export function collapseSpace(text: string): string {
  // Only runs and non-space whitespace are replaced: rewriting every single space costs 100× more on long texts.
  return text.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

// ---------------------------------------------------------------------------------------------
// XML elements (the arXiv Atom feed)

/** One element found by `xmlElements`: its raw attribute text and raw inner markup. */
export interface XmlElement {
  attributes: string;
  inner: string;
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';
}

/**
 * Elements named `name` (with its prefix, e.g. `arxiv:doi`) in `xml`, outermost first. An element
 * of the same name nested inside one is part of the outer one's inner markup; an element whose
 * closing tag is missing ends the scan. Linear: every search starts where the last one ended.
 */
export function xmlElements(xml: string, name: string, limit = Number.POSITIVE_INFINITY): XmlElement[] {
  const out: XmlElement[] = [];
  const open = `<${name}`;
  const close = `</${name}>`;
  let at = 0;
  while (out.length < limit) {
    const start = xml.indexOf(open, at);
    if (start < 0) break;
    const afterName = start + open.length;
    const next = xml.charAt(afterName);
    // `<identity>` is not an `<id>`.
    if (next !== '>' && next !== '/' && !isSpace(next)) {
      at = afterName;
      continue;
    }
    const tagEnd = xml.indexOf('>', afterName);
    if (tagEnd < 0) break;
    if (xml.charAt(tagEnd - 1) === '/') {
      out.push({ attributes: xml.slice(afterName, tagEnd - 1), inner: '' });
      at = tagEnd + 1;
      continue;
    }
    const end = xml.indexOf(close, tagEnd + 1);
    if (end < 0) break;
    out.push({ attributes: xml.slice(afterName, tagEnd), inner: xml.slice(tagEnd + 1, end) });
    at = end + close.length;
  }
  return out;
}

/** The first element named `name`, if any. */
export function firstXmlElement(xml: string, name: string): XmlElement | undefined {
  return xmlElements(xml, name, 1)[0];
}

/** The text of an element's inner markup: child tags and comments dropped, CDATA kept literally, entities decoded. */
export function xmlText(inner: string): string {
  let out = '';
  let at = 0;
  while (at < inner.length) {
    const lt = inner.indexOf('<', at);
    if (lt < 0) {
      out += decodeEntities(inner.slice(at));
      break;
    }
    out += decodeEntities(inner.slice(at, lt));
    if (inner.startsWith('<![CDATA[', lt)) {
      const end = inner.indexOf(']]>', lt + 9);
      out += end < 0 ? inner.slice(lt + 9) : inner.slice(lt + 9, end);
      if (end < 0) break;
      at = end + 3;
      continue;
    }
    const ender = inner.startsWith('<!--', lt) ? '-->' : '>';
    const end = inner.indexOf(ender, lt + 1);
    if (end < 0) {
      // A stray `<` with no tag after it: the rest is text.
      out += decodeEntities(inner.slice(lt));
      break;
    }
    at = end + ender.length;
  }
  return out;
}

/** The value of attribute `name` in an element's attribute text (`term="cs.CL" scheme="…"`). */
export function xmlAttribute(attributes: string, name: string): string | undefined {
  const n = attributes.length;
  let at = 0;
  while (at < n) {
    while (at < n && isSpace(attributes[at])) at++;
    const nameStart = at;
    while (at < n && !isSpace(attributes[at]) && attributes[at] !== '=') at++;
    const attributeName = attributes.slice(nameStart, at);
    while (at < n && isSpace(attributes[at])) at++;
    if (attributes[at] !== '=') {
      // A name without a value, or a stray character: step over it.
      if (at === nameStart) at++;
      continue;
    }
    at++;
    while (at < n && isSpace(attributes[at])) at++;
    const quote = attributes[at];
    let value: string;
    if (quote === '"' || quote === "'") {
      const end = attributes.indexOf(quote, at + 1);
      if (end < 0) return undefined;
      value = attributes.slice(at + 1, end);
      at = end + 1;
    } else {
      const start = at;
      while (at < n && !isSpace(attributes[at])) at++;
      value = attributes.slice(start, at);
    }
    if (attributeName === name) return decodeEntities(value);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// HTML / JATS text

/** Tags that separate words; every other tag (`<i>`, `<sub>`, `<scp>`, MathML) joins its text to the next. */
const BLOCK_TAGS = new Set([
  'p', 'sec', 'br', 'div', 'list', 'list-item', 'li', 'ul', 'ol', 'table', 'tr', 'td', 'th',
  'abstract', 'trans-abstract', 'label', 'caption', 'disp-formula', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
]);
/** Headings that only announce the abstract itself. */
const ABSTRACT_HEADING = /^(?:abstract|summary|graphical abstract)[.:]?$/i;

/** A tag's local name, lower-case, without namespace prefix: `</jats:p>` → `p`. */
function tagName(tag: string): string {
  let start = tag.charAt(1) === '/' ? 2 : 1;
  let end = start;
  while (end < tag.length && !isSpace(tag[end]) && tag[end] !== '>' && tag[end] !== '/') end++;
  const full = tag.slice(start, end).toLowerCase();
  const colon = full.lastIndexOf(':');
  start = colon + 1;
  return full.slice(start);
}

/**
 * HTML or JATS markup (`<jats:p>`, `<i>`, `<sub>`) as one line of plain text: block tags become
 * spaces, inline tags vanish (`H<sub>2</sub>O` → `H2O`), entities are decoded. A heading that
 * only says "Abstract" is dropped; other section headings read `Background: …`.
 */
export function markupToText(markup: string): string {
  let out = '';
  let at = 0;
  while (at < markup.length) {
    const lt = markup.indexOf('<', at);
    if (lt < 0) {
      out += markup.slice(at);
      break;
    }
    out += markup.slice(at, lt);
    const gt = markup.indexOf('>', lt + 1);
    if (gt < 0) {
      out += markup.slice(lt);
      break;
    }
    const tag = markup.slice(lt, gt + 1);
    const name = tagName(tag);
    at = gt + 1;
    if (name === 'title' && tag.charAt(1) !== '/') {
      // The heading's text decides whether it is kept; its closing tag is found once, ahead.
      const closeName = tag.slice(1, tag.length - 1).split(/[\s/]/, 1)[0];
      const close = markup.indexOf(`</${closeName}>`, at);
      const headingEnd = close < 0 ? markup.length : close;
      const heading = collapseSpace(decodeEntities(stripTags(markup.slice(at, headingEnd)), HTML_ENTITIES));
      if (heading && !ABSTRACT_HEADING.test(heading)) out += ` ${heading}${/[.:?!]$/.test(heading) ? '' : ':'} `;
      else out += ' ';
      at = close < 0 ? markup.length : close + closeName.length + 3;
      continue;
    }
    if (BLOCK_TAGS.has(name) || name === 'title') out += ' ';
  }
  return tidyPunctuation(collapseSpace(decodeEntities(out, HTML_ENTITIES)));
}

/** Markup with every tag removed and nothing else changed. */
export function stripTags(markup: string): string {
  let out = '';
  let at = 0;
  while (at < markup.length) {
    const lt = markup.indexOf('<', at);
    if (lt < 0) return out + markup.slice(at);
    out += markup.slice(at, lt);
    const gt = markup.indexOf('>', lt + 1);
    if (gt < 0) return out + markup.slice(lt);
    at = gt + 1;
  }
  return out;
}

/** Spaces left before punctuation by removed block tags (`<p>Text</p>.`) closed up; text is already collapsed. */
function tidyPunctuation(text: string): string {
  return text.replace(/ ([,.;:!?)\]])/g, '$1').replace(/([([]) /g, '$1');
}
