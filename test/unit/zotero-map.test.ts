import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bibEntryTypeForCsl, bibEntryTypeForItem, cslTypeForItemType, knownItemTypes } from '../../src/core/zotero/item-types';
import { fileUrlToPath, isInCollections, mapZoteroItem, type ZoteroMapContext } from '../../src/core/zotero/map';
import { parseExtra } from '../../src/core/zotero/extra';
import { parseZoteroDate } from '../../src/core/zotero/dates';
import { readRichTitle } from '../../src/core/zotero/rich-text';
import { childrenByWork, collectionPaths } from '../../src/core/zotero/sync';
import type { ZoteroCollection, ZoteroItem } from '../../src/core/zotero/types';
import { parseLibraryRef, zoteroOpenPdfUri, zoteroSelectUri } from '../../src/core/zotero/types';
import type { Paper } from '../../src/core/types';
import groupFixture from '../fixtures/zotero/group-library.json';
import userFixture from '../fixtures/zotero/user-library.json';

// The fixtures hold item JSON as the APIs send it; TypeScript infers narrower literal types for it.
const USER_ITEMS = userFixture.items as unknown as ZoteroItem[];
const USER_COLLECTIONS = userFixture.collections as unknown as ZoteroCollection[];
const GROUP_ITEMS = groupFixture.items as unknown as ZoteroItem[];

const USER = { type: 'user', id: '0' } as const;
const GROUP = { type: 'group', id: '4711' } as const;

function contextFor(items: ZoteroItem[], collections: ZoteroCollection[], library: ZoteroMapContext['library'], localFiles = false) {
  const paths = collectionPaths(new Map(collections.map((c) => [c.key, c])));
  const children = childrenByWork(items);
  return (item: ZoteroItem): ZoteroMapContext => ({ library, children: children.get(item.key), collectionPath: (key) => paths.get(key), localFiles });
}

function mapUser(key: string): Paper {
  const item = USER_ITEMS.find((i) => i.key === key)!;
  const mapped = mapZoteroItem(item, contextFor(USER_ITEMS, USER_COLLECTIONS, USER)(item));
  assert.ok(mapped, `${key} maps to a paper`);
  return mapped.paper;
}

describe('Zotero item → paper', () => {
  it('reads a conference paper with authors, editor, venue, pages and the arXiv id from Extra', () => {
    const paper = mapUser('VSWNA7TT');
    assert.equal(paper.type, 'paper-conference');
    assert.equal(paper.title, 'Attention Is All You Need');
    assert.equal(paper.author.length, 8);
    assert.deepEqual(paper.author[6], { family: 'Kaiser', given: 'Łukasz' });
    assert.deepEqual(paper.editor, [{ family: 'Guyon', given: 'Isabelle' }]);
    assert.equal(paper['container-title'], 'Advances in Neural Information Processing Systems');
    assert.equal(paper.event, 'NIPS 2017');
    assert.equal(paper['event-place'], 'Long Beach, CA, USA');
    assert.equal(paper.publisher, 'Curran Associates, Inc.');
    assert.equal(paper.page, '5998–6008');
    assert.equal(paper.volume, '30');
    assert.deepEqual(paper.issued, { 'date-parts': [[2017]] });
    assert.deepEqual(paper.accessed, { 'date-parts': [[2024, 2, 11]] });
    assert.equal(paper.arxiv, '1706.03762');
    assert.equal(paper.DOI, undefined, 'empty fields stay absent');
    assert.equal(paper.origin, 'zotero');
    assert.equal(paper.source, 'zotero:users/0');
    assert.equal(paper.id, '', 'keys are chosen separately');
  });

  it('counts child notes, lists PDF attachments with their zotero:// URI, and gives tags, collection paths and the select URI', () => {
    const paper = mapUser('VSWNA7TT');
    assert.equal(paper.extra?.notesCount, 1);
    assert.deepEqual(paper.extra?.tags, ['transformers', 'attention']);
    assert.deepEqual(paper.extra?.collections, ['Reading group', 'Thesis / Chapter 2: Sequence models']);
    assert.equal(paper.extra?.selectUri, 'zotero://select/library/items/VSWNA7TT');
    assert.deepEqual(paper.extra?.attachments, [{ title: 'Full Text PDF', contentType: 'application/pdf', uri: 'zotero://open-pdf/library/items/K7PDFA01' }]);
    assert.equal(paper.keyword, 'transformers, attention');

    const lee = mapUser('LEEARTH2');
    assert.equal(lee.extra?.notesCount, 2);
    assert.equal(lee.extra?.attachments?.length, 1, 'the HTML snapshot is not a PDF');
  });

  it('takes the local file path from a file:// enclosure only when files are on this machine', () => {
    const vaswani = USER_ITEMS.find((i) => i.key === 'VSWNA7TT')!;
    const pdf = USER_ITEMS.find((i) => i.key === 'K7PDFA01')!;
    const withEnclosure: ZoteroItem = { ...pdf, links: { enclosure: { href: 'file:///home/mara/Zotero/storage/K7PDFA01/Vaswani%20et%20al.pdf', type: 'application/pdf', length: 125 } } };
    const local = mapZoteroItem(vaswani, { library: USER, children: [withEnclosure], localFiles: true })!.paper;
    assert.equal(local.extra?.attachments?.[0].path, '/home/mara/Zotero/storage/K7PDFA01/Vaswani et al.pdf');
    const web = mapZoteroItem(vaswani, { library: USER, children: [{ ...pdf, links: { enclosure: { href: 'https://api.zotero.org/users/1/items/K7PDFA01/file/view' } } }], localFiles: false })!.paper;
    assert.equal(web.extra?.attachments?.[0].path, undefined);
  });

  it('filters papers by collection path, a collection including the ones below it', () => {
    const vaswani = mapUser('VSWNA7TT');
    assert.equal(isInCollections(vaswani, []), true);
    assert.equal(isInCollections(vaswani, ['Thesis']), true, 'Thesis / Chapter 2 is below Thesis');
    assert.equal(isInCollections(vaswani, ['Reading group']), true);
    assert.equal(isInCollections(vaswani, ['Thesis / Chapter 3']), false);
    assert.equal(isInCollections(mapUser('SUTTON18'), ['Thesis']), false);
  });

  it('reads a preprint: CSL type article, arXiv id from the archive ID, repository as publisher', () => {
    const paper = mapUser('LEEARTH2');
    assert.equal(paper.type, 'article');
    assert.equal(paper.arxiv, '2307.03381');
    assert.equal(paper.DOI, '10.48550/arXiv.2307.03381');
    assert.equal(paper.publisher, 'arXiv');
    assert.deepEqual(paper.issued, { 'date-parts': [[2023, 7, 7]] });
    assert.deepEqual(paper.extra?.tags, ['arithmetic', 'Computer Science - Machine Learning']);
  });

  it('finds the arXiv id in a report number, and parses a free-text date when Zotero sent no parsed one', () => {
    const paper = mapUser('WU16GNMT');
    assert.equal(paper.type, 'report');
    assert.equal(paper.arxiv, '1609.08144');
    assert.equal(paper.number, undefined, 'the arXiv number is not repeated as the report number');
    assert.equal(paper.genre, 'Technical Report');
    assert.equal(paper.publisher, 'Google');
    assert.deepEqual(paper.issued, { 'date-parts': [[2016, 9, 26]] });
    assert.equal(paper['title-short'], "Google's NMT");
    assert.deepEqual(paper.author[14], { family: 'Kaiser', given: 'Łukasz' });
  });

  it('reads books, book sections with editors or book authors, and theses', () => {
    const book = mapUser('SUTTON18');
    assert.equal(book.type, 'book');
    assert.equal(book.edition, '2');
    assert.equal(book['collection-title'], 'Adaptive Computation and Machine Learning');
    assert.equal(book['publisher-place'], 'Cambridge, MA');
    assert.equal(book['number-of-pages'], '526');
    assert.equal(book.abstract, undefined);

    const chapter = mapUser('CLRKPARS');
    assert.equal(chapter.type, 'chapter');
    assert.deepEqual(chapter.author, [{ family: 'Clark', given: 'Stephen' }]);
    assert.equal(chapter.editor?.length, 3);
    assert.equal(chapter['container-title'], 'The Handbook of Computational Linguistics and Natural Language Processing');

    const section = mapUser('GOODCH10');
    assert.equal(section['container-author']?.length, 3);
    assert.equal(section.author.length, 3);

    const phd = mapUser('GRAVESTH');
    assert.equal(phd.type, 'thesis');
    assert.equal(phd.genre, 'PhD Thesis');
    assert.equal(phd.publisher, 'Technische Universität München');
  });

  it('keeps rich-text titles as plain text plus runs with their emphasis', () => {
    const paper = mapUser('WISNMSC1');
    assert.equal(paper.title, 'Modelling H2O adsorption with ab initio neural potentials');
    assert.deepEqual(paper.titleRich, [
      { text: 'Modelling H' }, { text: '2', sub: true }, { text: 'O adsorption with ' }, { text: 'ab initio', italic: true }, { text: ' neural potentials' },
    ]);
    assert.deepEqual(paper.author, [{ family: 'Wiśniewska', given: 'Łucja' }]);
    assert.deepEqual(paper.issued, { 'date-parts': [[2021, 6]] });
  });

  it('reads items without a date, single-field creators, and "forthcoming" as a status', () => {
    const page = mapUser('ZDOCLAPI');
    assert.equal(page.type, 'webpage');
    assert.equal(page.issued, undefined);
    assert.deepEqual(page.author, [{ literal: 'Corporation for Digital Scholarship' }]);
    assert.equal(page['container-title'], 'Zotero Documentation');

    const draft = mapUser('LINDMS24');
    assert.equal(draft.type, 'manuscript');
    assert.equal(draft.issued, undefined);
    assert.equal(draft.status, 'forthcoming');
    assert.deepEqual(draft.extra?.collections, ['Thesis']);
  });

  it('reads CSL variables and pinned keys from Extra, and returns tex.* fields for the BibTeX writer', () => {
    const item = USER_ITEMS.find((i) => i.key === 'HOCHLSTM')!;
    const mapped = mapZoteroItem(item, { library: USER })!;
    assert.equal(mapped.paper.PMID, '9377276');
    assert.equal(mapped.pinnedKey, 'hochreiter1997long');
    assert.deepEqual(mapped.texFields, { howpublished: 'MIT Press' });
    assert.equal(mapped.paper['container-title-short'], 'Neural Comput.');
    assert.equal(mapped.paper.ISSN, '0899-7667');
    assert.equal(mapped.paper.issue, '8');
    assert.deepEqual(mapped.paper.author[1], { family: 'Schmidhuber', given: 'Jürgen' });

    const lac = mapZoteroItem(USER_ITEMS.find((i) => i.key === 'YANGLAC3')!, { library: USER })!;
    assert.equal(lac.nativeKey, 'yang2023lac', "Zotero 8's own field");
    assert.equal(lac.pinnedKey, 'yangLatentActionComposition2023');
  });

  it('leaves out notes, attachments, child items and items in the trash', () => {
    for (const key of ['K7PDFA01', 'N2VSWN01', 'STANDNT1', 'TRSHOLD1']) {
      const item = USER_ITEMS.find((i) => i.key === key)!;
      assert.equal(mapZoteroItem(item, { library: USER }), undefined, key);
    }
  });

  it('uses group URIs and the group source for group libraries, and a linked file path', () => {
    const children = childrenByWork(GROUP_ITEMS);
    const item = GROUP_ITEMS.find((i) => i.key === 'RICHTEF1')!;
    const linked = children.get('RICHTEF1')!.map((c) => ({ ...c, data: { ...c.data, path: '/data/lab/richtarik.pdf' } }));
    const paper = mapZoteroItem(item, { library: GROUP, children: linked, localFiles: true })!.paper;
    assert.equal(paper.source, 'zotero:groups/4711');
    assert.equal(paper.extra?.selectUri, 'zotero://select/groups/4711/items/RICHTEF1');
    assert.deepEqual(paper.extra?.attachments, [{
      title: 'Richtárik et al. - 2024 - Error Feedback Reloaded.pdf', contentType: 'application/pdf',
      uri: 'zotero://open-pdf/groups/4711/items/RICHLNK2', path: '/data/lab/richtarik.pdf',
    }]);
    assert.equal(paper.arxiv, '2402.10774');
    assert.equal(paper.arxivClass, 'cs.LG');
    assert.deepEqual(paper.author[0], { family: 'Richtárik', given: 'Peter' });
  });

  it('fills empty fields from Zotero\'s own csljson and prefers its date when the text has none', () => {
    const item: ZoteroItem = {
      key: 'CSLFILL1', version: 1,
      data: { itemType: 'journalArticle', title: 'A', creators: [], date: '' },
      csljson: { 'container-title': 'Journal of Tests', issued: { 'date-parts': [['2020', '5']] }, page: '1-2' },
    };
    const paper = mapZoteroItem(item, { library: USER })!.paper;
    assert.equal(paper['container-title'], 'Journal of Tests');
    assert.equal(paper.page, '1-2');
    assert.deepEqual(paper.issued, { 'date-parts': [[2020, 5]] });
  });
});

describe('Zotero item types', () => {
  it('maps item types to CSL types', () => {
    const expected: Record<string, string> = {
      journalArticle: 'article-journal', conferencePaper: 'paper-conference', bookSection: 'chapter', book: 'book', thesis: 'thesis',
      report: 'report', preprint: 'article', webpage: 'webpage', manuscript: 'manuscript', magazineArticle: 'article-magazine',
      newspaperArticle: 'article-newspaper', encyclopediaArticle: 'entry-encyclopedia', computerProgram: 'software', dataset: 'dataset',
      presentation: 'speech', patent: 'patent', blogPost: 'post-weblog', document: 'document', standard: 'standard',
    };
    for (const [itemType, csl] of Object.entries(expected)) assert.equal(cslTypeForItemType(itemType), csl, itemType);
    assert.equal(cslTypeForItemType('someFutureType'), 'document');
    assert.equal(cslTypeForItemType('constructor'), 'document', 'no prototype lookups');
  });

  it('maps item types to BibTeX and BibLaTeX entry types', () => {
    const expected: [string, Record<string, unknown> | undefined, string, string][] = [
      ['journalArticle', undefined, 'article', 'article'],
      ['conferencePaper', undefined, 'inproceedings', 'inproceedings'],
      ['bookSection', undefined, 'incollection', 'incollection'],
      ['book', undefined, 'book', 'book'],
      ['thesis', { thesisType: 'PhD Thesis' }, 'phdthesis', 'thesis'],
      ['thesis', { thesisType: "Master's thesis" }, 'mastersthesis', 'thesis'],
      ['thesis', { thesisType: 'MSc thesis' }, 'mastersthesis', 'thesis'],
      ['thesis', undefined, 'phdthesis', 'thesis'],
      ['report', undefined, 'techreport', 'report'],
      ['preprint', undefined, 'misc', 'online'],
      ['webpage', undefined, 'misc', 'online'],
      ['manuscript', undefined, 'unpublished', 'unpublished'],
      ['computerProgram', undefined, 'misc', 'software'],
      ['dataset', undefined, 'misc', 'dataset'],
      ['encyclopediaArticle', undefined, 'incollection', 'inreference'],
      ['letter', undefined, 'misc', 'misc'],
      ['film', undefined, 'misc', 'misc'],
    ];
    for (const [itemType, data, bibtex, biblatex] of expected) {
      assert.equal(bibEntryTypeForItem(itemType, data), bibtex, `${itemType} → @${bibtex}`);
      assert.equal(bibEntryTypeForItem(itemType, data, 'biblatex'), biblatex, `${itemType} → @${biblatex} (BibLaTeX)`);
    }
    assert.equal(bibEntryTypeForCsl('thesis', "Master's thesis"), 'mastersthesis');
    for (const itemType of knownItemTypes()) assert.match(bibEntryTypeForItem(itemType), /^[a-z]+$/, itemType);
  });
});

describe('Zotero field conventions', () => {
  it('reads free-text dates', () => {
    const cases: [string, unknown][] = [
      ['2017-12-04', { issued: { 'date-parts': [[2017, 12, 4]] } }],
      ['2017-00-00 2017', { issued: { 'date-parts': [[2017]] } }],
      ['December 2017', { issued: { 'date-parts': [[2017, 12]] } }],
      ['4 Dec. 2017', { issued: { 'date-parts': [[2017, 12, 4]] } }],
      ['Dec 4, 2017', { issued: { 'date-parts': [[2017, 12, 4]] } }],
      ['12/4/2017', { issued: { 'date-parts': [[2017, 12, 4]] } }],
      ['25/4/2017', { issued: { 'date-parts': [[2017, 4, 25]] } }],
      ['4.12.2017', { issued: { 'date-parts': [[2017, 12, 4]] } }],
      ['Spring 2019', { issued: { 'date-parts': [[2019]] } }],
      ['2019 Mar', { issued: { 'date-parts': [[2019, 3]] } }],
      ['n.d.', {}],
      ['', {}],
      ['in press', { status: 'in press' }],
      ['sometime soon', { issued: { 'date-parts': [], literal: 'sometime soon' } }],
    ];
    for (const [text, expected] of cases) assert.deepEqual(parseZoteroDate(text), expected, text);
  });

  it('reads Extra lines, first of a name wins, other lines ignored', () => {
    const extra = parseExtra('Citation Key: smith2020\nbibtex: older2019\narXiv: 2101.00001v2 [cs.CL]\nDOI: 10.1/x\noriginal-date: 1990\ntex.note: Hello\ntex.note: Again\nbiblatex.addendum= raw {value}\nconstructor: x\nA plain line of notes\n__proto__: polluted');
    assert.equal(extra.citationKey, 'smith2020');
    assert.equal(extra.arxiv, '2101.00001');
    assert.equal(extra.arxivClass, 'cs.CL');
    assert.deepEqual(extra.csl, { DOI: '10.1/x', 'original-date': '1990' });
    assert.deepEqual(extra.tex, { note: 'Hello', addendum: 'raw {value}' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('reads Zotero rich text in titles, and leaves other angle brackets as text', () => {
    assert.deepEqual(readRichTitle('Plain'), { text: 'Plain' });
    assert.deepEqual(readRichTitle('x < y and <b>bold</b>'), { text: 'x < y and bold', rich: [{ text: 'x < y and ' }, { text: 'bold', bold: true }] });
    assert.deepEqual(readRichTitle('<span class="nocase">iPhone</span> apps'), { text: 'iPhone apps' });
    assert.deepEqual(readRichTitle('<span style="font-variant:small-caps;">Tex</span>'), { text: 'Tex', rich: [{ text: 'Tex', smallCaps: true }] });
    assert.equal(readRichTitle('<i>unclosed').text, 'unclosed');
  });

  it('reads library references and builds zotero:// URIs', () => {
    assert.deepEqual(parseLibraryRef('groups/12345'), { type: 'group', id: '12345' });
    assert.deepEqual(parseLibraryRef('/users/0/'), { type: 'user', id: '0' });
    assert.equal(parseLibraryRef('group/12'), undefined);
    assert.equal(parseLibraryRef('users/abc'), undefined);
    assert.equal(zoteroSelectUri({ type: 'group', id: '7' }, 'ABCD2345'), 'zotero://select/groups/7/items/ABCD2345');
    assert.equal(zoteroOpenPdfUri({ type: 'user', id: '0' }, 'ABCD2345'), 'zotero://open-pdf/library/items/ABCD2345');
  });

  it('turns file:// URLs into paths for POSIX, Windows drives and network shares', () => {
    assert.equal(fileUrlToPath('file:///home/a/My%20Paper.pdf'), '/home/a/My Paper.pdf');
    assert.equal(fileUrlToPath('file:///C:/Users/a/Zotero/x.pdf'), 'C:\\Users\\a\\Zotero\\x.pdf');
    assert.equal(fileUrlToPath('file://server/share/x.pdf'), '\\\\server\\share\\x.pdf');
    assert.equal(fileUrlToPath('file://localhost/tmp/x.pdf'), '/tmp/x.pdf');
    assert.equal(fileUrlToPath('https://example.org/x.pdf'), undefined);
    assert.equal(fileUrlToPath('file:///bad%E0%A4%A'), undefined);
  });
});
