import { assignKeys, DEFAULT_KEY_TEMPLATE } from './citekey';
import { parseRichText } from './rich-text';
import { expandVenue } from './venues';
import { normaliseTitle } from './text';
import { decodeLatex } from './latex/decode';
import { CslDate, Paper, Problem, RichRun } from './types';

/** One title/abstract pair found in a scraped listing page, with the line its title is on. */
export interface SeedEntry {
  title: string;
  abstract: string;
  line: number;
}

/** One record of `papers-metadata.json`. */
export interface SeedMetadata {
  title: string;
  arxiv?: string | null;
  authors?: { given?: string; family?: string; literal?: string }[];
  date?: string | null;
  year?: number | null;
  venue?: string | null;
  doi?: string | null;
  code?: string | null;
}

interface Block {
  text: string;
  line: number;
}

/** Splits text into paragraphs (runs of non-blank lines joined with spaces), keeping each one's first line. */
function paragraphs(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let current: string[] = [];
  let startLine = 0;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line) {
      if (!current.length) startLine = index + 1;
      current.push(line);
    } else if (current.length) {
      blocks.push({ text: current.join(' '), line: startLine });
      current = [];
    }
  });
  if (current.length) blocks.push({ text: current.join(' '), line: startLine });
  return blocks;
}

/*
 * How a listing page is read, without knowing its chrome strings:
 * - A paragraph is "prose" when it reads like sentences: at least 150 characters and 20 words,
 *   with a sentence end in it. Abstracts are paragraphs of sentences; titles, buttons, dates and
 *   bylines are one short line.
 * - A title is a short paragraph (under 300 characters, not ending in `.` or `:` as a sentence or
 *   a lead-in does) directly followed by prose; that prose starts its abstract.
 * - Further prose before the next title continues the abstract (multi-paragraph abstracts), and so
 *   does a short paragraph ending in `.` or `:` that is not a title (a closing "Code is at …."
 *   line, a lead-in to a list of contributions).
 * - Every other short paragraph is page chrome ("Subscribe", "Jun 17", a byline) and is skipped.
 */
const isProse = (block: Block) => block.text.length >= 150 && /[.!?]/.test(block.text) && block.text.split(/\s+/).length >= 20;
const canBeTitle = (block: Block) => block.text.length < 300 && !/(?:[^.]\.|:)$/.test(block.text);

/** Title/abstract pairs of a scraped listing page, page chrome skipped. */
export function parseSeedText(text: string): SeedEntry[] {
  const blocks = paragraphs(text);
  const entries: SeedEntry[] = [];
  let current: SeedEntry | undefined;
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i];
    const next = blocks[i + 1];
    if (!isProse(block) && canBeTitle(block) && next && isProse(next)) {
      current = { title: block.text, abstract: next.text, line: block.line };
      entries.push(current);
      i++;
    } else if (current && isProse(block)) {
      current.abstract += `\n\n${block.text}`;
    } else if (current && /[.:]$/.test(block.text)) {
      current.abstract += `\n\n${block.text}`;
    } else {
      current = current && isProse(block) ? current : undefined;
    }
  }
  return entries;
}

/** Venue names that are journals rather than conferences (no year, or a journal word). */
function isJournal(venue: string): boolean {
  return /\b(journal|transactions|letters|review|magazine|science of|proceedings of the national)\b/i.test(venue) && !/\b(19|20)\d\d\b/.test(venue);
}

function dateOf(meta: SeedMetadata): CslDate | undefined {
  const fromDate = meta.date ? /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(meta.date) : null;
  if (fromDate) return { 'date-parts': [fromDate.slice(1).filter(Boolean).map(Number)] };
  if (meta.year) return { 'date-parts': [[meta.year]] };
  return undefined;
}

/** Listing text as a reader sees it: arXiv listings keep TeX (`$\\textit{…}$`, ``quotes'', `--`) and some sites HTML tags. */
function readableText(text: string): { text: string; runs?: RichRun[] } {
  const html = parseRichText(text);
  if (html.runs) return html;
  return decodeLatex(text, true);
}

/** Builds the CSL-JSON record of a bundled paper (key assigned later). */
function toPaper(entry: SeedEntry, meta: SeedMetadata | undefined, source: string): Paper {
  // The title as listed (arXiv listings keep its LaTeX) makes the key; it is decoded once keys are assigned.
  const paper: Paper = {
    id: '',
    type: 'article',
    title: entry.title,
    author: (meta?.authors ?? []).map((a) => (a.literal ? { literal: a.literal } : a.given ? { family: a.family, given: a.given } : { family: a.family })),
    abstract: readableText(entry.abstract).text,
    source,
    sourceLine: entry.line,
  };
  if (!meta) return paper;
  const issued = dateOf(meta);
  if (issued) paper.issued = issued;
  if (meta.arxiv) {
    paper.arxiv = meta.arxiv;
    paper.URL = `https://arxiv.org/abs/${meta.arxiv}`;
  }
  if (meta.doi) paper.DOI = meta.doi;
  if (meta.code) paper.code = meta.code;
  if (meta.venue) {
    if (isJournal(meta.venue)) {
      paper.type = 'article-journal';
      paper['container-title'] = meta.venue;
    } else {
      // Cited as the venue prints itself: its full name (the short form stays the event).
      paper.type = 'paper-conference';
      paper.event = meta.venue;
      paper['container-title'] = expandVenue(meta.venue).name;
    }
  }
  return paper;
}

export interface SeedSource {
  /** Shown in messages, e.g. the file name. */
  name: string;
  text: string;
}

/**
 * The bundled library: listing pages joined to their metadata by normalised title, with keys.
 * A paper without metadata still loads (title and abstract only) and is reported; so is metadata
 * that matches no paper, and a title listed twice (the first is kept).
 */
export function buildBundledLibrary(
  sources: readonly SeedSource[],
  metadataFiles: readonly SeedSource[],
  options: { keyTemplate?: string; takenKeys?: ReadonlySet<string> } = {},
): { papers: Paper[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const metadata: SeedMetadata[] = [];
  for (const file of metadataFiles) {
    try {
      const parsed: unknown = JSON.parse(file.text);
      if (Array.isArray(parsed)) metadata.push(...(parsed as SeedMetadata[]));
      else problems.push({ severity: 'error', message: `${file.name}: paper metadata is not a JSON array; its papers load without authors` });
    } catch (err) {
      problems.push({ severity: 'error', message: `${file.name}: paper metadata is not valid JSON (${(err as Error).message}); its papers load without authors` });
    }
  }
  const metaByTitle = new Map<string, SeedMetadata>();
  for (const meta of metadata) if (meta && typeof meta.title === 'string') metaByTitle.set(normaliseTitle(meta.title), meta);

  const papers: Paper[] = [];
  const seen = new Set<string>();
  const matched = new Set<string>();
  for (const source of sources) {
    const entries = parseSeedText(source.text);
    if (!entries.length) problems.push({ severity: 'warning', message: `${source.name}: no papers found (expected titles each followed by an abstract paragraph)` });
    for (const entry of entries) {
      const norm = normaliseTitle(entry.title);
      if (seen.has(norm)) {
        problems.push({ severity: 'info', line: entry.line, message: `${source.name}:${entry.line}: "${entry.title}" is listed again; the first listing is kept` });
        continue;
      }
      seen.add(norm);
      const meta = metaByTitle.get(norm);
      if (meta) matched.add(norm);
      else problems.push({ severity: 'warning', line: entry.line, message: `${source.name}:${entry.line}: no metadata for "${entry.title}"; it loads without authors or date` });
      papers.push(toPaper(entry, meta, 'bundled'));
    }
  }
  for (const [norm, meta] of metaByTitle) {
    if (!matched.has(norm)) problems.push({ severity: 'warning', message: `metadata for "${meta.title}" matches no paper in the listings` });
  }
  const keys = assignKeys(papers, options.keyTemplate ?? DEFAULT_KEY_TEMPLATE, options.takenKeys);
  papers.forEach((paper, i) => {
    paper.id = keys[i];
    const title = readableText(paper.title);
    paper.title = title.text;
    if (title.runs) paper.titleRich = title.runs;
    // Keys come from the preprint's date; the entry carries the year of the venue it was published at.
    const venueYear = paper.event ? expandVenue(paper.event).year : undefined;
    if (venueYear && paper.issued?.['date-parts']?.[0]?.[0] !== venueYear) paper.issued = { 'date-parts': [[venueYear]] };
  });
  return { papers, problems };
}
