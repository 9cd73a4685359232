/**
 * Scalars of the YAML reader (yaml.ts): folding of `>` block scalars, the escapes of
 * double-quoted scalars, and the YAML 1.2 core-schema types of plain scalars.
 */

/** Folded block scalar: lines joined by spaces, a blank line a newline, more-indented lines kept. */
export function foldLines(lines: string[]): string {
  let out = '';
  let previous: 'start' | 'text' | 'blank' | 'indented' = 'start';
  for (const line of lines) {
    if (line === '') {
      out += '\n';
      previous = 'blank';
      continue;
    }
    const indented = line.startsWith(' ') || line.startsWith('\t');
    if (previous === 'text' && !indented) out += ' ';
    else if (previous === 'indented' || (previous === 'text' && indented)) out += '\n';
    out += line;
    previous = indented ? 'indented' : 'text';
  }
  return out;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

/** The escape sequence at `i` of a double-quoted scalar: its text and where the scalar goes on. */
export function unescapeDouble(text: string, i: number): { text: string; end: number } {
  const e = text[i + 1];
  if (e === undefined) return { text: '\\', end: i + 1 };
  if (e === '\n' || e === '\r') {
    // an escaped line break joins the lines without a space
    let j = i + 1;
    while (j < text.length && /[\r\n \t]/.test(text[j]!)) j++;
    return { text: '', end: j };
  }
  const width = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  if (width) {
    const hex = text.slice(i + 2, i + 2 + width);
    if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === width) {
      const code = parseInt(hex, 16);
      if (code <= 0x10ffff) return { text: String.fromCodePoint(code), end: i + 2 + width };
    }
    return { text: e, end: i + 2 };
  }
  return { text: ESCAPES[e] ?? e, end: i + 2 };
}

/** A plain scalar typed as YAML 1.2's core schema does. */
export function typedPlain(raw: string): string | number | boolean | null {
  if (/^(?:true|True|TRUE)$/.test(raw)) return true;
  if (/^(?:false|False|FALSE)$/.test(raw)) return false;
  if (/^(?:null|Null|NULL|~)?$/.test(raw)) return null;
  if (/^[-+]?\d+$/.test(raw) && raw.replace(/^[-+]/, '').length <= 15) return Number(raw);
  if (/^[-+]?(?:\.\d+|\d+\.\d*)(?:[eE][-+]?\d+)?$/.test(raw) || /^[-+]?\d+[eE][-+]?\d+$/.test(raw)) return Number(raw);
  return raw;
}
