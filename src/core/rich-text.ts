/**
 * CSL's rich text (the HTML-like markup Zotero and citeproc put in titles: `<i>`, `<b>`, `<sup>`,
 * `<sub>`, `<span class="nocase">`, small-caps spans) → plain text plus styled runs. Tags are read
 * with a stack in one pass (nested `<i>` cannot make it slow); anything else stays text.
 */
import type { RichRun } from './types';

const ITALIC = 1;
const BOLD = 2;
const SMALL_CAPS = 4;
const SUP = 8;
const SUB = 16;
const CODE = 32;

/** Opening tags and the style each adds (`span` may add none: `nocase` only protects case). */
const OPEN_TAGS: Array<[tag: string, name: string, style: number]> = [
  ['<i>', 'i', ITALIC], ['<em>', 'em', ITALIC], ['<b>', 'b', BOLD], ['<strong>', 'strong', BOLD],
  ['<sup>', 'sup', SUP], ['<sub>', 'sub', SUB], ['<code>', 'code', CODE],
  ['<span class="nocase">', 'span', 0], ['<span style="font-variant:small-caps;">', 'span', SMALL_CAPS],
  ['<span style="font-variant: small-caps;">', 'span', SMALL_CAPS], ['<span class="smallcaps">', 'span', SMALL_CAPS],
];

/** Text and runs of a CSL rich-text string; runs only when some of it is styled. */
export function parseRichText(input: string): { text: string; runs?: RichRun[] } {
  if (!input.includes('<') && !input.includes('&')) return { text: input };
  const runs: RichRun[] = [];
  const stack: Array<{ name: string; style: number }> = [];
  let style = 0;
  let styled = false;
  let text = '';
  const add = (chunk: string): void => {
    if (!chunk) return;
    text += chunk;
    const last = runs[runs.length - 1];
    if (last && runStyle(last) === style) last.text += chunk;
    else runs.push(makeRun(chunk, style));
    if (style) styled = true;
  };
  let i = 0;
  const n = input.length;
  // Next `<` and `&` at or after i, searched again only once passed: searching from every tag
  // to the end of the text would be quadratic on many tags and no `&`.
  let lt = -2;
  let amp = -2;
  while (i < n) {
    if (lt !== -1 && lt < i) lt = input.indexOf('<', i);
    if (amp !== -1 && amp < i) amp = input.indexOf('&', i);
    const next = lt < 0 ? amp : amp < 0 ? lt : Math.min(lt, amp);
    if (next < 0) {
      add(input.slice(i));
      break;
    }
    add(input.slice(i, next));
    i = next;
    if (input.charCodeAt(i) === 38) {
      const entity = readEntity(input, i);
      add(entity.text);
      i = entity.end;
      continue;
    }
    const open = OPEN_TAGS.find(([tag]) => input.startsWith(tag, i));
    if (open) {
      stack.push({ name: open[1], style });
      style |= open[2];
      i += open[0].length;
      continue;
    }
    if (input.charCodeAt(i + 1) === 47) {
      const close = input.indexOf('>', i);
      const name = close > 0 && close - i < 12 ? input.slice(i + 2, close) : '';
      const top = stack[stack.length - 1];
      if (top && top.name === name) {
        stack.pop();
        style = top.style;
        i = close + 1;
        continue;
      }
    }
    add('<');
    i++;
  }
  return styled ? { text, runs } : { text };
}

/** Plain text of CSL rich text (tags dropped, entities decoded). */
export function richTextPlain(input: string): string {
  return parseRichText(input).text;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** An `&…;` entity at `i`: its text (a lone `&` stays `&`; code points out of range are not decoded). */
export function readEntity(input: string, i: number): { text: string; end: number } {
  const semi = input.indexOf(';', i);
  if (semi < 0 || semi - i > 12) return { text: '&', end: i + 1 };
  const body = input.slice(i + 1, semi);
  if (Object.prototype.hasOwnProperty.call(NAMED_ENTITIES, body)) return { text: NAMED_ENTITIES[body], end: semi + 1 };
  const numeric = /^#(?:x([0-9a-f]{1,6})|(\d{1,7}))$/i.exec(body);
  if (numeric) {
    const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    if (code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) return { text: String.fromCodePoint(code), end: semi + 1 };
  }
  return { text: '&', end: i + 1 };
}

function runStyle(run: RichRun): number {
  return (run.italic ? ITALIC : 0) | (run.bold ? BOLD : 0) | (run.smallCaps ? SMALL_CAPS : 0) | (run.sup ? SUP : 0) | (run.sub ? SUB : 0) | (run.code ? CODE : 0);
}

function makeRun(text: string, style: number): RichRun {
  const run: RichRun = { text };
  if (style & ITALIC) run.italic = true;
  if (style & BOLD) run.bold = true;
  if (style & SMALL_CAPS) run.smallCaps = true;
  if (style & SUP) run.sup = true;
  if (style & SUB) run.sub = true;
  if (style & CODE) run.code = true;
  return run;
}
