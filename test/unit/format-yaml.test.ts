import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readYaml } from '../../src/core/format/yaml';

const value = (text: string): unknown => readYaml(text).value;

describe('readYaml', () => {
  it('reads block mappings with typed plain scalars and quoted strings', () => {
    assert.deepEqual(value('title: A paper\nlink-citations: true\nvolume: 12\nratio: 1.5\nempty:\nnone: ~\nq: "12"\ns: \'it\'\'s\'\n'), {
      title: 'A paper', 'link-citations': true, volume: 12, ratio: 1.5, empty: null, none: null, q: '12', s: "it's",
    });
  });

  it('reads block lists, also at the indent of their key, and flow lists over several lines', () => {
    assert.deepEqual(value('bibliography:\n- a.bib\n- "b c.bib"\nother:\n  - x\nflow: [a.bib,\n  "b.bib" ]\n'), {
      bibliography: ['a.bib', 'b c.bib'], other: ['x'], flow: ['a.bib', 'b.bib'],
    });
  });

  it('reads CSL-YAML references: lists of mappings with nested name lists and date-parts', () => {
    const text = [
      'references:',
      '- id: doe2020',
      '  type: book',
      '  author:',
      '    - family: Doe',
      '      given: Jane',
      '    - {family: Roe, given: "J."}',
      '  issued:',
      '    date-parts: [[2020, 5]]',
      '  title: "A *title*: with colon"',
      '- id: x',
      '  issued: 2019-03-01',
    ].join('\n');
    assert.deepEqual(value(text), {
      references: [
        {
          id: 'doe2020', type: 'book', author: [{ family: 'Doe', given: 'Jane' }, { family: 'Roe', given: 'J.' }],
          issued: { 'date-parts': [[2020, 5]] }, title: 'A *title*: with colon',
        },
        { id: 'x', issued: '2019-03-01' },
      ],
    });
  });

  it('reads literal and folded block scalars with chomping', () => {
    assert.deepEqual(value('nocite: |\n  @a, @b\n  @c\nfold: >-\n  one\n  two\n\n  three\nkeep: |+\n  x\n\nnext: 1\n'), {
      nocite: '@a, @b\n@c\n', fold: 'one two\nthree', keep: 'x\n\n', next: 1,
    });
  });

  it('continues plain scalars on more-indented lines and drops comments', () => {
    assert.deepEqual(value('title: A long\n  title here # note\n# a comment\nurl: http://x.org/#frag\n'), {
      title: 'A long title here', url: 'http://x.org/#frag',
    });
  });

  it('decodes double-quoted escapes and folds quoted line breaks', () => {
    assert.deepEqual(value('a: "tab\\there \\u00e9 \\"q\\""\nb: "one\n  two"\n'), { a: 'tab\there é "q"', b: 'one two' });
  });

  it('reports what it cannot read and keeps going', () => {
    const result = readYaml('a: *alias\nb: 2\nthis line is not yaml\nc: 3\n');
    assert.deepEqual(result.value, { a: null, b: 2, c: 3 });
    assert.equal(result.problems.length, 2);
    assert.match(result.problems[0]!.message, /aliases/);
    assert.equal(result.problems[1]!.line, 3);
  });

  it('treats a key without a space after the colon as text (URLs)', () => {
    assert.deepEqual(value('csl: https://www.zotero.org/styles/apa\n'), { csl: 'https://www.zotero.org/styles/apa' });
  });

  it('never throws and stays linear on hostile input', () => {
    const hostile = [
      '['.repeat(100_000),
      '- '.repeat(50_000) + 'x',
      'a:\n' + '  b:\n'.repeat(20_000),
      '"' + 'x'.repeat(200_000),
      'k: ' + '{a: '.repeat(50_000),
      (' '.repeat(1000) + 'x: 1\n').repeat(500),
      '|\n' + '  text\n'.repeat(100_000),
    ];
    for (const text of hostile) {
      const start = performance.now();
      const result = readYaml(text);
      assert.ok(result.problems.length <= 50);
      assert.ok(performance.now() - start < 1500, `took ${performance.now() - start} ms on ${JSON.stringify(text.slice(0, 20))}…`);
    }
  });
});
