/**
 * The rich text Zotero allows in titles: `<i>`, `<b>`, `<sub>`, `<sup>`,
 * `<span style="font-variant:small-caps;">` and `<span class="nocase">` (which only protects case).
 * Any other `<…>` is text: Zotero does not escape `<` or `&` in fields. One forward scan with
 * `indexOf`, so it is linear in the title whatever the title holds.
 */
import type { RichRun } from '../types';

type Style = 'italic' | 'bold' | 'sub' | 'sup' | 'smallCaps' | 'nocase';

const OPENING: Readonly<Record<string, Style>> = {
  '<i>': 'italic',
  '<b>': 'bold',
  '<sub>': 'sub',
  '<sup>': 'sup',
  '<span style="font-variant:small-caps;">': 'smallCaps',
  '<span style="font-variant: small-caps;">': 'smallCaps',
  '<span class="nocase">': 'nocase',
};
const CLOSING: Readonly<Record<string, Style | 'span'>> = {
  '</i>': 'italic',
  '</b>': 'bold',
  '</sub>': 'sub',
  '</sup>': 'sup',
  '</span>': 'span',
};
/** The longest tag above, so a `<` without a `>` nearby is not scanned further. */
const LONGEST_TAG = 48;
/** Deeper nesting than this is not emphasis anyone wrote; further tags are dropped, keeping the scan linear. */
const MAX_DEPTH = 16;

/** A title as plain text, and as runs with their emphasis when it has any. */
export interface ReadTitle {
  text: string;
  rich?: RichRun[];
}

/** Reads a title that may carry Zotero's rich-text tags. */
export function readRichTitle(title: string): ReadTitle {
  if (!title.includes('<')) return { text: title };
  const runs: RichRun[] = [];
  const open: Style[] = [];
  let emphasised = false;
  let text = '';
  let pos = 0;
  // The first `>` at or after the current `<` (the title's length when there is none), reused while
  // the scan is before it, so a title of many `<` and one late `>` is still read in one pass.
  let nextGt = -1;

  const push = (piece: string): void => {
    if (!piece) return;
    text += piece;
    const run: RichRun = { text: piece };
    for (const style of open) {
      if (style === 'nocase') continue;
      run[style] = true;
      emphasised = true;
    }
    const last = runs[runs.length - 1];
    if (last && sameStyle(last, run)) last.text += piece;
    else runs.push(run);
  };

  while (pos < title.length) {
    const lt = title.indexOf('<', pos);
    if (lt < 0) {
      push(title.slice(pos));
      break;
    }
    push(title.slice(pos, lt));
    if (nextGt < lt) {
      const found = title.indexOf('>', lt);
      nextGt = found < 0 ? title.length : found;
    }
    const gt = nextGt;
    const tag = gt < title.length && gt - lt < LONGEST_TAG ? title.slice(lt, gt + 1) : '';
    const opening = tag && Object.hasOwn(OPENING, tag) ? OPENING[tag] : undefined;
    const closing = tag && Object.hasOwn(CLOSING, tag) ? CLOSING[tag] : undefined;
    if (opening) {
      if (open.length < MAX_DEPTH) open.push(opening);
      pos = gt + 1;
    } else if (closing) {
      // `</span>` closes the innermost span-style (small caps or nocase); others close their own tag.
      const index = closing === 'span'
        ? open.map((s) => s === 'smallCaps' || s === 'nocase').lastIndexOf(true)
        : open.lastIndexOf(closing);
      if (index >= 0) open.splice(index, 1);
      pos = gt + 1;
    } else {
      push('<');
      pos = lt + 1;
    }
  }
  return emphasised ? { text, rich: runs } : { text };
}

function sameStyle(a: RichRun, b: RichRun): boolean {
  return !!a.italic === !!b.italic && !!a.bold === !!b.bold && !!a.sub === !!b.sub && !!a.sup === !!b.sup && !!a.smallCaps === !!b.smallCaps;
}
