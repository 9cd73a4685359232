import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { toBibtexFile } from '../../src/core/bibtex';
import { buildBundledLibrary } from '../../src/core/corpus';
import { Paper } from '../../src/core/types';
import { readSeedFolder } from '../../src/node/seeds';

const seed = readSeedFolder(path.join(process.cwd(), 'seeds'));
const bundled = buildBundledLibrary(seed.listings, seed.metadata).papers;

/** Entries that exercise every escaping rule with characters pdflatex can typeset. */
const tricky: Paper[] = [
  {
    id: 'tricky:specials',
    type: 'article',
    title: 'Costs $5 & 100% of #1 snake_case ~ ^ \\1 } x { < > | “q” – — Google’s naïve Łódź Ω α-β GPT-4 LLMs',
    author: [
      { family: 'van der Maaten', given: 'Laurens' }, { literal: 'OpenAI & Friends' }, { family: 'Książek', given: 'Kamil' },
      { family: 'Veličković', given: 'Petar' }, { family: 'Ørsted', given: 'Élise' }, { family: 'Kaiser', given: 'Łukasz' },
    ],
    issued: { 'date-parts': [[2024, 12]] },
    arxiv: '2412.00001',
    URL: 'https://example.org/a_b%20c?x=1#frag',
  },
  {
    id: 'tricky:latex',
    type: 'paper-conference',
    title: '$\\textit{Labor Space}$: \\LaTeX{} and <i>rich</i> text with $O(n^2)$ and \\emph{emphasis}',
    author: [{ family: 'Doe', given: 'Jane' }],
    issued: { 'date-parts': [[2023, 1, 5]] },
    event: 'R&D Workshop 2023',
    DOI: '10.1000/a_b(c)',
  },
  {
    id: 'tricky:journal',
    type: 'article-journal',
    title: 'A Journal Paper',
    author: [{ family: 'Roe', given: 'Richard' }],
    issued: { 'date-parts': [[2021]] },
    'container-title': 'Journal of Things & Stuff',
    volume: '12',
    issue: '3',
    page: '45-67',
  },
];

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { encoding: 'utf8' }).status === 0;
}

const haveTex = has('pdflatex') && has('bibtex');

function run(dir: string, command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * pdflatex, bibtex, pdflatex ×2 on a document citing every entry; returns every complaint.
 * `-draftmode` typesets fully (so every error and missing glyph shows) but writes no PDF, which
 * also spares generating bitmap fonts on machines without cm-super.
 */
function compile(bib: string, keys: string[], style: string, packages: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `litcite-bib-${style}-`));
  try {
    fs.writeFileSync(path.join(dir, 'refs.bib'), bib);
    fs.writeFileSync(path.join(dir, 'doc.tex'), [
      '\\documentclass{article}',
      '\\usepackage[utf8]{inputenc}',
      '\\usepackage[T1]{fontenc}',
      '\\usepackage{url}',
      ...packages.map((p) => `\\usepackage${p}`),
      '\\begin{document}',
      `Cited: \\cite{${keys.join(',')}}.`,
      `\\bibliographystyle{${style}}`,
      '\\bibliography{refs}',
      '\\end{document}',
      '',
    ].join('\n'));
    const latex = ['-interaction=nonstopmode', '-draftmode', 'doc.tex'];
    const complaints: string[] = [];
    const first = run(dir, 'pdflatex', latex);
    if (first.status !== 0) complaints.push(`pdflatex (first run) exited ${first.status}`);
    const bibtex = run(dir, 'bibtex', ['doc']);
    const blg = fs.readFileSync(path.join(dir, 'doc.blg'), 'utf8');
    for (const line of blg.split('\n')) {
      if (/^Warning--|error message|I was expecting|I'm skipping|illegal|Repeated entry/i.test(line)) complaints.push(`bibtex: ${line}`);
    }
    if (bibtex.status !== 0) complaints.push(`bibtex exited ${bibtex.status}`);
    run(dir, 'pdflatex', latex);
    const last = run(dir, 'pdflatex', latex);
    if (last.status !== 0) complaints.push(`pdflatex (last run) exited ${last.status}`);
    const log = fs.readFileSync(path.join(dir, 'doc.log'), 'latin1');
    const lines = log.split('\n');
    lines.forEach((line, i) => {
      if (/^! /.test(line)) complaints.push(`latex: ${line} ${lines.slice(i + 1, i + 3).join(' ').trim()}`);
      else if (/Citation .* undefined|There were undefined references|Missing character/.test(line)) complaints.push(`latex: ${line}`);
    });
    return complaints;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Skipped on a developer machine without TeX; in CI (.ci/setup installs it) a missing TeX is a failure.
if (!haveTex && process.env.CI) throw new Error('pdflatex/bibtex are not installed: run .ci/setup');

describe('generated BibTeX compiles with pdflatex and bibtex', { skip: haveTex ? false : 'pdflatex/bibtex not installed' }, () => {
  const papers = [...bundled, ...tricky];
  const bib = toBibtexFile(papers);
  const keys = papers.map((p) => p.id);

  it('cites all 62 bundled entries', () => {
    assert.equal(bundled.length, 62);
  });

  // plainnat prints url, doi and eprint; abbrv abbreviates given names; alpha builds labels
  // from purified names: between them every field and name rule is exercised.
  for (const [style, packages] of [['plainnat', ['{natbib}']], ['abbrv', []], ['alpha', []]] as const) {
    it(`${style}: no BibTeX error or warning, no LaTeX error, no undefined citation`, () => {
      assert.deepEqual(compile(bib, keys, style, [...packages]), []);
    });
  }
});
