import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CLI = path.join(process.cwd(), 'dist', 'cli.js');

function litcite(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '80' } });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('litcite CLI', () => {
  before(() => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run the build first');
  });

  it('starts with a shebang so it runs as a command', () => {
    assert.ok(fs.readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n'));
  });

  it('search --json prints ranked results with the documented fields', () => {
    const { stdout, status } = litcite('search', 'tokenizaton', 'arithmatic', '--json', '--limit', '3');
    assert.equal(status, 0);
    const results = JSON.parse(stdout) as Record<string, unknown>[];
    assert.equal(results.length, 3);
    assert.deepEqual(Object.keys(results[0]).sort(), ['abstract', 'arxiv', 'authors', 'doi', 'key', 'origin', 'score', 'sources', 'title', 'venue', 'year']);
    assert.equal(results[0].origin, 'bundled');
    assert.equal(results[0].key, 'singh2024tokenization');
    assert.deepEqual(results[0].authors, ['Aaditya K. Singh', 'DJ Strouse']);
    assert.equal(results[0].arxiv, '2402.14903');
    assert.ok((results[0].score as number) >= (results[1].score as number));
  });

  it('search prints a readable list', () => {
    const { stdout, status } = litcite('search', 'Bubeck');
    assert.equal(status, 0);
    assert.match(stdout, /^ 1\. Positional Description Matters for Transformers Arithmetic\n {4}shen2023positional · /);
  });

  it('show prints the whole record with the abstract, wrapped', () => {
    const { stdout, status } = litcite('show', '2307.03381', '--width', '70');
    assert.equal(status, 0);
    assert.match(stdout, /^Teaching Arithmetic to Small Transformers\n/);
    assert.match(stdout, /Key: {4}lee2023teaching/);
    assert.match(stdout, /Code: {3}https:\/\/github\.com\/lee-ny\/teaching_arithmetic/);
    assert.match(stdout, /Venue: {2}ICLR 2024\n/);
    assert.ok(stdout.includes('Large language models like GPT-4'));
    assert.ok(stdout.split('\n').every((line) => line.length <= 70 || !line.includes(' ')));
  });

  it('bibtex prints entries for several keys', () => {
    const { stdout, status } = litcite('bibtex', 'lee2023teaching', 'wu2016google');
    assert.equal(status, 0);
    assert.match(stdout, /@inproceedings\{lee2023teaching,/);
    assert.match(stdout, /@misc\{wu2016google,/);
  });

  it('cite prints LaTeX and Markdown citations', () => {
    assert.equal(litcite('cite', 'lee2023teaching', 'wu2016google').stdout, '\\cite{lee2023teaching,wu2016google}\n');
    assert.equal(litcite('cite', 'lee2023teaching', '--command', 'citep').stdout, '\\citep{lee2023teaching}\n');
    assert.equal(litcite('cite', 'lee2023teaching', 'wu2016google', '--format', 'markdown').stdout, '[@lee2023teaching; @wu2016google]\n');
  });

  it('adds a .bib library, keeps its keys, and can leave the bundled papers out', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-cli-'));
    const bib = path.join(dir, 'mine.bib');
    fs.writeFileSync(bib, '@article{Mine:2020,\n  title = {A Study of Zebra Crossings},\n  author = {Doe, Jane},\n  journal = {Streets},\n  year = {2020}\n}\n');
    const withBundled = JSON.parse(litcite('search', 'zebra', '--json', '--library', bib).stdout) as { key: string }[];
    assert.equal(withBundled[0].key, 'Mine:2020');
    const only = JSON.parse(litcite('search', 'arithmetic', '--json', '--library', bib, '--no-bundled').stdout) as unknown[];
    assert.deepEqual(only, []);
    assert.equal(litcite('cite', 'lee2023teaching', '--library', bib, '--no-bundled').status, 2);
    fs.rmSync(dir, { recursive: true });
  });

  it('fails with one line on stderr, exit 2 and nothing on stdout for bad input', () => {
    const cases: [string[], RegExp][] = [
      [['show', 'nosuchkey2099'], /unknown key or arXiv id: nosuchkey2099/],
      [['search'], /a query is missing/],
      [['search', '   '], /a query is missing/],
      [['bibtex', '--library', '/nonexistent/file.bib', 'lee2023teaching'], /cannot read library file \/nonexistent\/file\.bib: ENOENT/],
      [['cite', 'lee2023teaching', '--format', 'html'], /--format must be latex or markdown/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['search', 'x', '--limit', 'many'], /--limit must be a positive whole number/],
      [[], /a command is missing/],
    ];
    for (const [args, message] of cases) {
      const { stdout, stderr, status } = litcite(...args);
      assert.equal(status, 2, args.join(' '));
      assert.equal(stdout, '', args.join(' '));
      assert.match(stderr, message);
      assert.equal(stderr.trim().split('\n').length, 1, `${args.join(' ')}: ${stderr}`);
    }
  });

  it('has --help on every command', () => {
    for (const command of ['search', 'show', 'bibtex', 'cite']) {
      const { stdout, status } = litcite(command, '--help');
      assert.equal(status, 0);
      assert.match(stdout, new RegExp(`^Usage: litcite ${command}`));
    }
    assert.match(litcite('--help').stdout, /Commands:/);
  });
});
