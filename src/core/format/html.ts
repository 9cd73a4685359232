/**
 * HTML safety for formatted references. citeproc-js escapes the text it is given, but its output
 * also carries markup it was handed (rich-text tags in titles and affixes, links it builds from
 * URLs), so everything it returns goes through {@link sanitizeFormattedHtml}: an allowlist of the
 * tags citeproc and LitCite produce, checked attribute by attribute, balanced, everything else
 * escaped. One pass over the text.
 */
import type { RichRun } from '../types';

/** `&`, `<`, `>`, `"` and `'` escaped, for text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Tags that may appear without attributes. */
const PLAIN_TAGS = new Set(['i', 'b', 'em', 'strong', 'sup', 'sub']);
/** `<span>` attributes citeproc and CSL rich text use. */
const SPAN_STYLES = new Set([
  'font-style:normal;', 'font-style:italic;', 'font-variant:small-caps;', 'font-variant:normal;', 'font-weight:normal;',
  'font-weight:bold;', 'text-decoration:none;', 'text-decoration:underline;', 'baseline',
]);
const SPAN_CLASSES = new Set(['nocase', 'nodecor']);
const DIV_CLASSES = new Set(['csl-entry', 'csl-left-margin', 'csl-right-inline', 'csl-indent', 'csl-block', 'csl-bib-body']);

/**
 * Formatted-reference HTML made safe to insert into a page: only `i b em strong sup sub`, `span`
 * with citeproc's style or class values, `div` with `csl-*` classes, and `a` with an `http(s):`
 * or `#ref-…` href (and `role="doc-biblioref"`) stay markup; every other `<`, `>` and stray `&` is
 * escaped; closing tags without an opener are escaped and unclosed ones are closed at the end.
 */
export function sanitizeFormattedHtml(html: string): string {
  let out = '';
  const open: string[] = [];
  let i = 0;
  const n = html.length;
  while (i < n) {
    const c = html.charCodeAt(i);
    if (c === 60 /* < */) {
      const tag = readTag(html, i);
      if (tag && allowed(tag)) {
        if (tag.closing) {
          if (open[open.length - 1] === tag.name) {
            open.pop();
            out += `</${tag.name}>`;
          } else out += escapeHtml(html.slice(i, tag.end));
        } else {
          open.push(tag.name);
          out += tag.name === 'a' ? `<a href="${escapeHtml(tag.attrs.get('href')!)}"${tag.attrs.has('role') ? ' role="doc-biblioref"' : ''}>`
            : `<${tag.name}${[...tag.attrs].map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('')}>`;
        }
        i = tag.end;
        continue;
      }
      out += '&lt;';
      i++;
    } else if (c === 62 /* > */) {
      out += '&gt;';
      i++;
    } else if (c === 38 /* & */) {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(html);
      if (m) {
        out += m[0];
        i += m[0].length;
      } else {
        out += '&amp;';
        i++;
      }
    } else {
      let j = i + 1;
      while (j < n) {
        const d = html.charCodeAt(j);
        if (d === 60 || d === 62 || d === 38) break;
        j++;
      }
      out += html.slice(i, j);
      i = j;
    }
  }
  while (open.length) out += `</${open.pop()}>`;
  return out;
}

/** Plain text of formatted HTML: tags dropped, entities decoded, `csl-left-margin` labels followed by a space. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<\/div>\s*<div class="csl-right-inline">/g, ' ')
    .replace(/<[^<>]*>/g, '');
  // a run of white space holding a line break (citeproc's layout) becomes one space
  return decodeEntities(text).replace(/\s+/g, (run) => (run.includes('\n') ? ' ' : run)).trim();
}

/** Numeric and the common named character references decoded; anything else left as written. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp));/g, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) return NAMED[name]!;
    const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const ENTITY = /&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,15});/y;

interface Tag {
  name: string;
  closing: boolean;
  attrs: Map<string, string>;
  end: number;
}

function allowed(tag: Tag): boolean {
  if (tag.closing) return PLAIN_TAGS.has(tag.name) || tag.name === 'span' || tag.name === 'div' || tag.name === 'a';
  const { name, attrs } = tag;
  if (PLAIN_TAGS.has(name)) return attrs.size === 0;
  if (name === 'span') {
    if (attrs.size !== 1) return false;
    const style = attrs.get('style');
    const cls = attrs.get('class');
    return (style !== undefined && SPAN_STYLES.has(style.replace(/\s+/g, ''))) || (cls !== undefined && SPAN_CLASSES.has(cls));
  }
  if (name === 'div') {
    const cls = attrs.get('class');
    return attrs.size <= 1 && (attrs.size === 0 || (cls !== undefined && DIV_CLASSES.has(cls)));
  }
  if (name === 'a') {
    const href = attrs.get('href');
    const role = attrs.get('role');
    if (href === undefined || attrs.size > (role === undefined ? 1 : 2) || (role !== undefined && role !== 'doc-biblioref')) return false;
    return /^https?:\/\/[^\s"'<>]+$/i.test(href) || /^#ref-[^\s"'<>]*$/.test(href);
  }
  return false;
}

/** A tag at `lt` (`<name attr="v">`, `</name>`) with lower-case letters-only names and double-quoted attributes. */
function readTag(html: string, lt: number): Tag | undefined {
  let p = lt + 1;
  const closing = html.charCodeAt(p) === 47;
  if (closing) p++;
  const nameStart = p;
  while (p < html.length && isLower(html.charCodeAt(p))) p++;
  const name = html.slice(nameStart, p);
  if (!name) return undefined;
  const attrs = new Map<string, string>();
  for (;;) {
    const spaceStart = p;
    while (p < html.length && (html.charCodeAt(p) === 32 || html.charCodeAt(p) === 10)) p++;
    if (html.charCodeAt(p) === 62) return { name, closing, attrs, end: p + 1 };
    if (closing || p === spaceStart) return undefined;
    const attrStart = p;
    while (p < html.length && (isLower(html.charCodeAt(p)) || html.charCodeAt(p) === 45)) p++;
    const attr = html.slice(attrStart, p);
    if (!attr || html.charCodeAt(p) !== 61 || html.charCodeAt(p + 1) !== 34) return undefined;
    // the value ends at the next `"`; a `<` or `>` first means this is no tag (and bounds the scan)
    let close = p + 2;
    while (close < html.length) {
      const d = html.charCodeAt(close);
      if (d === 34 || d === 60 || d === 62) break;
      close++;
    }
    if (html.charCodeAt(close) !== 34 || attrs.has(attr)) return undefined;
    attrs.set(attr, decodeEntities(html.slice(p + 2, close)));
    p = close + 1;
  }
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

/**
 * Formatted HTML as Markdown for a hover: italics and bold kept (`*…*`, `**…**`), every other tag
 * dropped, text escaped so nothing in a title becomes a link or markup.
 */
export function formattedHtmlToMarkdown(html: string, escape: (text: string) => string): string {
  let out = '';
  for (const part of html.replace(/<\/div>\s*<div class="csl-right-inline">/g, ' ').split(/(<[^<>]*>)/)) {
    if (!part) continue;
    if (part.startsWith('<')) {
      const tag = /^<\/?\s*([a-z]+)/i.exec(part)?.[1]?.toLowerCase();
      if (tag === 'i' || tag === 'em') out += '*';
      else if (tag === 'b' || tag === 'strong') out += '**';
      continue;
    }
    out += escape(decodeEntities(part).replace(/\s+/g, ' '));
  }
  return out.trim();
}

/** A run of formatted text with its emphasis (what a webview shows as text nodes in styled elements). */
export type FormattedRun = Omit<RichRun, 'code'>;

/** Formatted HTML (citeproc's output) as runs of text: only emphasis survives, never markup. */
export function formattedHtmlToRuns(html: string): FormattedRun[] {
  const runs: FormattedRun[] = [];
  const open: string[] = [];
  for (const part of html.replace(/<\/div>\s*<div class="csl-right-inline">/g, ' ').split(/(<[^<>]*>)/)) {
    if (!part) continue;
    if (part.startsWith('<')) {
      const closing = part.startsWith('</');
      const tag = /^<\/?\s*([a-z]+)/i.exec(part)?.[1]?.toLowerCase() ?? '';
      const kind = tag === 'i' || tag === 'em' ? 'italic' : tag === 'b' || tag === 'strong' ? 'bold' : tag === 'sup' ? 'sup' : tag === 'sub' ? 'sub'
        : tag === 'span' && /small-caps/.test(part) ? 'smallCaps' : tag === 'span' ? 'span' : '';
      if (!kind) continue;
      if (closing) {
        const at = open.lastIndexOf(tag === 'span' ? open.filter((k) => k === 'smallCaps' || k === 'span').at(-1) ?? 'span' : kind);
        if (at >= 0) open.splice(at, 1);
      } else open.push(kind);
      continue;
    }
    const text = decodeEntities(part).replace(/\s+/g, ' ');
    if (!text) continue;
    const run: FormattedRun = { text };
    for (const kind of open) if (kind !== 'span') run[kind as 'italic' | 'bold' | 'sup' | 'sub' | 'smallCaps'] = true;
    const last = runs.at(-1);
    if (last && ['italic', 'bold', 'smallCaps', 'sup', 'sub'].every((k) => last[k as keyof FormattedRun] === run[k as keyof FormattedRun])) last.text += text;
    else runs.push(run);
  }
  if (runs.length) {
    runs[0]!.text = runs[0]!.text.trimStart();
    runs[runs.length - 1]!.text = runs[runs.length - 1]!.text.trimEnd();
  }
  return runs.filter((r) => r.text);
}
