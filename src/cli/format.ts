/**
 * `litcite format <key…> [--style NAME | --csl FILE] [--locale xx-XX] [--format text|html]`:
 * formatted bibliography entries, one per line, in the order the keys were given. The caller
 * (src/cli.ts) parses the command line, looks the keys up and prints what this returns; an error
 * is one line for stderr (exit 2). Also the Node side of the bundled styles: reading media/csl.
 */
import * as fs from 'fs';
import { toCslItem } from '../core/format/csl-json';
import { escapeHtml } from '../core/format/html';
import { BUNDLED_LOCALES, BUNDLED_STYLES, DEFAULT_STYLE, StyleRegistry, type StyleError } from '../core/format/styles';
import type { Paper } from '../core/types';

/** Usage text for `litcite format --help`. */
export const FORMAT_HELP = `Usage: litcite format <key…> [--style NAME | --csl FILE] [--locale xx-XX] [--format text|html] [--library FILE]… [--no-bundled]

Prints each paper's bibliography entry in a citation style, one per line, in the order given.
  --style NAME     a bundled style (default ${DEFAULT_STYLE}): ${BUNDLED_STYLES.join(', ')}
                   (also mla, chicago, harvard, acm)
  --csl FILE       a CSL style file instead (dependent styles of the bundled ones work too)
  --locale xx-XX   the language of terms and dates: ${BUNDLED_LOCALES.join(', ')} (default: the style's)
  --format FORMAT  text (default) or html`;

/** The options of `litcite format`, as given on the command line. */
export interface FormatCommandOptions {
  style?: string;
  csl?: string;
  locale?: string;
  format?: string;
}

/** Lines to print, or the one-line error. */
export type FormatCommandResult = { ok: true; lines: string[] } | { ok: false; error: string };

/**
 * Formats `papers` (already looked up, in the order given) with the chosen style. `registry`
 * holds the bundled styles and locales ({@link loadBundledCsl}); a `--csl` file is read here.
 */
export function formatCommand(papers: Paper[], options: FormatCommandOptions, registry: StyleRegistry): FormatCommandResult {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'html') return { ok: false, error: `--format must be text or html, not "${format}"` };
  if (options.style !== undefined && options.csl !== undefined) return { ok: false, error: 'give --style or --csl, not both' };
  let styleName = options.style ?? DEFAULT_STYLE;
  if (options.csl !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(options.csl, 'utf8');
    } catch (error) {
      return { ok: false, error: `cannot read ${options.csl}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
    }
    const added = registry.addStyleFile(options.csl, text);
    if (!added.ok) return { ok: false, error: describeStyleError(added.error) };
    styleName = added.style.name;
  } else if (!registry.style(styleName)) {
    return { ok: false, error: `unknown style "${styleName}"; bundled: ${BUNDLED_STYLES.join(', ')}` };
  }
  if (options.locale !== undefined && !registry.resolveLocale(options.locale)) {
    return { ok: false, error: `no locale for "${options.locale}"; bundled: ${registry.locales().join(', ')}` };
  }
  const formatter = registry.formatter(styleName, options.locale)!;
  const items = papers.map(toCslItem);
  if (!formatter.info.hasBibliography) {
    return { ok: true, lines: items.map((item) => formatter.formatEntry(item, { format })) };
  }
  const entries = formatter.formatBibliography(items, { format, order: 'given' });
  return {
    ok: true,
    lines: entries.map((e) => (format === 'html' ? `<div class="csl-entry" id="ref-${escapeHtml(e.id)}">${e.content}</div>` : e.content)),
  };
}

/** `file:line: message` for a style that could not be used. */
export function describeStyleError(error: StyleError): string {
  return `${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`;
}

export { defaultCslDir, loadBundledCsl } from '../node/csl-files';
