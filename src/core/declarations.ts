/**
 * Which bibliographies a document declares and which files a LaTeX text pulls in, read on plain
 * text: LaTeX commands outside comments, Markdown front matter, Quarto project files.
 */
import type { CiteFlavor } from './cite-syntax';
import { stripLatexComments } from './latex-comments';
import { frontMatterParts, readYamlKeys } from './yaml-lite';

/** Whether a file is a BibTeX bibliography, the only kind LitCite appends entries to. */
export function isBibtexPath(path: string): boolean {
  return /\.(?:bib|bibtex)$/i.test(path);
}

/**
 * The bibliography files a document declares, in order, without duplicates, as written
 * (relative paths for the caller to resolve). LaTeX: `\bibliography{a,b}` (`.bib` added
 * unless present), `\nobibliography`, `\addbibresource[opts]{x.bib}`, `\addglobalbib`,
 * `\addsectionbib`, ignoring comments and remote resources. Markdown: the front matter's
 * top-level `bibliography` (scalar, flow list or block list).
 */
export function declaredBibliographies(text: string, flavor: CiteFlavor): string[] {
  if (flavor === 'markdown') {
    const fm = frontMatterParts(text);
    if (!fm) return [];
    return unique(readYamlKeys(text, fm.body, true).flatMap((k) => k.values.map((v) => v.text)));
  }
  const clean = stripLatexComments(text);
  const found: string[] = [];
  const re = /\\(bibliography|nobibliography|addbibresource|addglobalbib|addsectionbib)(?![A-Za-z])\s*(?:\[([^\][]*)\]\s*)?\{([^{}]*)\}/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const command = m[1] ?? '';
    const arg = m[3] ?? '';
    if (command === 'bibliography' || command === 'nobibliography') {
      for (const part of arg.split(',')) {
        const name = part.trim();
        if (name) found.push(/\.bib$/i.test(name) ? name : `${name}.bib`);
      }
    } else {
      const path = arg.trim();
      const remote = /location\s*=\s*remote/i.test(m[2] ?? '') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
      if (path && !remote) found.push(path);
    }
  }
  return unique(found);
}

/** Every `bibliography` value in a `_quarto.yml` text, at any nesting level, in order, without duplicates. */
export function quartoProjectBibliographies(quartoYmlText: string): string[] {
  const all = readYamlKeys(quartoYmlText, { start: 0, end: quartoYmlText.length }, false);
  return unique(all.flatMap((k) => k.values.map((v) => v.text)));
}

/** The path of a `% !TEX root = …` magic comment within the first 20 lines (case-insensitive), as written. */
export function texRootMagic(text: string): string | undefined {
  const lines = text.split('\n', 20);
  for (const line of lines) {
    // The value is the rest of the line, trimmed by hand: `(.*?)\s*$` is quadratic on long spaces.
    const m = /^\s*%\s*!\s*tex\s+root\s*=/i.exec(line);
    const value = m ? line.slice(m[0].length).trim() : '';
    if (value) return value;
  }
  return undefined;
}

/**
 * Files a LaTeX text pulls in, in order, as written: `\input{x}`, `\include{x}`, `\subfile{x}`,
 * and `dir/x` for `\import{dir/}{x}`, `\subimport`, `\inputfrom`, `\includefrom` and their
 * `sub…` forms. Commented-out lines are ignored; the caller resolves paths and adds `.tex`.
 */
export function includedFiles(text: string): string[] {
  const clean = stripLatexComments(text);
  const found: string[] = [];
  const re = /\\(input|include|subfile|subfileinclude|import|subimport|inputfrom|includefrom|subinputfrom|subincludefrom)(?![A-Za-z])\s*(?:\*\s*)?\{([^{}]*)\}(?:\s*\{([^{}]*)\})?/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) {
    const command = m[1] ?? '';
    const first = (m[2] ?? '').trim();
    const twoArgs = /import|from/.test(command);
    if (!twoArgs) {
      if (first) found.push(first);
      // the optional second group belongs to whatever follows, not to this command
      if (m[3] !== undefined) re.lastIndex = m.index + m[0].indexOf('}') + 1;
      continue;
    }
    if (m[3] === undefined) continue;
    const file = m[3].trim();
    if (!file) continue;
    found.push(first === '' ? file : first.endsWith('/') ? first + file : `${first}/${file}`);
  }
  return found;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
