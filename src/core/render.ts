import { displayName, Paper, paperVenue, paperYear, Span } from './types';

/** "A, B, C et al." — the first `max` authors' display names. */
export function formatAuthors(paper: Paper, max = 3): string {
  const names = paper.author.map(displayName).filter(Boolean);
  if (!names.length) return 'Unknown authors';
  return names.length > max ? `${names.slice(0, max).join(', ')} et al.` : names.join(', ');
}

/** "Family et al." or "Family & Family", for narrow places. */
export function shortAuthors(paper: Paper): string {
  const family = paper.author.map((a) => a.family ?? a.literal ?? a.given ?? '').filter(Boolean);
  if (!family.length) return 'Unknown authors';
  if (family.length === 1) return family[0];
  if (family.length === 2) return `${family[0]} & ${family[1]}`;
  return `${family[0]} et al.`;
}

/** "venue year", either part left out when unknown; a venue that names its own year gets no second one. */
export function venueAndYear(paper: Paper): string {
  const venue = paperVenue(paper);
  const year = paperYear(paper);
  // "ICLR 2024" for a preprint from 2023: the venue's year is the one a reader looks for.
  if (venue && /\b(1[89]|20)\d\d\b/.test(venue)) return venue;
  return [venue ?? (paper.arxiv ? 'arXiv' : undefined), year].filter((x) => x !== undefined && x !== '').join(' ');
}

/** "Authors · venue year": the one-line description used in lists. */
export function paperDescription(paper: Paper, maxAuthors = 3): string {
  return [formatAuthors(paper, maxAuthors), venueAndYear(paper)].filter(Boolean).join(' · ');
}

/**
 * The stretch of an abstract (about `width` characters, cut at word boundaries) holding the most
 * matched ranges; the opening when nothing matched.
 */
export function abstractSnippet(abstract: string, ranges: readonly Span[], width = 160): { text: string; ranges: Span[] } {
  const flat = abstract.replace(/\s+/g, ' ').trim();
  if (flat.length <= width) return { text: flat, ranges: ranges.filter((r) => r.end <= flat.length).map((r) => ({ ...r })) };
  // Ranges refer to the original abstract; collapsing whitespace may shift them, so recompute on the flat text.
  const offsets = flat === abstract ? ranges : remapRanges(abstract, flat, ranges);
  // The window (starting a quarter width before some range) holding the most ranges, found with
  // two pointers over the ranges in order: linear however dense they are.
  const sorted = [...offsets].sort((a, b) => a.start - b.start || a.end - b.end);
  let bestStart = 0;
  let bestCount = 0;
  let first = 0;
  let last = 0;
  for (const range of sorted) {
    const start = Math.max(0, range.start - Math.floor(width / 4));
    while (first < sorted.length && sorted[first].start < start) first++;
    if (last < first) last = first;
    while (last < sorted.length && sorted[last].start <= start + width) last++;
    let count = 0;
    // Ranges starting in the window end in it too, but for the last few (matched words are short).
    for (let j = last - 1; j >= first && j >= last - 16 && sorted[j].end > start + width; j--) count--;
    count += last - first;
    if (count > bestCount) {
      bestCount = count;
      bestStart = start;
    }
  }
  let start = bestStart;
  if (start > 0) {
    const space = flat.indexOf(' ', start);
    start = space >= 0 && space < start + 20 ? space + 1 : start;
  }
  let end = Math.min(flat.length, start + width);
  if (end < flat.length) {
    const space = flat.lastIndexOf(' ', end);
    if (space > start + width / 2) end = space;
  }
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const shown = sorted
    .filter((r) => r.start >= start && r.end <= end)
    .map((r) => ({ start: r.start - start + prefix.length, end: r.end - start + prefix.length }));
  return { text: prefix + flat.slice(start, end) + suffix, ranges: shown };
}

function remapRanges(original: string, flat: string, ranges: readonly Span[]): Span[] {
  // Map each original offset to its offset in the whitespace-collapsed, trimmed text.
  const map = new Int32Array(original.length + 1);
  let j = 0;
  let inSpace = false;
  const lead = original.length - original.trimStart().length;
  for (let i = 0; i < original.length; i++) {
    map[i] = j;
    if (i < lead) continue;
    if (/\s/.test(original[i])) {
      if (!inSpace) j++;
      inSpace = true;
    } else {
      j++;
      inSpace = false;
    }
  }
  map[original.length] = Math.min(j, flat.length);
  return ranges.map((r) => ({ start: map[r.start], end: map[r.end] }));
}

/** Escapes text so Markdown shows it literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, '\\$&');
}

/** The first `max` characters of a text, cut at a word boundary, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.lastIndexOf(' ', max);
  return `${flat.slice(0, cut > max / 2 ? cut : max)}…`;
}

export interface SummaryOptions {
  /** Characters of abstract to show. */
  abstractChars?: number;
  /** Command links at the end, as [label, command URI] pairs (already encoded). */
  links?: [string, string][];
  /** Show where the record comes from. */
  showSource?: boolean;
}

/**
 * A paper as Markdown: bold title, authors (first three), venue and year, the opening of the
 * abstract. Paper text is escaped: a title cannot inject links or HTML. Used by hover, completion
 * documentation and tooltips alike.
 */
export function paperMarkdown(paper: Paper, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  lines.push(`**${escapeMarkdown(paper.title.replace(/\s+/g, ' ').trim())}**`);
  lines.push('');
  const meta = [escapeMarkdown(formatAuthors(paper)), escapeMarkdown(venueAndYear(paper))].filter(Boolean).join(' · ');
  lines.push(meta);
  // A key from a CSL-JSON file may hold any character: a backtick would end the code span, and a
  // blank line the paragraph (letting what follows become a link).
  const ids = [/[`\r\n]/.test(paper.id) ? escapeMarkdown(paper.id.replace(/\s+/g, ' ')) : `\`${paper.id}\``];
  if (paper.arxiv) ids.push(`arXiv ${escapeMarkdown(paper.arxiv)}`);
  if (options.showSource && paper.source) ids.push(escapeMarkdown(paper.source === 'bundled' ? 'bundled library' : paper.source));
  lines.push('');
  lines.push(ids.join(' · '));
  if (paper.abstract) {
    lines.push('');
    lines.push(escapeMarkdown(truncate(paper.abstract, options.abstractChars ?? 400)));
  }
  if (options.links?.length) {
    lines.push('');
    lines.push(options.links.map(([label, uri]) => `[${escapeMarkdown(label)}](${uri})`).join(' · '));
  }
  return lines.join('\n');
}

/** Wraps text to `width` columns at spaces, keeping paragraph breaks, each line prefixed by `indent`. */
export function wrapText(text: string, width: number, indent = ''): string {
  return text
    .split(/\n\s*\n/)
    .map((para) => {
      const words = para.replace(/\s+/g, ' ').trim().split(' ');
      const lines: string[] = [];
      let line = '';
      for (const word of words) {
        if (line && indent.length + line.length + 1 + word.length > width) {
          lines.push(indent + line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      if (line) lines.push(indent + line);
      return lines.join('\n');
    })
    .join('\n\n');
}
