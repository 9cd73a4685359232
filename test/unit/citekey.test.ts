import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignKeys, baseKey, isSafeKey, uniqueKey, validateKeyTemplate } from '../../src/core/citekey';
import { Paper } from '../../src/core/types';

function paper(family: string, year: number | undefined, title: string, extra: Partial<Paper> = {}): Paper {
  return { id: '', type: 'article', title, author: family ? [{ family, given: 'X' }] : [], ...(year ? { issued: { 'date-parts': [[year]] } } : {}), ...extra };
}

describe('citation keys', () => {
  it('follows auth + year + first significant title word', () => {
    assert.equal(baseKey(paper('Lee', 2023, 'Teaching Arithmetic to Small Transformers')), 'lee2023teaching');
    assert.equal(baseKey(paper('Wu', 2016, "Google's Neural Machine Translation System")), 'wu2016google');
    assert.equal(baseKey(paper('Zhou', 2023, 'What Algorithms can Transformers Learn?')), 'zhou2023algorithms');
    assert.equal(baseKey(paper('Doshi', 2023, 'To grok or not to grok')), 'doshi2023grok');
  });

  it('folds family names to ASCII', () => {
    assert.equal(baseKey(paper('Kaiser', 2017, 'Attention')), 'kaiser2017attention');
    assert.equal(baseKey(paper('Łukasiewicz', 2020, 'Logic')), 'lukasiewicz2020logic');
    assert.equal(baseKey(paper('Brémond', 2021, 'Vision')), 'bremond2021vision');
    assert.equal(baseKey(paper('Richtárik', 2024, 'Error Feedback Reloaded')), 'richtarik2024error');
    assert.equal(baseKey(paper('Müller-Straße', 2019, 'Über Alles')), 'mullerstrasse2019uber');
  });

  it('skips LaTeX in titles', () => {
    assert.equal(baseKey(paper('Kim', 2023, '$\\textit{Labor Space}$: A Unifying Representation')), 'kim2023unifying');
  });

  it('always yields a key valid in BibTeX and Pandoc', () => {
    for (const p of [paper('', undefined, ''), paper('李', 2020, '中文标题'), paper("O'Brien", 2020, '#1 & $x$'), paper('123', 2020, '99 problems')]) {
      const key = baseKey(p);
      assert.ok(isSafeKey(key), key);
    }
    assert.equal(baseKey(paper('', 2020, 'Untitled Work'), '[year][title]'), 'ref2020untitled');
  });

  it('supports the documented template tokens', () => {
    const p: Paper = { ...paper('Lee', 2023, 'Teaching Arithmetic to Small Transformers'), author: [{ family: 'Lee' }, { family: 'Sreenivasan' }, { family: 'Lee' }], arxiv: '2307.03381', event: 'ICLR 2024' };
    assert.equal(baseKey(p, '[Auth][shortyear][Title]'), 'Lee23Teaching');
    assert.equal(baseKey(p, '[authors2]_[year]'), 'LeeSreenivasanEtAl_2023');
    assert.equal(baseKey(p, '[auth]:[title3]'), 'lee:teachingarithmeticsmall');
    assert.equal(baseKey(p, 'arXiv:[arxiv]'), 'arXiv:2307.03381');
    assert.equal(baseKey(p, '[venue][year]'), 'iclr2023');
    assert.equal(validateKeyTemplate('[auth][year][title]'), undefined);
    assert.match(validateKeyTemplate('[author][year]')?.message ?? '', /unknown token \[author\]/);
  });

  it('makes clashing keys unique with a, b suffixes in an order independent of input order', () => {
    const a = paper('Li', 2023, 'Human Demonstrations', { arxiv: '2309.14681' });
    const b = paper('Li', 2023, 'Human Feedback', { arxiv: '2301.00001' });
    const c = paper('Li', 2023, 'Human Factors', { arxiv: '2305.00001' });
    const keys = assignKeys([a, b, c]);
    assert.deepEqual(keys, ['li2023humanb', 'li2023human', 'li2023humana']);
    assert.deepEqual(assignKeys([c, a, b]), ['li2023humana', 'li2023humanb', 'li2023human']);
  });

  it('avoids keys already taken', () => {
    const p = paper('Lee', 2023, 'Teaching Arithmetic');
    assert.equal(uniqueKey(p, new Set(['lee2023teaching'])), 'lee2023teachinga');
    assert.equal(uniqueKey(p, new Set(['lee2023teaching', 'lee2023teachinga'])), 'lee2023teachingb');
  });
});
