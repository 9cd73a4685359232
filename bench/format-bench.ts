/*
 * Formatted references: loading a style, formatting one reference once it is loaded, and the
 * Markdown preview of a 5,000-line document with 2,500 Pandoc citations rendered through
 * markdown-it with and without the citation plugin. Figures only, never pass/fail.
 */
import * as fs from 'fs';
import * as path from 'path';
import MarkdownIt from 'markdown-it';
import { loadBundledCsl } from '../src/cli/format';
import { toCslItem } from '../src/core/format/csl-json';
import { BUNDLED_LOCALES, StyleRegistry } from '../src/core/format/styles';
import { pandocCitations } from '../src/core/markdown/pandoc-citations';
import type { Paper } from '../src/core/types';
import { loadBundledLibrary } from '../src/node/seeds';
import { median, percentile, timed } from './stats';

const CSL_DIR = path.join(process.cwd(), 'media', 'csl');
const LINES = 5000;
const CITATIONS = 2500;
const ENTRY_RUNS = 200;
const PLAIN_RUNS = 5;

const PROSE = [
  'The method trains a small model on synthetic data and evaluates it on held-out tasks,',
  'with the learning rate warmed up over the first thousand steps and decayed afterwards.',
  'We report the mean over five seeds; the variance is small compared with the effect size.',
  'Table 2 lists the configurations, and *Figure 3* the curves; see `train.py` for details.',
];

/** A registry with the bundled locales only, so each style can be timed from its text. */
function localesOnly(): StyleRegistry {
  const registry = new StyleRegistry();
  for (const code of BUNDLED_LOCALES) registry.addLocale(fs.readFileSync(path.join(CSL_DIR, 'locales', `locales-${code}.xml`), 'utf8'));
  return registry;
}

/**
 * Loading a style: registering its text and building citeproc's engine, up to the first formatted
 * entry. A comment with a fresh number makes the text new, so nothing cached is reused.
 */
function loadTime(registry: StyleRegistry, name: string, paper: Paper, run: number): number {
  const xml = `${fs.readFileSync(path.join(CSL_DIR, 'styles', `${name}.csl`), 'utf8')}\n<!-- bench ${run} -->\n`;
  const [, ms] = timed(() => {
    registry.addBundledStyle(name, xml);
    registry.formatter(name)!.formatEntry(toCslItem(paper));
  });
  return ms;
}

/** Median and p95 ms of formatting one entry with a loaded style (a new item object each time: no cache hit). */
function entryTimes(registry: StyleRegistry, name: string, papers: Paper[]): { median: number; p95: number } {
  const formatter = registry.formatter(name)!;
  const times: number[] = [];
  for (let i = 0; i < ENTRY_RUNS; i++) {
    const item = toCslItem(papers[i % papers.length]!);
    times.push(timed(() => formatter.formatEntry(item))[1]);
  }
  return { median: median(times), p95: percentile(times, 95) };
}

/** A 5,000-line Markdown paper citing the bundled library 2,500 times in Pandoc's forms (a fifth with page locators), some keys unknown. */
export function citingDocument(keys: string[], lines = LINES, citations = CITATIONS): { text: string; citations: number } {
  const key = (i: number): string => (i % 50 === 49 ? `unknown${i}` : keys[(i * 7) % keys.length]!);
  const shapes = [
    (i: number) => `as shown before [@${key(i)}].`,
    (i: number) => `as argued [see @${key(i)}, p. ${(i % 300) + 1}; @${key(i + 3)}].`,
    (i: number) => `as @${key(i)} argues, the effect holds.`,
    (i: number) => `the same authors [-@${key(i)}] report it.`,
    (i: number) => `in detail [@${key(i)}, pp. ${i % 40}-${(i % 40) + 5}].`,
  ];
  const out = ['---', 'title: A long paper', 'bibliography: references.bib', 'link-citations: true', '---', '', '# Introduction', ''];
  let cited = 0;
  for (let i = 0; out.length < lines; i++) {
    const perParagraph = Math.min(3, citations - cited);
    out.push(PROSE[i % 4]!);
    for (let c = 0; c < perParagraph; c++) out.push(`${PROSE[(i + c + 1) % 4]!.slice(0, 40)} ${shapes[(cited + c) % shapes.length]!(cited + c)}`);
    cited += perParagraph;
    out.push('');
    if (i % 17 === 0) out.push(`## Part ${i}`, '');
  }
  return { text: out.slice(0, lines).join('\n'), citations: cited };
}

/** markdown-it as VS Code's preview sets it up, with or without the plugin (and its time budget). */
function previewEngine(registry: StyleRegistry | undefined, library: Map<string, Paper>, style: string, budgetMs?: number, onPending?: (resume: (ms: number) => boolean) => void): MarkdownIt.MarkdownIt {
  const md = new MarkdownIt({ html: true, linkify: true });
  md.linkify.set({ fuzzyLink: false });
  if (registry) {
    md.use(pandocCitations, {
      resolve: (request) => request.keys.map((k) => library.get(k)).filter((p): p is Paper => !!p),
      style: () => ({ formatter: registry.formatter(style)! }),
      ...(budgetMs === undefined ? {} : { budgetMs, onPending }),
    });
  }
  return md;
}

/** A registry with the bundled styles, `style` loaded and one entry formatted: no citation rendered yet. */
function loadedRegistry(style: string, paper: Paper): StyleRegistry {
  const registry = new StyleRegistry();
  loadBundledCsl(registry, CSL_DIR);
  registry.formatter(style)!.formatEntry(toCslItem(paper));
  return registry;
}

/**
 * Figures: style loading (APA first in the process, then the others, then APA again warm), one
 * entry with a loaded style, and the preview of a 5,000-line document with 2,500 citations:
 * plain markdown-it (set up as VS Code's preview), then with the plugin, as time added to that:
 * the first render once the style is loaded, a render after typing a word, after adding a new
 * first citation, and the first render with a 150 ms budget and what it leaves for later.
 */
export async function formatBench(): Promise<Record<string, number>> {
  const papers = loadBundledLibrary(path.join(process.cwd(), 'seeds')).papers;
  const library = new Map(papers.map((p) => [p.id, p]));
  const figures: Record<string, number> = {};

  const loading = localesOnly();
  figures['load APA, first style in the process (ms)'] = loadTime(loading, 'apa', papers[0]!, 0);
  for (const name of ['ieee', 'chicago-author-date', 'vancouver', 'harvard-cite-them-right', 'nature', 'acm-sig-proceedings', 'modern-language-association']) {
    figures[`load ${name} (ms)`] = loadTime(loading, name, papers[0]!, 0);
  }
  figures['load APA again, warm (ms)'] = loadTime(loading, 'apa', papers[0]!, 1);

  const registry = new StyleRegistry();
  loadBundledCsl(registry, CSL_DIR);
  for (const name of ['apa', 'ieee']) {
    const { median: m, p95 } = entryTimes(registry, name, papers);
    figures[`one reference, ${name}, loaded: median (ms)`] = m;
    figures[`one reference, ${name}, loaded: p95 (ms)`] = p95;
  }

  const { text, citations } = citingDocument(papers.map((p) => p.id));
  figures['document: lines'] = text.split('\n').length;
  figures['document: citations'] = citations;
  const plain = previewEngine(undefined, library, 'apa');
  plain.render(text);
  const plainTime = median(Array.from({ length: PLAIN_RUNS }, () => timed(() => plain.render(text))[1]));
  figures['preview without the plugin: median (ms)'] = plainTime;
  const typed = text.replace('The method trains', 'The method (typed) trains');
  const cited = text.replace('# Introduction', '# Introduction\n\nA new claim [@lee2023teaching, p. 999].');
  for (const style of ['apa', 'ieee']) {
    const md = previewEngine(loadedRegistry(style, papers[1]!), library, style);
    const [, first] = timed(() => md.render(text));
    figures[`${style}: first render, added to plain (ms)`] = first - plainTime;
    figures[`${style}: after typing a word, added (ms)`] = timed(() => md.render(typed))[1] - plainTime;
    figures[`${style}: after adding a first citation, added (ms)`] = timed(() => md.render(cited))[1] - plainTime;

    // the same first render with a 150 ms budget: what is left pending, and the slices to finish it
    let resume: ((ms: number) => boolean) | undefined;
    const budgeted = previewEngine(loadedRegistry(style, papers[1]!), library, style, 150, (r) => (resume = r));
    let pendingCount = 0;
    const html = timed(() => budgeted.render(text));
    pendingCount = (html[0].match(/litcite-pending/g) ?? []).length;
    figures[`${style}: first render with a 150 ms budget, added (ms)`] = html[1] - plainTime;
    figures[`${style}:   citations left pending`] = pendingCount;
    let slices = 0;
    const [, finishing] = timed(() => {
      while (resume && !resume(50)) slices++;
    });
    figures[`${style}:   50 ms slices to finish them`] = slices + (resume ? 1 : 0);
    figures[`${style}:   time to finish them (ms)`] = finishing;
    figures[`${style}:   render once finished, added (ms)`] = timed(() => budgeted.render(text))[1] - plainTime;
  }
  return figures;
}
