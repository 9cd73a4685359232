import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { buildBundledLibrary, parseSeedText } from '../../src/core/corpus';
import { readSeedFolder } from '../../src/node/seeds';

const SEEDS = path.join(process.cwd(), 'seeds');
const seed = readSeedFolder(SEEDS);
const pageText = seed.listings[0].text;

describe('seed page parser', () => {
  it('finds exactly the 62 papers of the bundled page', () => {
    assert.equal(parseSeedText(pageText).length, 62);
  });

  it('skips page chrome: no title is a button, byline or date', () => {
    const titles = parseSeedText(pageText).map((e) => e.title);
    for (const chrome of ['new', 'Subscribe', 'Get trending papers in your email inbox!', 'byAK and the research community', 'Jun 17']) {
      assert.ok(!titles.includes(chrome), `${chrome} taken as a title`);
    }
    assert.equal(titles[0], 'Arithmetic Control of LLMs for Diverse User Preferences: Directional Preference Alignment with Multi-Objective Rewards');
    assert.equal(titles[61], 'AutoNumerics-Zero: Automated Discovery of State-of-the-Art Mathematical Functions');
  });

  it('keeps every abstract whole', () => {
    const entries = parseSeedText(pageText);
    const first = entries[0].abstract;
    assert.ok(first.startsWith('Fine-grained control over large language models (LLMs)'));
    assert.ok(first.endsWith('such as Direct Preference Optimization (DPO).'));
    // Every abstract paragraph of the page is some entry's abstract, character for character.
    const paragraphs = pageText.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p.length > 1000);
    assert.equal(paragraphs.length, 62);
    const abstracts = new Set(entries.map((e) => e.abstract));
    for (const p of paragraphs) assert.ok(abstracts.has(p), `abstract cut or lost: ${p.slice(0, 60)}`);
  });

  it('does not depend on this page\'s chrome strings', () => {
    const abstract = 'We study something at length. '.repeat(12).trim();
    const other = 'A second abstract that goes on for a while, sentence after sentence. '.repeat(6).trim();
    const page = ['Sign in', 'Trending this week', 'Nov 3', 'A Paper Title: With a Subtitle', abstract, 'Load more', 'Another Title', other, 'Footer links'].join('\n\n');
    const entries = parseSeedText(page);
    assert.deepEqual(entries.map((e) => e.title), ['A Paper Title: With a Subtitle', 'Another Title']);
    assert.equal(entries[0].abstract, abstract);
    assert.equal(entries[1].line, 13);
  });

  it('joins a multi-paragraph abstract and a closing short sentence to its paper', () => {
    const p1 = 'First paragraph of a long abstract with many words in it. '.repeat(6).trim();
    const p2 = 'Second paragraph continues the same abstract with more words. '.repeat(6).trim();
    const entries = parseSeedText(['Title One', p1, p2, 'Code is available online.', 'Subscribe'].join('\n\n'));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].abstract, `${p1}\n\n${p2}\n\nCode is available online.`);
  });

  it('keeps a short abstract, and does not take a lead-in ending in a colon for a title', () => {
    const short = 'We show a short result in rather few words, which still reads as the sentence of an abstract. A second sentence says what follows from it and ends the abstract.';
    const lead = 'Our contributions are as follows:';
    const rest = 'First, we define the problem and then we solve it with a new method that works well in practice.';
    const entries = parseSeedText(['Brief Paper', short, 'Long Paper', `${'Some opening sentence of the abstract. '.repeat(5).trim()}`, lead, rest].join('\n\n'));
    assert.deepEqual(entries.map((e) => e.title), ['Brief Paper', 'Long Paper']);
    assert.equal(entries[0].abstract, short);
    assert.ok(entries[1].abstract.endsWith(rest), entries[1].abstract);
  });

  it('reads CRLF pages', () => {
    assert.equal(parseSeedText(pageText.replace(/\n/g, '\r\n')).length, 62);
  });
});

describe('bundled library', () => {
  const { papers, problems } = buildBundledLibrary(seed.listings, seed.metadata);

  it('joins all 62 papers to their metadata without problems', () => {
    assert.equal(papers.length, 62);
    assert.deepEqual(problems, []);
    assert.ok(papers.every((p) => p.author.length > 0 && p.arxiv));
  });

  it('maps metadata into CSL-JSON', () => {
    const lee = papers.find((p) => p.arxiv === '2307.03381');
    assert.ok(lee);
    assert.equal(lee.id, 'lee2023teaching');
    assert.equal(lee.type, 'paper-conference');
    assert.equal(lee.event, 'ICLR 2024');
    // The key keeps the preprint's year; the record carries the venue's full name and year.
    assert.equal(lee['container-title'], 'International Conference on Learning Representations (ICLR)');
    assert.deepEqual(lee.issued, { 'date-parts': [[2024]] });
    assert.deepEqual(lee.author[0], { family: 'Lee', given: 'Nayoung' });
    assert.equal(lee.URL, 'https://arxiv.org/abs/2307.03381');
    assert.equal(lee.code, 'https://github.com/lee-ny/teaching_arithmetic');
    const journal = papers.find((p) => p['container-title'] === 'IEEE Transactions on Nuclear Science');
    assert.equal(journal?.type, 'article-journal');
    const preprint = papers.find((p) => p.arxiv === '2504.07835');
    assert.equal(preprint?.type, 'article');
  });

  it('loads a paper without metadata and reports it once; reports metadata without a paper', () => {
    const meta = JSON.parse(seed.metadata[0].text) as { title: string }[];
    const withoutFirst = JSON.stringify(meta.slice(1));
    const extra = JSON.stringify([...meta, { title: 'A Paper Nobody Listed', authors: [] }]);
    const missing = buildBundledLibrary(seed.listings, [{ name: 'm.json', text: withoutFirst }]);
    assert.equal(missing.papers.length, 62);
    const bare = missing.papers.find((p) => p.title.startsWith('Arithmetic Control of LLMs'));
    assert.deepEqual(bare?.author, []);
    assert.equal(missing.problems.filter((p) => p.message.includes('no metadata')).length, 1);
    const orphan = buildBundledLibrary(seed.listings, [{ name: 'm.json', text: extra }]);
    assert.equal(orphan.problems.length, 1);
    assert.match(orphan.problems[0].message, /A Paper Nobody Listed.*matches no paper/);
  });

  it('still loads when the metadata is not JSON, saying so', () => {
    const result = buildBundledLibrary(seed.listings, [{ name: 'broken.json', text: '{oops' }]);
    assert.equal(result.papers.length, 62);
    assert.match(result.problems[0].message, /broken\.json: paper metadata is not valid JSON/);
  });

  it('gives the same keys on every run and whatever the file order', () => {
    const again = buildBundledLibrary(seed.listings, seed.metadata).papers.map((p) => p.id);
    assert.deepEqual(again, papers.map((p) => p.id));
    assert.equal(new Set(again).size, 62);
  });

  it('ships the seed files unchanged', () => {
    const shipped = fs.readFileSync(path.join(SEEDS, 'papers-metadata.json'), 'utf8');
    assert.equal(JSON.parse(shipped).length, 62);
  });
});
