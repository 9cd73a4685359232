/**
 * The edits that add to a bibliography or declare one, as offsets into the text they change:
 * appending an entry (existing bytes never change), declaring a .bib in Markdown front matter or
 * in a LaTeX root.
 */
import { declaredBibliographies } from './declarations';
import { stripLatexComments } from './latex-comments';
import { frontMatterParts, readYamlKeys, yamlScalar } from './yaml-lite';
import type { TextEdit } from './types';

/**
 * An insert at the very end of `bibText` adding `entryText`: in the file's line ending, one blank
 * line after existing content (none in an empty file), ending with a newline. Existing bytes never change.
 */
export function appendEntryEdit(bibText: string, entryText: string): TextEdit {
  const eol = lineEnding(bibText);
  const entry = entryText.replace(/^(?:[ \t]*(?:\r\n|\r|\n))+/, '').trimEnd().replace(/\r\n|\r|\n/g, eol) + eol;
  const end = bibText.length;
  let contentEnd = end;
  while (contentEnd > 0 && /\s/.test(bibText[contentEnd - 1]!)) contentEnd--;
  const tail = bibText.slice(contentEnd);
  const newlines = (tail.match(/\r\n|\r|\n/g) ?? []).length;
  const endsWithNewline = tail.endsWith('\n') || tail.endsWith('\r');
  let lead: string;
  if (tail.length === end) lead = end === 0 || endsWithNewline ? '' : eol;
  else if (newlines === 0) lead = eol + eol;
  else if (newlines === 1) lead = eol;
  else lead = endsWithNewline ? '' : eol;
  return { start: end, end, text: lead + entry };
}

/**
 * The edit declaring `bibPath` in a Markdown text's front matter: a new `bibliography:` line before
 * the closing `---`; a new front matter at the top when there is none; an existing scalar becomes
 * a flow list and an existing list gets the path appended. Undefined when the path is already declared.
 */
export function frontMatterBibliographyEdit(mdText: string, bibPath: string): TextEdit | undefined {
  const eol = lineEnding(mdText);
  const value = yamlScalar(bibPath);
  const fm = frontMatterParts(mdText);
  if (!fm) {
    const at = mdText.charCodeAt(0) === 0xfeff ? 1 : 0;
    return { start: at, end: at, text: `---${eol}bibliography: ${value}${eol}---${eol}${eol}` };
  }
  const key = readYamlKeys(mdText, fm.body, true)[0];
  if (!key) return { start: fm.closingLine, end: fm.closingLine, text: `bibliography: ${value}${eol}` };
  const same = (a: string): boolean => a.replace(/^\.\//, '') === bibPath.replace(/^\.\//, '');
  if (key.values.some((v) => same(v.text))) return undefined;
  switch (key.kind) {
    case 'empty':
      return { start: key.colonEnd, end: key.colonEnd, text: ` ${value}` };
    case 'scalar': {
      const raw = key.values[0]!.span;
      const old = mdText.slice(raw.start, raw.end);
      return { start: raw.start, end: raw.end, text: `[${old}, ${yamlScalar(bibPath, true)}]` };
    }
    case 'flow': {
      let p = key.listEnd - 1;
      while (p > key.listStart + 1 && /\s/.test(mdText[p - 1] ?? '')) p--;
      const text = key.values.length === 0 ? yamlScalar(bibPath, true) : `, ${yamlScalar(bibPath, true)}`;
      return { start: p, end: p, text };
    }
    case 'block':
      return { start: key.listEnd, end: key.listEnd, text: `${key.itemPrefix}${value}${eol}` };
  }
}

/**
 * The edit declaring `bibName` (`references` or `references.bib`) in a LaTeX text. BibTeX documents:
 * `\bibliographystyle{plain}` (only when no style is declared) and `\bibliography{references}` on
 * their own lines before `\end{document}`, or the name appended to an existing `\bibliography{…}`.
 * biblatex documents (loading biblatex, or using `\addbibresource` or `\printbibliography`):
 * `\addbibresource{references.bib}` before `\begin{document}`.
 * Undefined when already declared or when the needed `\begin`/`\end{document}` is missing.
 */
export function latexBibliographyEdit(texText: string, bibName: string): TextEdit | undefined {
  const eol = lineEnding(texText);
  const name = bibName.trim().replace(/\.bib$/i, '');
  if (!name) return undefined;
  const declared = declaredBibliographies(texText, 'latex');
  if (declared.some((d) => d.replace(/\.bib$/i, '').replace(/^\.\//, '') === name.replace(/^\.\//, ''))) return undefined;
  const clean = stripLatexComments(texText);
  const biblatex = /\\usepackage\s*(?:\[[^\][]*\]\s*)?\{[^{}]*\bbiblatex\b[^{}]*\}|\\(?:addbibresource|printbibliography)(?![A-Za-z])/;
  if (biblatex.test(clean)) {
    const begin = /\\begin\s*\{document\}/.exec(clean);
    if (!begin) return undefined;
    return ownLineInsert(texText, begin.index, [`\\addbibresource{${name}.bib}`], eol);
  }
  const existing = /\\bibliography\s*\{([^{}]*)\}/.exec(clean);
  if (existing) {
    const close = existing.index + existing[0].length - 1;
    const sep = (existing[1] ?? '').trim() === '' ? '' : ',';
    let p = close;
    while (p > 0 && /\s/.test(texText[p - 1] ?? '') && texText[p - 1] !== '{') p--;
    return { start: p, end: p, text: sep + name };
  }
  let end = -1;
  const re = /\\end\s*\{document\}/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) end = m.index;
  if (end < 0) return undefined;
  const lines = [`\\bibliography{${name}}`];
  if (!/\\bibliographystyle\s*\{/.test(clean)) lines.unshift('\\bibliographystyle{plain}');
  return ownLineInsert(texText, end, lines, eol);
}

/** The text's line break: `\r\n`, `\n`, or a lone `\r` (old Mac files), by its first line break. */
export function lineEnding(text: string): string {
  const nl = text.indexOf('\n');
  const cr = text.indexOf('\r');
  if (cr >= 0 && (nl < 0 || cr < nl - 1)) return '\r';
  return nl > 0 && text.charCodeAt(nl - 1) === 13 ? '\r\n' : '\n';
}

/** Inserts `lines` on their own lines right before offset `at` (which starts a line, or gets a line break before). */
function ownLineInsert(text: string, at: number, lines: string[], eol: string): TextEdit {
  const ls = text.lastIndexOf('\n', at - 1) + 1;
  const onlyIndent = /^[ \t]*$/.test(text.slice(ls, at));
  const pos = onlyIndent ? ls : at;
  return { start: pos, end: pos, text: (onlyIndent ? '' : eol) + lines.map((l) => l + eol).join('') };
}
