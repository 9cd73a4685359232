/**
 * Pandoc's citation syntax read at a position of a text, for the markdown-it rule:
 * `[see @doe99, p. 33; -@roe05]` (a bracketed citation of several items, each with a prefix,
 * a suffix and optionally `-` to suppress the author) and `@doe99` in running text, optionally
 * followed by ` [p. 33]`. Keys follow Pandoc: a letter, digit or `_`, then those or single
 * internal punctuation `:.#$%&-+?<>~/` (so `@doe99.` is `doe99` and `@a--b` is `a`); `@{any key}`
 * braced. An `@` right after a letter or digit (an e-mail) or after `/` (a URL path) starts nothing.
 *
 * Every scan stops at the next `[` and at {@link MAX_CITATION} characters, so the scans started
 * at successive positions never cover the same text twice: linear time over a document.
 */

/** One cited item as written; affixes are raw Markdown (the suffix still holds the locator). */
export interface PandocCiteItem {
  key: string;
  prefix: string;
  /** Everything after the key: `, p. 33 and *passim*`. */
  suffix: string;
  suppressAuthor: boolean;
}

/** A citation found at a position. */
export interface PandocCitation {
  items: PandocCiteItem[];
  /** `@key` in running text (Pandoc's AuthorInText). */
  inText: boolean;
  /** Offset just after the citation. */
  end: number;
}

/** Longest citation (brackets included) the reader considers. */
export const MAX_CITATION = 2000;
/** Longest key; longer runs of key characters are not citations. */
const MAX_KEY = 500;

const KEY = /[\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&\-+?<>~/](?=[\p{L}\p{N}_]))*/uy;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** A bracketed citation whose `[` is at `start`, ending by `limit`; undefined when the brackets hold no citation. */
export function readBracketCitation(text: string, start: number, limit: number): PandocCitation | undefined {
  const stop = Math.min(limit, start + MAX_CITATION);
  let close = -1;
  for (let i = start + 1; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 93 /* ] */) {
      close = i;
      break;
    } else if (c === 91 /* [ */ || c === 96 /* ` */) return undefined;
  }
  if (close < 0) return undefined;
  // `[@a](url)` and `[@a][ref]` are links
  const after = text.charCodeAt(close + 1);
  if (after === 40 /* ( */ || after === 91 /* [ */) return undefined;
  const items: PandocCiteItem[] = [];
  let partStart = start + 1;
  for (let i = start + 1; i <= close; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 && i < close) {
      i++;
      continue;
    }
    if (c !== 59 /* ; */ && i !== close) continue;
    const item = readItem(text, partStart, i);
    if (!item) return undefined;
    items.push(item);
    partStart = i + 1;
  }
  return items.length ? { items, inText: false, end: close + 1 } : undefined;
}

/** An in-text `@key` whose `@` is at `at`, with an optional ` [suffix]`; undefined when no citation starts there. */
export function readInTextCitation(text: string, at: number, limit: number): PandocCitation | undefined {
  if (!canStartCitation(text, at)) return undefined;
  const key = readKey(text, at + 1, limit);
  if (!key) return undefined;
  let end = key.end;
  let suffix = '';
  let p = end;
  if (text.charCodeAt(p) === 32 /* space */) p++;
  if (text.charCodeAt(p) === 91 /* [ */) {
    const stop = Math.min(limit, p + MAX_CITATION);
    for (let i = p + 1; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === 92) i++;
      else if (c === 93) {
        const next = text.charCodeAt(i + 1);
        if (next !== 40 && next !== 91) {
          suffix = text.slice(p + 1, i);
          end = i + 1;
        }
        break;
      } else if (c === 91 || c === 96 || c === 64 /* @ */ || c === 59) break;
    }
  }
  return { items: [{ key: key.key, prefix: '', suffix, suppressAuthor: false }], inText: true, end };
}

/** Whether an `@` at `at` may start a citation: not after a letter or digit (e-mail) nor after `/` (URL). */
function canStartCitation(text: string, at: number): boolean {
  if (at === 0) return true;
  const before = text.charCodeAt(at - 1);
  if (before === 47 /* / */) return false;
  if (before < 128) return !((before >= 48 && before <= 57) || (before >= 65 && before <= 90) || (before >= 97 && before <= 122));
  const cp = before >= 0xdc00 && before <= 0xdfff && at >= 2 ? text.codePointAt(at - 2)! : before;
  return !WORD_CHAR.test(String.fromCodePoint(cp));
}

/** One `;`-separated part of a bracketed citation: `prefix -@key suffix`. */
function readItem(text: string, from: number, to: number): PandocCiteItem | undefined {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) {
      i++;
      continue;
    }
    if (c !== 64 /* @ */) continue;
    const dash = i > from && text.charCodeAt(i - 1) === 45 /* - */;
    const keyStart = dash ? i - 1 : i;
    const spaced = keyStart === from || /\s/.test(text[keyStart - 1]!);
    if (!spaced) continue;
    const key = readKey(text, i + 1, to);
    if (!key) continue;
    return {
      key: key.key,
      prefix: text.slice(from, keyStart).trim(),
      suffix: text.slice(key.end, to),
      suppressAuthor: dash,
    };
  }
  return undefined;
}

/** A key right after an `@`: braced (`{…}`, balanced) or plain. */
function readKey(text: string, p: number, limit: number): { key: string; end: number } | undefined {
  if (text.charCodeAt(p) === 123 /* { */) {
    let depth = 0;
    const stop = Math.min(limit, p + MAX_KEY + 2);
    for (let i = p + 1; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) return undefined;
      if (c === 123) depth++;
      else if (c === 125) {
        if (depth-- > 0) continue;
        const key = text.slice(p + 1, i).trim();
        return key ? { key, end: i + 1 } : undefined;
      }
    }
    return undefined;
  }
  KEY.lastIndex = p;
  const m = KEY.exec(text);
  if (!m) return undefined;
  const end = Math.min(limit, p + m[0].length);
  if (end <= p || end - p > MAX_KEY) return undefined;
  return { key: text.slice(p, end), end };
}

/**
 * A citation affix in Markdown (`*see*`, `and **passim**`) as CSL rich text for citeproc:
 * emphasis → `<i>`, strong → `<b>`, `^sup^`/`~sub~` → `<sup>`/`<sub>`, code spans and backslash
 * escapes → their text. citeproc escapes every other character, so text needs no escaping here.
 * One pass: a delimiter with no closer is text, and so is every later delimiter of its kind.
 */
export function affixToRichText(markdown: string): string {
  if (!/[*_^~`\\]/.test(markdown)) return markdown;
  const unclosed = new Set<string>();
  const closers: string[] = [];
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    const c = markdown[i]!;
    if (c === '\\' && i + 1 < markdown.length && /[!-/:-@[-`{-~]/.test(markdown[i + 1]!)) {
      out += markdown[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const close = unclosed.has('`') ? -1 : markdown.indexOf('`', i + 1);
      if (close < 0) {
        unclosed.add('`');
        out += c;
        i++;
        continue;
      }
      out += markdown.slice(i + 1, close);
      i = close + 1;
      continue;
    }
    const delimiter = markdown.startsWith('**', i) ? '**' : markdown.startsWith('__', i) ? '__' : /[*_^~]/.test(c) ? c : undefined;
    if (!delimiter) {
      out += c;
      i++;
      continue;
    }
    if (closers[closers.length - 1] === delimiter) {
      closers.pop();
      out += `</${TAG[delimiter]}>`;
      i += delimiter.length;
      continue;
    }
    const opens = !unclosed.has(delimiter) && markdown.indexOf(delimiter, i + delimiter.length) > i + delimiter.length
      && !/\s/.test(markdown[i + delimiter.length] ?? ' ');
    if (!opens) {
      unclosed.add(delimiter);
      out += delimiter;
      i += delimiter.length;
      continue;
    }
    closers.push(delimiter);
    out += `<${TAG[delimiter]}>`;
    i += delimiter.length;
  }
  while (closers.length) out += `</${TAG[closers.pop()!]}>`;
  return out;
}

const TAG: Record<string, string> = { '*': 'i', _: 'i', '**': 'b', __: 'b', '^': 'sup', '~': 'sub' };
