/*
 * Hostile input: every parser and scanner is linear. Each case of test/hostile-cases.ts runs at
 * 1 MB and must finish (a quadratic pattern takes minutes there, hence the test's timeout); how the
 * time grows from 100 kB to 1 MB is measured by `npm run bench`, not here.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCslJson } from '../../src/core/csl-read';
import { parseRichText } from '../../src/core/rich-text';
import { paperMarkdown } from '../../src/core/render';
import type { Paper } from '../../src/core/types';
import { HOSTILE_CASES } from '../hostile-cases';

const MB = Number(process.env.HOSTILE_MB ?? 1) * 1_000_000;

const paper = (fields: Partial<Paper>): Paper => ({ id: 'k', type: 'article', title: 'T', author: [], ...fields });

for (const group of new Set(HOSTILE_CASES.map((c) => c.group))) {
  describe(`hostile input: ${group}`, () => {
    for (const c of HOSTILE_CASES.filter((h) => h.group === group)) {
      it(`${c.name} (1 MB)`, { timeout: 30_000 }, () => {
        c.run(c.make(MB));
      });
    }
  });
}

describe('hostile input: JSON', () => {
  it('reports 10,000-deep invalid JSON as a problem, not a crash', () => {
    const { papers, problems } = parseCslJson('['.repeat(10_000), 'deep.json');
    assert.deepEqual(papers, []);
    assert.equal(problems[0].code, 'not-csl-json');
    const shallower = parseCslJson('['.repeat(50), 'deep.json').problems[0];
    assert.equal(shallower.code, 'not-json');
    assert.match(shallower.message, /end of file/);
  });
});

describe('hostile input: names of things that are not what they seem', () => {
  it('reads entity names that are Object.prototype members as text', () => {
    assert.equal(parseRichText('a &constructor; &toString; &__proto__; b').text, 'a &constructor; &toString; &__proto__; b');
    assert.equal(parseRichText('&#x110000; &#99999999; &#xD800;').text, '&#x110000; &#99999999; &#xD800;');
  });

  it('keeps a key with a blank line in it inside its code span in Markdown', () => {
    const md = paperMarkdown(paper({ id: 'a\n\n[x](command:evil)' }));
    assert.doesNotMatch(md, /\n\n\[x\]\(command:evil\)/);
  });
});
