/* Citation syntax: the cursor lookup that runs on every keystroke, the whole-document key scan, and the diagnostics check. */
import { scanBibEntries } from '../src/core/bib-entries';
import { checkCitations, type LibraryKeyInfo } from '../src/core/cite-check';
import { citationAt, citedKeys, findCitations, type CiteFlavor } from '../src/core/cite-syntax';
import { findTexRoot, projectBibliographies } from '../src/core/tex-project';
import { median } from './stats';

const LINES = 5000;
const LOOKUPS = 2000;
const SCANS = 30;

const PROSE = [
  'The method trains a small model on synthetic data and evaluates it on held-out tasks,',
  'with the learning rate warmed up over the first thousand steps and decayed afterwards.',
  'We report the mean over five seeds; the variance is small compared with the effect size.',
  'Table~\\ref{tab:main} lists the configurations, and Figure~\\ref{fig:curves} the curves.',
];

/** A 5,000-line paper in LaTeX: prose with a cite every few lines in several shapes, comments, math, figures, verbatim. */
function latexDocument(lines: number): string {
  const out = ['\\documentclass{article}', '\\usepackage{natbib}', '\\begin{document}', '\\section{Introduction}'];
  for (let i = 0; out.length < lines; i++) {
    out.push(PROSE[i % 4]!, PROSE[(i + 1) % 4]!);
    if (i % 2 === 0) out.push(`Prior work on topic ${i} \\citep[see][p.~${i % 40}]{smith${i},jones${i % 97}} reports 12\\% when \\(x_${i} \\le y\\).`);
    else out.push(`As \\citet{lee${i % 300}} and \\citeauthor*{wu${i}} argue, the effect holds in $n = ${i}$ trials.`);
    if (i % 3 === 0) out.push(`% TODO: also \\cite{draft${i}} once the review is back`);
    if (i % 7 === 0) out.push(`Several groups \\cite{multi${i}a,`, `      multi${i}b, % the preprint`, `      multi${i}c} agree.`);
    if (i % 11 === 0) out.push('\\begin{equation}', `  L_${i} = \\sum_{t} \\log p_\\theta(x_t \\mid x_{<t})`, '\\end{equation}');
    if (i % 17 === 0) out.push('', `\\subsection{Part ${i}}`, '');
    if (i % 40 === 0) {
      out.push('\\begin{figure}[t]', '  \\centering', `  \\includegraphics[width=\\linewidth]{fig${i}}`, `  \\caption{Results from \\cite{fig${i}}.}`, '\\end{figure}');
    }
    if (i % 90 === 0) out.push('\\begin{verbatim}', `\\cite{not${i}}`, '\\end{verbatim}');
  }
  out.push('\\bibliographystyle{plainnat}', '\\bibliography{references}', '\\end{document}');
  return out.join('\n');
}

/** The same paper in Pandoc Markdown: bracketed and bare citations, code, comments, e-mails. */
function markdownDocument(lines: number): string {
  const out = ['---', 'title: A long paper', 'bibliography: references.bib', '---', '', '# Introduction', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(PROSE[i % 4]!, PROSE[(i + 1) % 4]!);
    if (i % 2 === 0) out.push(`Prior work on topic ${i} [see @smith${i}, p. ${i % 40}; @jones${i % 97}] reports 12% for \`x_${i}\`.`);
    else out.push(`As @lee${i % 300} argues [-@wu${i}], the effect holds; write to author${i}@example.org.`);
    if (i % 3 === 0) out.push(`<!-- TODO: also @draft${i} -->`);
    if (i % 7 === 0) out.push(`Several groups [@multi${i}a;`, `@multi${i}b; @multi${i}c] agree.`);
    out.push('');
    if (i % 17 === 0) out.push(`## Part ${i}`, '');
    if (i % 40 === 0) out.push('```python', `print("@not${i}")`, '```', '');
  }
  return out.join('\n');
}

/** An offset inside a citation body near the middle of the text. */
function middleCursor(text: string, flavor: CiteFlavor): number {
  const from = Math.floor(text.length / 2);
  const at = flavor === 'latex' ? text.indexOf('\\citep[', from) : text.indexOf('[see @', from);
  return flavor === 'latex' ? text.indexOf('{', at) + 3 : at + 7;
}

/**
 * A .bib holding most of the keys the generated documents cite (every `smith`, `jones`, `lee` and
 * `multi` key), so the check has both found and missing keys to sort out.
 */
function bibText(): string {
  const entries: string[] = [];
  const entry = (key: string, i: number): string =>
    `@article{${key},\n  title = {Paper ${i}},\n  author = {Doe, Jane},\n  journal = {Journal},\n  year = {2020},\n  doi = {10.1000/${key}}\n}\n`;
  for (let i = 0; i < 1200; i++) entries.push(entry(`smith${i}`, i), entry(`multi${i}a`, i), entry(`multi${i}b`, i));
  for (let i = 0; i < 300; i++) entries.push(entry(`lee${i}`, i));
  for (let i = 0; i < 97; i++) entries.push(entry(`jones${i}`, i));
  return entries.join('\n');
}

/** The library: a few thousand keys, some the .bib lacks (`wu…`), with identifiers. */
function libraryLookup(): (key: string) => LibraryKeyInfo | undefined {
  const library = new Map<string, LibraryKeyInfo>();
  for (let i = 0; i < 3000; i++) {
    library.set(`wu${i}`, { arxiv: `2401.${String(10000 + i)}` });
    library.set(`smith${i}`, { doi: `10.1000/smith${i}` });
  }
  return (key) => library.get(key);
}

/**
 * Median ms of the whole diagnostics check: for LaTeX, find the project root and its declared
 * bibliographies (as the extension does before every check), then find every citation and classify its keys.
 */
function measureCheck(text: string, flavor: CiteFlavor): { check: number; problems: number } {
  const bibEntries = scanBibEntries(bibText());
  const library = libraryLookup();
  const files = new Map([['/paper/main.tex', text]]);
  const run = () => {
    if (flavor === 'latex') projectBibliographies(findTexRoot('/paper/main.tex', files) ?? '/paper/main.tex', files);
    return checkCitations(findCitations(text, flavor), { flavor, bibEntries, hasBibliography: true, library });
  };
  run();
  const times: number[] = [];
  let problems = 0;
  for (let i = 0; i < SCANS; i++) {
    const t0 = performance.now();
    problems = run().length;
    times.push(performance.now() - t0);
  }
  return { check: median(times), problems };
}

function measure(text: string, flavor: CiteFlavor): { lookup: number; scan: number; keys: number; found: boolean } {
  const at = middleCursor(text, flavor);
  for (let i = 0; i < 200; i++) citationAt(text, at, flavor);
  const lookups: number[] = [];
  let found = true;
  for (let i = 0; i < LOOKUPS; i++) {
    const t0 = performance.now();
    const c = citationAt(text, at, flavor);
    lookups.push(performance.now() - t0);
    if (!c) found = false;
  }
  citedKeys(text, flavor);
  const scans: number[] = [];
  let keys = 0;
  for (let i = 0; i < SCANS; i++) {
    const t0 = performance.now();
    keys = citedKeys(text, flavor).length;
    scans.push(performance.now() - t0);
  }
  return { lookup: median(lookups), scan: median(scans), keys, found };
}

/**
 * Median ms of `citationAt` mid-document, of `citedKeys` over the whole of a 5,000-line document,
 * and of the diagnostics check (all citations classified against a 4,000-entry .bib), per flavor.
 */
export async function citeBench(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  for (const flavor of ['latex', 'markdown'] as const) {
    const text = flavor === 'latex' ? latexDocument(LINES) : markdownDocument(LINES);
    const m = measure(text, flavor);
    figures[`${flavor}: document size (KB)`] = text.length / 1024;
    figures[`${flavor}: citationAt mid-document, median (ms)`] = m.lookup;
    figures[`${flavor}: citationAt found the citation (1 = yes)`] = m.found ? 1 : 0;
    figures[`${flavor}: citedKeys whole document, median (ms)`] = m.scan;
    figures[`${flavor}: keys cited`] = m.keys;
    const c = measureCheck(text, flavor);
    figures[`${flavor}: diagnostics check, median (ms)`] = c.check;
    figures[`${flavor}: keys reported by the check`] = c.problems;
  }
  return figures;
}
