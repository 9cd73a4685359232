import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseCitationKey, isUsableUserKey, userKey } from '../../src/core/zotero/citekey';
import type { Paper } from '../../src/core/types';

const TEMPLATE = '[auth][year][title]';

function paper(family: string, year: number, title: string): Paper {
  return { id: '', type: 'article-journal', title, author: [{ family, given: 'A' }], issued: { 'date-parts': [[year]] } };
}

describe('Zotero citation key precedence', () => {
  const lstm = paper('Hochreiter', 1997, 'Long Short-Term Memory');

  it("prefers Zotero's own field, then Better BibTeX, then a key pinned in Extra, then the template", () => {
    const all = { zotero: 'z1997', betterBibtex: 'hochreiterLongShortTermMemory1997', extra: 'pinned1997' };
    assert.deepEqual(chooseCitationKey(all, lstm, new Set(), TEMPLATE), { key: 'z1997', source: 'zotero' });
    assert.deepEqual(chooseCitationKey({ ...all, zotero: undefined }, lstm, new Set(), TEMPLATE), { key: 'hochreiterLongShortTermMemory1997', source: 'better-bibtex' });
    assert.deepEqual(chooseCitationKey({ extra: 'pinned1997' }, lstm, new Set(), TEMPLATE), { key: 'pinned1997', source: 'extra' });
    assert.deepEqual(chooseCitationKey({}, lstm, new Set(), TEMPLATE), { key: 'hochreiter1997long', source: 'template' });
  });

  it('keeps user keys even when another library already uses them (they are what the user exports)', () => {
    assert.deepEqual(chooseCitationKey({ betterBibtex: 'taken2020' }, lstm, new Set(['taken2020']), TEMPLATE), { key: 'taken2020', source: 'better-bibtex' });
  });

  it('skips user keys that would break a citation and falls through to the next', () => {
    assert.equal(isUsableUserKey('has space'), false);
    assert.equal(isUsableUserKey('comma,key'), false);
    assert.equal(isUsableUserKey('brace}'), false);
    assert.equal(isUsableUserKey(''), false);
    assert.equal(isUsableUserKey('x'.repeat(201)), false);
    assert.equal(isUsableUserKey('Müller:2020-a_b.c'), true);
    assert.deepEqual(userKey({ zotero: 'bad key', betterBibtex: 'good2020' }), { key: 'good2020', source: 'better-bibtex' });
  });

  it('makes template keys unique against keys already taken', () => {
    assert.deepEqual(chooseCitationKey({}, lstm, new Set(['hochreiter1997long']), TEMPLATE), { key: 'hochreiter1997longa', source: 'template' });
    assert.equal(chooseCitationKey({}, paper('Kaiser', 2017, 'Attention'), new Set(), TEMPLATE).key, 'kaiser2017attention');
    assert.equal(chooseCitationKey({}, paper('Brémond', 2021, 'Vision'), new Set(), TEMPLATE).key, 'bremond2021vision');
    assert.equal(chooseCitationKey({}, lstm, new Set(), '[Auth][shortyear]').key, 'Hochreiter97');
  });

  it('keeps a previous template key while the template still gives the paper the same base', () => {
    const taken = new Set(['hochreiter1997long']);
    // Was given the suffixed key before; the other paper is gone, but the key stays put.
    assert.deepEqual(chooseCitationKey({}, lstm, new Set(), TEMPLATE, 'hochreiter1997longa'), { key: 'hochreiter1997longa', source: 'template' });
    // The title changed: the base is different, so a new key.
    assert.equal(chooseCitationKey({}, paper('Hochreiter', 1997, 'Flat Minima'), new Set(), TEMPLATE, 'hochreiter1997long').key, 'hochreiter1997flat');
    // Someone else holds the previous key now.
    assert.equal(chooseCitationKey({}, lstm, taken, TEMPLATE, 'hochreiter1997long').key, 'hochreiter1997longa');
  });
});
