import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describeStyleError, formatCommand, loadBundledCsl } from '../../src/cli/format';
import { StyleRegistry } from '../../src/core/format/styles';
import { bundledRegistry, CSL_DIR } from '../fixtures/format/setup';
import { BOOK, CONFERENCE, THESIS } from '../fixtures/format/works';

const registry = bundledRegistry();
const fixture = (name: string): string => path.join(process.cwd(), 'test', 'fixtures', 'format', name);

describe('litcite format', () => {
  it('prints one entry per line in the order given, APA by default', () => {
    assert.deepEqual(formatCommand([THESIS, BOOK], {}, registry), {
      ok: true,
      lines: [
        'Shannon, C. E. (1940). An Algebra for Theoretical Genetics [PhD thesis]. Massachusetts Institute of Technology.',
        'Knuth, D. E. (1984). The TeXbook. Addison-Wesley.',
      ],
    });
  });

  it('numbers a numeric style in the order given', () => {
    const result = formatCommand([CONFERENCE, BOOK], { style: 'ieee' }, registry);
    assert.ok(result.ok);
    assert.match(result.lines[0]!, /^\[1\] A\. Vaswani et al\./);
    assert.match(result.lines[1]!, /^\[2\] D\. E\. Knuth/);
  });

  it('formats in a locale and as HTML', () => {
    const result = formatCommand([BOOK], { style: 'mla', locale: 'de', format: 'html' }, registry);
    assert.deepEqual(result, { ok: true, lines: ['<div class="csl-entry" id="ref-knuth1984texbook">Knuth, Donald E. <i>The TeXbook</i>. Addison-Wesley, 1984.</div>'] });
  });

  it('formats with a .csl file', () => {
    assert.deepEqual(formatCommand([BOOK, THESIS], { csl: fixture('minimal.csl') }, registry), {
      ok: true, lines: ['1 Knuth: The TeXbook.', '2 Shannon: An Algebra for Theoretical Genetics.'],
    });
  });

  it('answers a wrong option, style, locale or file with one line', () => {
    const error = (options: Parameters<typeof formatCommand>[1]): string => {
      const result = formatCommand([BOOK], options, registry);
      assert.ok(!result.ok);
      assert.ok(!result.error.includes('\n'));
      return result.error;
    };
    assert.equal(error({ format: 'pdf' }), '--format must be text or html, not "pdf"');
    assert.equal(error({ style: 'apa', csl: 'x.csl' }), 'give --style or --csl, not both');
    assert.match(error({ style: 'turabian' }), /^unknown style "turabian"; bundled: apa, ieee, /);
    assert.match(error({ locale: 'tlh' }), /^no locale for "tlh"; bundled: /);
    assert.match(error({ csl: fixture('missing.csl') }), /^cannot read .*missing\.csl: ENOENT$/);
    assert.match(error({ csl: fixture('broken.csl') }), /broken\.csl:5: not well-formed XML: <\/infos> closes <info> \(line 3\)$/);
  });

  it('loads the bundled files, and says which could not be loaded', () => {
    assert.deepEqual(loadBundledCsl(new StyleRegistry(), CSL_DIR), []);
    const errors = loadBundledCsl(new StyleRegistry(), path.join(CSL_DIR, 'nowhere'));
    assert.equal(errors.length, 14);
    assert.match(describeStyleError(errors[0]!), /nowhere.locales.locales-en-US\.xml: cannot read it: ENOENT$/);
  });
});
