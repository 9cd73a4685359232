/** LaTeX comments, for scanners that must not read commented-out commands. */

/** The offset of the end of the line holding `i` (the next `\n`, or the text's end). */
export function lineEndAt(text: string, i: number): number {
  const n = text.indexOf('\n', i);
  return n < 0 ? text.length : n;
}

/** The text with every `%` comment blanked to spaces (offsets kept); `\%` is not a comment. */
export function stripLatexComments(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 37) {
      const eol = lineEndAt(text, i);
      const stop = eol > i && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      out += text.slice(from, i) + ' '.repeat(stop - i);
      from = stop;
      i = eol;
    }
  }
  return out + text.slice(from);
}
