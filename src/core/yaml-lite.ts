/**
 * The YAML that bibliography declarations use, read on plain text: a plain or quoted scalar, a
 * flow list `[a.bib, "b.bib"]` (may span lines), or a block list of `- item` lines, under a
 * `bibliography:` key. Not supported: anchors and aliases, block scalars (`|`, `>`), multi-line
 * plain scalars, complex keys, and tags.
 */
import { markdownFrontMatter } from './cite-syntax';
import { lineEndAt } from './latex-comments';
import type { Span } from './types';

const LF = 10;

export interface FrontMatterParts {
  /** The YAML between the opening and closing lines. */
  body: Span;
  /** Start of the closing `---` / `...` line. */
  closingLine: number;
}

export function frontMatterParts(text: string): FrontMatterParts | undefined {
  const fm = markdownFrontMatter(text);
  if (!fm) return undefined;
  const bodyStart = lineEndAt(text, fm.start) + 1;
  const lastChar = fm.end - 1;
  const closingLine = text.lastIndexOf('\n', text.charCodeAt(lastChar) === LF ? lastChar - 1 : lastChar) + 1;
  return { body: { start: bodyStart, end: closingLine }, closingLine };
}

export interface YamlItem {
  text: string;
  /** The value as written, quotes included. */
  span: Span;
}

export interface YamlKey {
  kind: 'empty' | 'scalar' | 'flow' | 'block';
  values: YamlItem[];
  /** Just after the key's colon. */
  colonEnd: number;
  /** flow: offset of `[`; block: unused. */
  listStart: number;
  /** flow: just after `]`; block: start of the line after the last item. */
  listEnd: number;
  /** block: indentation and dash of the items, e.g. `  - `. */
  itemPrefix: string;
}

export interface Line {
  start: number;
  end: number;
  text: string;
}

export function linesOf(text: string, span: Span): Line[] {
  const lines: Line[] = [];
  let p = span.start;
  while (p < span.end) {
    const eol = Math.min(lineEndAt(text, p), span.end);
    const end = eol > p && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    lines.push({ start: p, end, text: text.slice(p, end) });
    p = eol + 1;
  }
  return lines;
}

const YAML_BIB_KEY = /^([ \t]*)(["']?)bibliography\2[ \t]*:(?=[ \t]|$)/;

/** Every `bibliography:` key in `span` (only unindented ones when `topLevel`), with its values and positions. */
export function readYamlKeys(text: string, span: Span, topLevel: boolean): YamlKey[] {
  const lines = linesOf(text, span);
  const keys: YamlKey[] = [];
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    const m = YAML_BIB_KEY.exec(line.text);
    if (!m) continue;
    const indent = (m[1] ?? '').length;
    if (topLevel && indent > 0) continue;
    const colonEnd = line.start + m[0].length;
    let p = colonEnd;
    while (p < line.end && /[ \t]/.test(text[p] ?? '')) p++;
    const key: YamlKey = { kind: 'empty', values: [], colonEnd, listStart: -1, listEnd: -1, itemPrefix: '' };
    if (p < line.end && text[p] !== '#') {
      if (text[p] === '[') {
        key.kind = 'flow';
        key.listStart = p;
        const r = readFlowList(text, p, span.end);
        key.values = r.items;
        key.listEnd = r.end;
      } else {
        const v = readScalar(text, p, line.end);
        if (v) {
          key.kind = 'scalar';
          key.values = [v];
        }
      }
    } else {
      // a block list may follow, its dashes indented at least as deep as the key
      for (let k = n + 1; k < lines.length; k++) {
        const item = lines[k]!;
        if (/^\s*(?:#.*)?$/.test(item.text)) continue;
        const d = /^([ \t]*)-(?:[ \t]+|$)/.exec(item.text);
        if (!d || (d[1] ?? '').length < indent) break;
        key.kind = 'block';
        key.itemPrefix = d[0].endsWith('-') ? `${d[0]} ` : d[0];
        const v = readScalar(text, item.start + d[0].length, item.end);
        if (v) key.values.push(v);
        key.listEnd = Math.min(lineEndAt(text, item.start) + 1, text.length);
        n = k;
      }
    }
    keys.push(key);
  }
  return keys;
}

/** A plain, single- or double-quoted scalar starting at `p` on a line ending at `end`. */
export function readScalar(text: string, p: number, end: number, flow = false): YamlItem | undefined {
  const q = text[p];
  if (q === '"' || q === "'") {
    let value = '';
    for (let i = p + 1; i < end; i++) {
      const c = text[i]!;
      if (q === '"' && c === '\\' && i + 1 < end) {
        const e = text[++i]!;
        value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else if (c === q) {
        if (q === "'" && text[i + 1] === "'") {
          value += "'";
          i++;
        } else return { text: value, span: { start: p, end: i + 1 } };
      } else value += c;
    }
    return undefined;
  }
  let i = p;
  for (; i < end; i++) {
    const c = text[i]!;
    if (c === '#' && i > p && /[ \t]/.test(text[i - 1]!)) break;
    if (flow && (c === ',' || c === ']')) break;
  }
  let stop = i;
  while (stop > p && /[ \t]/.test(text[stop - 1]!)) stop--;
  return stop > p ? { text: text.slice(p, stop), span: { start: p, end: stop } } : undefined;
}

/** A flow list `[a, "b"]` opened at `open`, possibly over several lines, within `limit`. */
export function readFlowList(text: string, open: number, limit: number): { items: YamlItem[]; end: number } {
  const items: YamlItem[] = [];
  let p = open + 1;
  while (p < limit) {
    const c = text[p]!;
    if (c === ']') return { items, end: p + 1 };
    if (/[\s,]/.test(c)) {
      p++;
      continue;
    }
    const eol = Math.min(lineEndAt(text, p), limit);
    const item = readScalar(text, p, eol, true);
    if (!item) {
      p = eol;
      continue;
    }
    items.push(item);
    p = item.span.end;
  }
  return { items, end: limit };
}

/** A YAML scalar for `value`: plain when safe, else double-quoted. `flow` also quotes `,[]{}`. */
export function yamlScalar(value: string, flow = false): string {
  const plain = /^[\w.~/][\w.~/ +-]*$/.test(value) && !/ $/.test(value);
  if (plain && !(flow && /[,[\]{}]/.test(value))) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
