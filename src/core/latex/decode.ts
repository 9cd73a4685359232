/**
 * LaTeX as BibTeX fields hold it → the text a reader sees: accents composed (`{\'E}mile` → Émile),
 * symbols decoded (`\aa`, `\ldots`, `\euro`), formatting kept as rich runs (`\textit{Drosophila}`),
 * math kept readable (`$H_2O$` → H₂O, `$\mathbb{R}^d$` → ℝᵈ, `$\frac{a}{b}$` → a/b), unknown
 * commands dropped with their argument text kept (`\proglang{R}` → R) and named for a problem.
 *
 * One left-to-right pass with an explicit group stack: linear in the input and safe on hostile
 * nesting (no recursion).
 */
import type { RichRun } from '../types';
import { latexTables, mathAlphabet, toScript } from './symbols';

/** What a field's LaTeX reads as. */
export interface LatexText {
  /** Plain Unicode text, white space folded. */
  text: string;
  /** The same text with its emphasis, when asked for and when it has any. */
  runs?: RichRun[];
  /** Names of commands the decoder did not know (their argument text was kept). */
  unknown?: string[];
}

const ITALIC = 1;
const BOLD = 2;
const SMALL_CAPS = 4;
const SUP = 8;
const SUB = 16;
const CODE = 32;
const BB = 64;
const CAL = 128;
const FRAK = 256;
const RICH_BITS = ITALIC | BOLD | SMALL_CAPS | SUP | SUB | CODE;

/** Commands taking one argument that style it. `emph` toggles italics instead of setting it. */
const ARGUMENT_STYLE: Record<string, number> = {
  textit: ITALIC, textsl: ITALIC, emph: ITALIC, mkbibemph: ITALIC, mkbibitalic: ITALIC, mathit: ITALIC, textbf: BOLD,
  mathbf: BOLD, boldsymbol: BOLD, bm: BOLD, mkbibbold: BOLD, strong: BOLD, textsc: SMALL_CAPS, texttt: CODE,
  mathtt: CODE, textsuperscript: SUP, mkbibsuperscript: SUP, textsubscript: SUB, mkbibsubscript: SUB, mathbb: BB,
  mathds: BB, mathcal: CAL, mathscr: CAL, mathfrak: FRAK,
  // plain styles: the argument is kept, unstyled
  textrm: 0, textup: 0, textnormal: 0, textsf: 0, textmd: 0, mathrm: 0, mathsf: 0, mathnormal: 0, text: 0,
  mbox: 0, hbox: 0, operatorname: 0, ensuremath: 0, textlatin: 0, foreignlanguage: 0, uppercase: 0, MakeUppercase: 0,
  lowercase: 0, MakeLowercase: 0, enquote: 0, mkbibquote: 0, nocase: 0, NoCaseChange: 0, uline: 0, underline: 0,
  sout: 0, textcolor: 0, acrshort: 0, acrlong: 0, acro: 0, ac: 0, gls: 0,
};

/** Style declarations that change the rest of their group (`{\em …}`). */
const DECLARATION_STYLE: Record<string, number> = {
  em: ITALIC, it: ITALIC, itshape: ITALIC, sl: ITALIC, slshape: ITALIC, bf: BOLD, bfseries: BOLD, sc: SMALL_CAPS,
  scshape: SMALL_CAPS, tt: CODE, ttfamily: CODE, rm: -1, rmfamily: -1, upshape: -1, normalfont: -1, sf: 0, sffamily: 0,
  mdseries: 0, small: 0, footnotesize: 0, scriptsize: 0, tiny: 0, large: 0, Large: 0, LARGE: 0, huge: 0, Huge: 0,
  normalsize: 0, selectfont: 0,
};

/** Commands whose first argument is not text: left out with it (`{\noopsort{a}}` sorts, prints nothing). */
const DROP_ARGUMENT = new Set([
  'noopsort', 'SortNoop', 'sortnoop', 'noop', 'hspace', 'vspace', 'label', 'index', 'phantom', 'hphantom',
  'vphantom', 'kern', 'hskip', 'vskip', 'href', 'selectlanguage', 'setlength', 'color', 'fontsize', 'fontfamily',
  'usefont', 'hyphenation', 'ifthenelse', 'bibinfo', 'bibfield', 'IfFileExists',
]);
/** Commands whose argument is a URL or path: copied as written. */
const VERBATIM_ARGUMENT = new Set(['url', 'nolinkurl', 'path', 'doi', 'detokenize', 'verb']);

const SPACE_SYMBOLS = new Set([',', ';', ':', ' ', '>', '\t', '\n', '\r']);
const SILENT_SYMBOLS = new Set(['-', '/', '@', '!', '*']);
const ESCAPED = new Set(['&', '%', '$', '#', '_', '{', '}', '[', ']', '|', '<', '>']);

/** A quick test for text that needs no decoding: plain words with single spaces. */
const NEEDS_WORK = /[\\{}$~`\t\n\r]|--|''|[!?]`| {2}|^ | $/;

interface Group {
  style: number;
  /** Text emitted when the group closes (the `/` of `\frac{a}{b}`). */
  onClose?: string;
  /** Start of a super-/subscript group's output (outermost only), for converting it at the close. */
  scriptStart?: number;
  scriptKind?: 'sup' | 'sub';
  /** The group opened math mode (`\ensuremath{…}`, `\(`), so its close ends it. */
  endsMath?: boolean;
}

/** What the next token receives: the argument of the command just read. */
interface PendingArgument {
  style?: number;
  toggleItalic?: boolean;
  onClose?: string;
  drop?: boolean;
  verbatim?: boolean;
  script?: 'sup' | 'sub';
  /** The argument is math (`\\ensuremath{…}`). */
  math?: boolean;
}

/** The text a BibTeX field's LaTeX stands for; `rich` also returns its emphasis as runs. */
export function decodeLatex(raw: string, rich = false): LatexText {
  if (!NEEDS_WORK.test(raw)) return { text: raw };
  return new Decoder(raw, rich).run();
}

class Decoder {
  private readonly parts: string[] = [];
  private readonly runs: RichRun[] = [];
  private runMask = -1;
  private richSeen = false;
  private readonly groups: Group[] = [{ style: 0 }];
  private math = false;
  private pendingSpace = false;
  private spaceStyle = 0;
  private pendingAccent = '';
  private pending: PendingArgument | undefined;
  /** A single-token script (`H_2`) waiting for its token. */
  private singleScript: 'sup' | 'sub' | undefined;
  private oneShotStyle = 0;
  /** Index in `parts` where the `$` that opened the current math stood (-1: not opened by `$`). */
  private mathOpenedAt = -1;
  /** Inside a super-/subscript group that will be converted when it closes. */
  private inScript = false;
  private unknown: Set<string> | undefined;
  private i = 0;

  constructor(private readonly s: string, private readonly rich: boolean) {}

  run(): LatexText {
    const s = this.s;
    const n = s.length;
    while (this.i < n) {
      const c = s.charCodeAt(this.i);
      switch (c) {
        case 92: // backslash
          this.command();
          break;
        case 123: // {
          this.i++;
          this.openGroup();
          break;
        case 125: // }
          this.i++;
          this.closeGroup();
          break;
        case 36: // $
          this.i += s.charCodeAt(this.i + 1) === 36 ? 2 : 1;
          this.math = !this.math;
          // Where an unclosed `$` was: it is put back as text at the end.
          if (this.math) this.flushSpace();
          this.mathOpenedAt = this.math ? this.parts.length : -1;
          break;
        case 32: case 9: case 10: case 13:
          this.i++;
          this.space();
          break;
        case 126: // ~
          this.i++;
          this.emit('\u00a0');
          break;
        case 45: // -
          if (!this.math && s.charCodeAt(this.i + 1) === 45) {
            const em = s.charCodeAt(this.i + 2) === 45;
            this.i += em ? 3 : 2;
            this.emit(em ? '—' : '–');
          } else {
            this.i++;
            this.emit(this.math ? '−' : '-');
          }
          break;
        case 96: // `
          if (s.charCodeAt(this.i + 1) === 96) {
            this.i += 2;
            this.emit('“');
          } else {
            this.i++;
            this.emit('‘');
          }
          break;
        case 39: // '
          if (s.charCodeAt(this.i + 1) === 39) {
            this.i += 2;
            this.emit('”');
          } else {
            this.i++;
            this.emit(this.math ? '′' : "'");
          }
          break;
        case 33: case 63: // ! ?  (`!`` and `?`` are the inverted marks)
          if (s.charCodeAt(this.i + 1) === 96) {
            this.emit(c === 33 ? '¡' : '¿');
            this.i += 2;
          } else {
            this.emit(s[this.i++]);
          }
          break;
        case 94: case 95: // ^ _
          this.i++;
          if (this.math) this.script(c === 94 ? 'sup' : 'sub');
          else this.emit(c === 94 ? '^' : '_');
          break;
        default: {
          // A run of ordinary characters in one go.
          let j = this.i + 1;
          while (j < n && !SPECIAL[s.charCodeAt(j)]) j++;
          if (this.pending || this.singleScript || this.pendingAccent || this.oneShotStyle) {
            // The pending argument takes one character only.
            const cp = s.codePointAt(this.i) ?? 0;
            const len = cp > 0xffff ? 2 : 1;
            this.takeToken(s.slice(this.i, this.i + len));
            this.i += len;
          } else {
            this.emit(s.slice(this.i, j));
            this.i = j;
          }
        }
      }
    }
    // Groups left open at the end still get their scripts converted.
    while (this.groups.length > 1) this.closeGroup();
    // A `$` that never closed was a dollar sign, not math.
    if (this.math && this.mathOpenedAt >= 0) this.parts.splice(this.mathOpenedAt, 0, '$');
    const text = this.parts.join('');
    const result: LatexText = { text };
    if (this.rich && this.richSeen) result.runs = this.finishRuns();
    if (this.unknown?.size) result.unknown = [...this.unknown];
    return result;
  }

  private get style(): number {
    return this.groups[this.groups.length - 1].style;
  }

  private space(): void {
    if (this.pending || this.singleScript) return; // TeX skips spaces before an argument
    if (this.parts.length && !this.pendingSpace) {
      this.pendingSpace = true;
      // A space takes the style of where it was typed, not of what follows it.
      this.spaceStyle = this.style;
    }
  }

  private openGroup(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending?.drop) {
      this.skipGroup();
      return;
    }
    if (pending?.verbatim) {
      this.verbatimGroup();
      return;
    }
    let style = this.style;
    if (pending?.style) style |= pending.style;
    if (pending?.toggleItalic) style ^= ITALIC;
    const group: Group = { style };
    if (pending?.onClose) group.onClose = pending.onClose;
    if (pending?.math && !this.math) {
      this.math = true;
      group.endsMath = true;
    }
    const script = pending?.script ?? this.singleScript;
    this.singleScript = undefined;
    if (script) {
      style |= script === 'sup' ? SUP : SUB;
      group.style = style;
      // Only the outermost script group is converted, so each character is converted once.
      if (!this.inScript) {
        this.flushSpace();
        group.scriptStart = this.parts.length;
        group.scriptKind = script;
        this.inScript = true;
      }
    }
    this.groups.push(group);
  }

  private closeGroup(): void {
    if (this.groups.length <= 1) return; // an extra `}`: BibTeX would not have read the field; ignore it
    const group = this.groups.pop()!;
    if (group.scriptKind && group.scriptStart !== undefined) {
      this.inScript = false;
      this.convertScript(group.scriptStart, group.scriptKind);
    }
    if (group.endsMath) this.math = false;
    if (group.onClose) this.emit(group.onClose);
  }

  /** Turns a script group's output into Unicode super-/subscripts, or marks it `^(…)` when some character has none. */
  private convertScript(start: number, kind: 'sup' | 'sub'): void {
    const body = this.parts.splice(start).join('');
    if (!body) return;
    const mapped = toScript(body, kind);
    const marker = kind === 'sup' ? '^' : '_';
    this.parts.push(mapped ?? ([...body].length === 1 ? marker + body : `${marker}(${body})`));
  }

  private script(kind: 'sup' | 'sub'): void {
    // `^` waits for its one token: a group, a command or a character.
    this.singleScript = kind;
    this.skipSpaces();
  }

  private skipSpaces(): void {
    const s = this.s;
    while (this.i < s.length && (s.charCodeAt(this.i) === 32 || s.charCodeAt(this.i) === 9 || s.charCodeAt(this.i) === 10 || s.charCodeAt(this.i) === 13)) this.i++;
  }

  /** Skips the group whose `{` was just read, braces counted. */
  private skipGroup(): void {
    const s = this.s;
    let depth = 1;
    while (this.i < s.length && depth > 0) {
      const c = s.charCodeAt(this.i++);
      if (c === 92) this.i++;
      else if (c === 123) depth++;
      else if (c === 125) depth--;
    }
  }

  /** Copies the group whose `{` was just read as written (a URL), without its braces. */
  private verbatimGroup(): void {
    const s = this.s;
    let depth = 1;
    const start = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 123) depth++;
      else if (c === 125 && --depth === 0) break;
      this.i++;
    }
    this.emit(s.slice(start, this.i).replace(/[{}]/g, ''));
    this.i++;
  }

  private command(): void {
    const s = this.s;
    const start = ++this.i;
    if (start >= s.length) return;
    let name: string;
    const first = s.charCodeAt(start);
    if (isLetter(first)) {
      let j = start + 1;
      while (j < s.length && isLetter(s.charCodeAt(j))) j++;
      name = s.slice(start, j);
      this.i = j;
      // TeX drops the spaces after a control word.
      this.skipSpaces();
    } else {
      name = s[start];
      this.i = start + 1;
    }
    this.dispatch(name, isLetter(first));
  }

  private dispatch(name: string, word: boolean): void {
    const tables = latexTables();
    if (!word) {
      if (name === '(' || name === '[') {
        this.math = true;
        return;
      }
      if (name === ')' || name === ']') {
        this.math = false;
        return;
      }
      const accent = tables.accents.get(name);
      if (accent && !(this.math && (name === '^' || name === '~'))) {
        this.accent(accent);
        return;
      }
      if (name === '\\') return this.space();
      if (SPACE_SYMBOLS.has(name)) return this.space();
      if (SILENT_SYMBOLS.has(name)) return;
      if (ESCAPED.has(name)) return this.takeToken(name);
      return this.takeToken(name);
    }
    const accent = tables.accents.get(name);
    if (accent) return this.accent(accent);
    if (name in ARGUMENT_STYLE) {
      const style = ARGUMENT_STYLE[name];
      this.pending = name === 'emph' ? { toggleItalic: true } : { style };
      if (name === 'ensuremath') this.pending.math = true;
      return;
    }
    if (name in DECLARATION_STYLE) {
      const style = DECLARATION_STYLE[name];
      const top = this.groups[this.groups.length - 1];
      if (style === -1) top.style &= ~RICH_BITS;
      else if (name === 'em') top.style ^= ITALIC;
      else top.style |= style;
      return;
    }
    if (DROP_ARGUMENT.has(name)) {
      this.pending = { drop: true };
      return;
    }
    if (VERBATIM_ARGUMENT.has(name)) {
      this.pending = { verbatim: true };
      return;
    }
    if (name === 'frac' || name === 'dfrac' || name === 'tfrac' || name === 'nicefrac' || name === 'sfrac') {
      this.pending = { onClose: '/' };
      return;
    }
    const text = tables.text.get(name);
    if (text !== undefined) {
      // A symbol followed by `{}` (`\ss{}`) is common: the empty group is harmless.
      if (text === ' ') return this.space();
      return this.takeToken(text);
    }
    const math = tables.math.get(name);
    if (math !== undefined) return this.takeToken(math);
    // An unknown command: it is dropped, its argument (if any) reads as text.
    (this.unknown ??= new Set()).add(name);
  }

  private accent(mark: string): void {
    // `\~{\^{e}}`: the inner accent sits on the letter first.
    this.pendingAccent = mark + this.pendingAccent;
    this.skipSpaces();
  }

  /** Output of one token, which a pending argument applies to. */
  private takeToken(text: string): void {
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      if (pending.drop) return;
      let style = this.style;
      if (pending.style) style |= pending.style;
      if (pending.toggleItalic) style ^= ITALIC;
      this.oneShotStyle = style;
      if (pending.script) this.singleScript = pending.script;
      this.emit(text);
      if (pending.onClose) this.emit(pending.onClose);
      return;
    }
    this.emit(text);
  }

  private flushSpace(): void {
    if (this.pendingSpace) {
      this.pendingSpace = false;
      this.append(' ', this.spaceStyle);
    }
  }

  private emit(text: string): void {
    if (!text) return;
    let style = this.oneShotStyle || this.style;
    this.oneShotStyle = 0;
    if (this.pendingAccent) {
      const marks = this.pendingAccent;
      this.pendingAccent = '';
      const cp = text.codePointAt(0) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      let base = text.slice(0, len);
      if (base === 'ı') base = 'i';
      else if (base === 'ȷ') base = 'j';
      text = (base + marks).normalize('NFC') + text.slice(len);
    }
    if (style & (BB | CAL | FRAK)) {
      const alphabet = style & BB ? 'bb' : style & CAL ? 'cal' : 'frak';
      let mapped = '';
      for (const ch of text) mapped += mathAlphabet(ch, alphabet);
      text = mapped;
    }
    const script = this.singleScript;
    if (script) {
      this.singleScript = undefined;
      this.flushSpace();
      const cp = text.codePointAt(0) ?? 0;
      const len = cp > 0xffff ? 2 : 1;
      const head = text.slice(0, len);
      const converted = this.inScript ? head : toScript(head, script) ?? (script === 'sup' ? '^' : '_') + head;
      this.append(converted, style | (script === 'sup' ? SUP : SUB));
      if (text.length > len) this.append(text.slice(len), style);
      return;
    }
    this.flushSpace();
    this.append(text, style);
  }

  private append(text: string, style: number): void {
    this.parts.push(text);
    if (!this.rich) return;
    const mask = style & RICH_BITS;
    if (mask) this.richSeen = true;
    if (mask === this.runMask && this.runs.length) this.runs[this.runs.length - 1].text += text;
    else {
      this.runs.push(runFor(text, mask));
      this.runMask = mask;
    }
  }

  private finishRuns(): RichRun[] {
    // Script groups were converted in `parts` only; runs keep the letters with their sup/sub mark.
    const runs = this.runs.filter((r) => r.text);
    if (runs.length) runs[runs.length - 1].text = runs[runs.length - 1].text.trimEnd();
    return runs;
  }
}

function runFor(text: string, mask: number): RichRun {
  const run: RichRun = { text };
  if (mask & ITALIC) run.italic = true;
  if (mask & BOLD) run.bold = true;
  if (mask & SMALL_CAPS) run.smallCaps = true;
  if (mask & SUP) run.sup = true;
  if (mask & SUB) run.sub = true;
  if (mask & CODE) run.code = true;
  return run;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Characters that end a run of ordinary text. */
const SPECIAL: boolean[] = [];
for (const ch of '\\{}$ \t\n\r~-`\'!?^_') SPECIAL[ch.charCodeAt(0)] = true;
