// Our formatter (citeproc-js through citation-js) against Pandoc's `--citeproc` (the Haskell
// citeproc library) on the bundled library plus a book, a chapter, a conference paper and a
// thesis: the same CSL-JSON (toCslItem), the same .csl files, entry by entry. Skipped where `pandoc` is not installed (Debian package `pandoc`).
//
// The two engines disagree in a few documented ways; NORMALISATIONS below names each with the
// styles it applies to and why, and is applied to both outputs before comparing. Anything else
// that differs fails the test. The agreement per style (raw and after normalisation) is printed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { toCslItem } from '../../src/core/format/csl-json';
import { htmlToText } from '../../src/core/format/html';
import { BUNDLED_STYLES } from '../../src/core/format/styles';
import { bundledPapers, bundledRegistry, CSL_DIR } from '../fixtures/format/setup';
import { BOOK, CHAPTER, CONFERENCE, THESIS } from '../fixtures/format/works';

interface Normalisation {
  /** What differs and why. */
  why: string;
  /** Styles it applies to (all when absent). */
  styles?: string[];
  /** Applied to our text. */
  ours?: (text: string) => string;
  /** Applied to Pandoc's text. */
  pandoc?: (text: string) => string;
}

/** Words citeproc-js keeps lower case in title case and the CSL 1.0.2 specification's stop-word list (which Haskell citeproc uses) does not have. */
const CITEPROC_JS_ONLY_STOP_WORDS = new Set(['about', 'above', 'across', 'after', 'against', 'along', 'among', 'around', 'before', 'behind', 'below', 'beneath', 'beside', 'between', 'beyond', 'during', 'except', 'inside', 'like', 'near', 'off', 'out', 'per', 'since', 'than', 'through', 'throughout', 'toward', 'towards', 'under', 'until', 'upon', 'versus', 'within', 'without']);

const NORMALISATIONS: Normalisation[] = [
  {
    why: 'Layout only: Pandoc writes a numeric label as `[1] ` inside its margin div, so its text has two spaces after the label. White space is compared collapsed (and "identical" counts it so).',
    ours: (t) => t.replace(/\s+/g, ' ').trim(),
    pandoc: (t) => t.replace(/\s+/g, ' ').trim(),
  },
  {
    why: 'is-numeric: Haskell citeproc takes `arXiv:2307.03381` for a number and APA labels it "No."; citeproc-js does not (CSL says numbers may have prefixes, but not punctuation inside). APA 7 itself writes "(arXiv:2307.03381)", as citeproc-js does.',
    styles: ['apa'],
    pandoc: (t) => t.replace(/\(No\. arXiv:/g, '(arXiv:'),
  },
  {
    why: 'Group suppression: IEEE puts `[Online].` in a group whose only variable, `accessed`, is empty. Haskell citeproc suppresses the whole group, per the CSL 1.0.2 rule; citeproc-js keeps the term-only subgroup and prints "[Online]." (what the IEEE reference guide wants).',
    styles: ['ieee'],
    ours: (t) => t.replace(/ \[Online\]\./g, ''),
  },
  {
    why: 'Punctuation in quotes: after a title ending in `?`, citeproc-js keeps the delimiter comma ("…Learning?,”"); Haskell citeproc drops it ("…Learning?”").',
    styles: ['ieee'],
    ours: (t) => t.replace(/([?!]),”/g, '$1”'),
  },
  {
    why: 'Locale data: Pandoc 2.17 formats with the CSL locales built into its citeproc 0.6, older than the bundled ones; they lack CSL 1.0.2\'s type terms, so Nature\'s "Preprint at" (term `article`) is "at" there.',
    styles: ['nature'],
    ours: (t) => t.replace(/\bPreprint at /g, 'at '),
  },
  {
    why: 'Initials of hyphenated given names whose second part is lower case (`Yiu-ming`, `Jin-jae`): citeproc-js writes "Y ming", Haskell citeproc "Y"; Vancouver wants "YM".',
    styles: ['vancouver'],
    ours: (t) => t.replace(/(\b[A-Z]) [a-z]+(?=[,.])/g, '$1'),
  },
];

/**
 * Title case (Chicago, MLA): the engines agree except on words in citeproc-js's longer stop-word
 * list (it writes "after", "without", "through" lower case; Haskell citeproc capitalises them), and
 * on all-capital words with digits, which citeproc-js keeps ("FP4") and Haskell citeproc lowers ("Fp4").
 */
function sameButTitleCase(ours: string, pandoc: string): boolean {
  const a = ours.split(' ');
  const b = pandoc.split(' ');
  if (a.length !== b.length) return false;
  return a.every((word, i) => {
    const other = b[i]!;
    if (word === other) return true;
    if (word.toLowerCase() !== other.toLowerCase()) return false;
    const bare = word.replace(/[^\p{L}\p{N}]/gu, '');
    return CITEPROC_JS_ONLY_STOP_WORDS.has(bare) || (/\d/.test(bare) && bare === bare.toUpperCase());
  });
}
const TITLE_CASE_STYLES = new Set(['chicago-author-date', 'modern-language-association']);

/** The italic passages of an entry, lower-cased (title case may differ, see above). */
function italics(html: string, pattern: RegExp): string {
  return [...html.matchAll(pattern)].map((m) => htmlToText(m[1]!).toLowerCase()).join(' | ');
}

function pandocAvailable(): boolean {
  const run = spawnSync('pandoc', ['--version'], { encoding: 'utf8' });
  return run.status === 0 && /pandoc/.test(run.stdout);
}

/** Pandoc's entries for every item: `<div id="ref-KEY" class="csl-entry" …>…</div>` → key → HTML. */
function pandocEntries(dir: string, style: string): Map<string, string> {
  const run = spawnSync('pandoc', ['doc.md', '--citeproc', '--bibliography', 'refs.json', '--csl', path.join(CSL_DIR, 'styles', `${style}.csl`), '-t', 'html', '--wrap=none'], { cwd: dir, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const entries = new Map<string, string>();
  for (const m of run.stdout.matchAll(/<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)<\/div>\n(?=<div id="ref-|<\/div>)/gs)) {
    entries.set(m[1]!, m[2]!);
  }
  return entries;
}

// In CI (.ci/setup installs pandoc) a missing pandoc is a failure, not a skip.
if (process.env.CI && !pandocAvailable()) throw new Error('pandoc is not installed: run .ci/setup');

describe('formatting agrees with Pandoc --citeproc', { skip: pandocAvailable() ? false : 'pandoc is not installed (Debian package `pandoc`)' }, () => {
  const registry = bundledRegistry();
  // the bundled library (conference papers, preprints, journal articles) and the other kinds of work
  const items = [...bundledPapers(), BOOK, CHAPTER, CONFERENCE, THESIS].map(toCslItem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-pandoc-'));
  fs.writeFileSync(path.join(dir, 'refs.json'), JSON.stringify(items));
  // listing the keys in order makes both engines number numeric styles the same way
  fs.writeFileSync(path.join(dir, 'doc.md'), `---\nnocite: '${items.map((i) => `@${i.id}`).join(', ')}'\n---\n`);
  const figures: string[] = [];

  for (const style of BUNDLED_STYLES) {
    it(`${style}: every entry of the bundled library and four other works, apart from the documented differences`, () => {
      const theirs = pandocEntries(dir, style);
      const formatter = registry.formatter(style)!;
      const ours = formatter.formatBibliography(items, { format: 'text' });
      const oursHtml = new Map(formatter.formatBibliography(items, { format: 'html' }).map((e) => [e.id, e.content]));
      assert.equal(ours.length, items.length);
      const rules = NORMALISATIONS.filter((n) => !n.styles || n.styles.includes(style));
      const collapse = (t: string): string => t.replace(/\s+/g, ' ').trim();
      let identical = 0;
      let agreed = 0;
      const failures: string[] = [];
      for (const entry of ours) {
        const pandocHtml = theirs.get(entry.id);
        assert.ok(pandocHtml !== undefined, `Pandoc has no entry for ${entry.id}`);
        const pandoc = htmlToText(pandocHtml);
        if (collapse(pandoc) === collapse(entry.content)) identical++;
        const a = rules.reduce((t, n) => (n.ours ? n.ours(t) : t), entry.content);
        const b = rules.reduce((t, n) => (n.pandoc ? n.pandoc(t) : t), pandoc);
        const sameText = a === b || (TITLE_CASE_STYLES.has(style) && sameButTitleCase(a, b));
        // and the same words in italics (Pandoc <em>, citeproc-js <i>)
        const sameEmphasis = italics(oursHtml.get(entry.id)!, /<i>(.*?)<\/i>/g) === italics(pandocHtml, /<em>(.*?)<\/em>/g);
        if (sameText && sameEmphasis) agreed++;
        else failures.push(`${entry.id}\n  ours:   ${a}\n  pandoc: ${b}${sameEmphasis ? '' : '\n  (italics differ)'}`);
      }
      figures.push(`${style}: ${identical}/${ours.length} identical, ${agreed}/${ours.length} after the documented normalisations`);
      assert.deepEqual(failures, []);
    });
  }

  after(() => {
    console.log(`Pandoc agreement (${items.length} entries per style):\n  ${figures.join('\n  ')}`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
