/**
 * Problems found while reading a user's files, as data: a `code`, the values it names and a line.
 * The words a user reads are made here and only here (`problemMessage`); code that reacts to a
 * problem looks at `code` and `data`, never at the message.
 */
import type { Problem, ProblemData } from './types';

/** Every kind of problem the readers report. */
export type ProblemCode =
  // the file as a whole
  | 'not-bibtex'
  | 'not-json'
  | 'not-csl-json'
  | 'encoding-fallback'
  | 'encoding-declared'
  // BibTeX syntax
  | 'unbalanced-entry'
  | 'entry-truncated'
  | 'entry-syntax'
  | 'missing-key'
  | 'missing-comma'
  | 'string-syntax'
  | 'duplicate-field'
  // BibTeX meaning
  | 'duplicate-key'
  | 'duplicate-key-across-files'
  | 'undefined-macro'
  | 'crossref-missing'
  | 'crossref-cycle'
  | 'xdata-missing'
  | 'unknown-command'
  | 'duplicate-entry'
  // CSL-JSON
  | 'csl-item-not-object'
  | 'csl-item-no-key'
  | 'csl-duplicate-key';

const WHAT_IT_LOOKS_LIKE: Record<string, string> = {
  json: ' (it looks like JSON; CSL-JSON libraries need a .json name)',
};

/** The sentence for a problem, naming what its data names (no trailing period: callers add context). */
export function problemMessage(code: ProblemCode, data: ProblemData = {}): string {
  const key = data.key !== undefined ? `\`${data.key}\`` : '';
  switch (code) {
    case 'not-bibtex':
      return `${data.file ?? 'the file'} is not a BibTeX file: no "@type{key," entries found${WHAT_IT_LOOKS_LIKE[data.hint ?? ''] ?? ''}`;
    case 'not-json':
      return `${data.file ?? 'the file'} is not valid JSON: unexpected ${data.found ?? 'text'} at line ${data.line ?? '?'}, column ${data.column ?? '?'}`;
    case 'not-csl-json':
      return `${data.file ?? 'the file'} is not CSL-JSON: expected an array of items`;
    case 'encoding-fallback':
      return `the file is not UTF-8; it was read as ${data.encoding ?? 'Windows-1252'} (save it as UTF-8, or add a "% Encoding: …" line naming its encoding)`;
    case 'encoding-declared':
      return `the file is read as ${data.encoding ?? '?'}, as its "% Encoding:" line says`;
    case 'unbalanced-entry':
      return `unbalanced braces in entry ${key || 'starting here'}; it was skipped`;
    case 'entry-truncated':
      return `entry ${key} breaks off at line ${data.line ?? '?'} (${data.reason ?? 'unexpected text'}); the fields before it were read`;
    case 'entry-syntax':
      return `entry ${key} could not be read: ${data.reason ?? 'unexpected text'}; it was skipped`.replace('entry  ', 'entry ');
    case 'missing-key':
      return `entry has no key${data.type ? ` (@${data.type})` : ''}; it was skipped`;
    case 'missing-comma':
      return `entry ${key}: missing comma before field \`${data.field ?? '?'}\`; read as if it were there`;
    case 'string-syntax':
      return `@string could not be read: ${data.reason ?? 'unexpected text'}; its macro is undefined`;
    case 'duplicate-field':
      return `entry ${key}: field \`${data.field ?? '?'}\` is given twice; the first is used, as BibTeX does`;
    case 'duplicate-key':
      return `duplicate key ${key} (first at line ${data.firstLine ?? '?'}${data.firstKey && data.firstKey !== data.key ? ` as \`${data.firstKey}\`` : ''}); the first is kept`;
    case 'duplicate-key-across-files':
      return `key ${key} is also defined in ${data.otherFile ?? 'another file'}${data.firstLine ? ` (line ${data.firstLine})` : ''}; citations use that one`;
    case 'undefined-macro':
      return `undefined macro \`${data.macro ?? '?'}\`${data.field ? ` in field \`${data.field}\`` : ''}${key ? ` of ${key}` : ''}: it reads as empty, as in BibTeX (define it with @string{${data.macro ?? 'name'} = {…}})`;
    case 'crossref-missing':
      return `entry ${key}: crossref \`${data.parent ?? '?'}\` is not in the library`;
    case 'crossref-cycle':
      return `entry ${key}: crossref \`${data.parent ?? '?'}\` leads back to ${key}; the cycle is cut here and both entries are kept`;
    case 'xdata-missing':
      return `entry ${key}: xdata \`${data.parent ?? '?'}\` is not in the library`;
    case 'unknown-command':
      return `unknown LaTeX command \`\\${data.command ?? '?'}\`${data.field ? ` in field \`${data.field}\`` : ''}${key ? ` of ${key}` : ''}; its argument text is kept`;
    case 'duplicate-entry':
      return `entry ${key} has the same ${data.reason ?? 'identifier'} as \`${data.otherKey ?? '?'}\`${data.otherLine ? ` (line ${data.otherLine})` : ''}: it may be the same work; both are kept`;
    case 'csl-item-not-object':
      return `item ${data.index ?? '?'} is not an object; skipped`;
    case 'csl-item-no-key':
      return `item ${data.index ?? '?'} has no id or citation-key; skipped`;
    case 'csl-duplicate-key':
      return `duplicate key ${key}${data.firstLine ? ` (first at line ${data.firstLine})` : ''}; the first is kept`;
  }
}

const SEVERITY: Record<ProblemCode, Problem['severity']> = {
  'not-bibtex': 'error',
  'not-json': 'error',
  'not-csl-json': 'error',
  'encoding-fallback': 'warning',
  'encoding-declared': 'info',
  'unbalanced-entry': 'error',
  'entry-truncated': 'error',
  'entry-syntax': 'error',
  'missing-key': 'error',
  'missing-comma': 'warning',
  'string-syntax': 'error',
  'duplicate-field': 'warning',
  'duplicate-key': 'warning',
  'duplicate-key-across-files': 'warning',
  'undefined-macro': 'warning',
  'crossref-missing': 'warning',
  'crossref-cycle': 'warning',
  'xdata-missing': 'warning',
  'unknown-command': 'info',
  'duplicate-entry': 'info',
  'csl-item-not-object': 'warning',
  'csl-item-no-key': 'warning',
  'csl-duplicate-key': 'warning',
};

/** A problem of `code` at `line` (1-based) naming `data`; its message and severity come from the code. */
export function problem(code: ProblemCode, line: number | undefined, data: ProblemData = {}): Problem {
  const out: Problem = { code, severity: SEVERITY[code], message: problemMessage(code, data), data };
  if (line !== undefined) out.line = line;
  return out;
}
