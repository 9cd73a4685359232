/*
 * What LitCite writes for a user's entry (Copy BibTeX, Insert Citation's append, `litcite bibtex`)
 * formats exactly as the user's own files do: BibTeX (plainnat) and biblatex with biber produce
 * the same .bbl from the written entries alone as from the user's files. Skipped where TeX is not
 * installed; in CI (.ci/setup installs bibtex, biber and biblatex) a missing tool is a failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scanBib } from '../../src/core/bibtex/scan';
import { targetOf, writeBackEntry } from '../../src/core/bibtex/write-back';

const FIXTURES = path.join(process.cwd(), 'test', 'fixtures', 'bib');
const read = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

function has(command: string, args = ['--version']): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}
const haveBibtex = has('bibtex');
const haveBiber = has('biber') && spawnSync('kpsewhich', ['biblatex.sty'], { encoding: 'utf8' }).stdout.trim() !== '';
if (process.env.CI && (!haveBibtex || !haveBiber)) throw new Error('bibtex, biber and biblatex are needed: run .ci/setup');

/** Every entry key of a .bib text, in order. */
function keysOf(text: string): string[] {
  return scanBib(text).blocks.filter((b) => b.kind === 'entry').map((b) => b.key);
}

/** The written entries for `keys`, one after another as appends make them (each macro and parent once). */
function writtenFor(keys: readonly string[], texts: readonly string[]): string {
  const target = { macros: new Set<string>(), keys: new Set<string>() };
  const parts: string[] = [];
  for (const key of keys) {
    if (target.keys.has(key.toLowerCase())) continue;
    const written = writeBackEntry(texts, key, target);
    assert.ok(written, `no written entry for ${key}`);
    parts.push(written.text);
    const added = targetOf(written.text);
    added.macros.forEach((m) => target.macros.add(m));
    added.keys.forEach((k) => target.keys.add(k));
  }
  return `${parts.join('\n\n')}\n`;
}

function run(dir: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  return `${result.stdout}${result.stderr}`;
}

/** The .bbl BibTeX makes citing `keys` from `files` (name → text), with `plainnat`. */
function bibtexBbl(files: Record<string, string>, keys: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-wb-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${name}.bib`), text);
    fs.writeFileSync(path.join(dir, 'doc.aux'), `${keys.map((k) => `\\citation{${k}}`).join('\n')}\n\\bibdata{${Object.keys(files).join(',')}}\n\\bibstyle{plainnat}\n`);
    run(dir, 'bibtex', ['-terse', 'doc']);
    return fs.readFileSync(path.join(dir, 'doc.bbl'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The .bbl biber makes for a biblatex document citing `keys` from `files`. */
function biberBbl(files: Record<string, string>, keys: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-wb-biber-'));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${name}.bib`), text);
    fs.writeFileSync(path.join(dir, 'doc.tex'), [
      '\\documentclass{article}',
      '\\usepackage[backend=biber]{biblatex}',
      ...Object.keys(files).map((name) => `\\addbibresource{${name}.bib}`),
      '\\begin{document}',
      `\\nocite{${keys.join(',')}}`,
      '\\printbibliography',
      '\\end{document}',
      '',
    ].join('\n'));
    run(dir, 'pdflatex', ['-interaction=nonstopmode', '-draftmode', 'doc.tex']);
    run(dir, 'biber', ['--quiet', 'doc']);
    const bbl = fs.readFileSync(path.join(dir, 'doc.bbl'), 'utf8');
    // The header names biber's version and the file names; the entries are what matters.
    return bbl.slice(bbl.indexOf('\\refsection'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('written-back entries format as the user’s own files do', { skip: haveBibtex ? false : 'bibtex not installed' }, () => {
  const journals = read('lab-journals.bib');
  const papers = read('lab-papers.bib');
  // Entries BibTeX itself cannot read cleanly (a cycle, an undefined macro) are left out: the
  // claim is about entries that compile in the user's file.
  const keys = keysOf(papers).filter((k) => !['loopA', 'loopB', 'undefmacro2018'].includes(k));

  it('BibTeX (plainnat): the same .bbl from the written entries as from \\bibliography{lab-journals,lab-papers}', () => {
    const original = bibtexBbl({ 'lab-journals': journals, 'lab-papers': papers }, keys);
    const written = bibtexBbl({ written: writtenFor(keys, [papers, journals]) }, keys);
    assert.ok(original.includes('\\bibitem'), 'BibTeX formatted the original');
    assert.equal(written, original);
  });

  it('biblatex with biber: the same .bbl, xdata and crossref parents included', { skip: haveBiber ? false : 'biber or biblatex not installed' }, () => {
    const data = read('biblatex-data.bib');
    const dataKeys = keysOf(data).filter((k) => k !== 'springer-berlin');
    const original = biberBbl({ 'biblatex-data': data }, dataKeys);
    const written = biberBbl({ written: writtenFor(dataKeys, [data]) }, dataKeys);
    assert.ok(original.includes('\\entry{'), 'biber formatted the original');
    assert.equal(written, original);
  });
});
