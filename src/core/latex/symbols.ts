/**
 * The tables the LaTeX decoder reads: text symbols, accents, math symbols, scripts. citation-js's
 * BibTeX plugin keeps the text-symbol and accent tables users' files mostly need; they are taken
 * from it and completed here where it falls short (it has no `\aa`, `\AA`, `\ldots`, `\S`, `\P`,
 * `\pounds`, `\dag`, `\euro`, few math operators, and its subscript table swaps `p` and `s`).
 */
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';

/** Commands without arguments that stand for text (letters, punctuation, symbols). */
const TEXT_EXTRA: Record<string, string> = {
  aa: 'å', AA: 'Å', o: 'ø', O: 'Ø', l: 'ł', L: 'Ł', ss: 'ß', SS: 'SS', ae: 'æ', AE: 'Æ', oe: 'œ', OE: 'Œ',
  i: 'ı', j: 'ȷ', dh: 'ð', DH: 'Ð', th: 'þ', TH: 'Þ', dj: 'đ', DJ: 'Đ', ng: 'ŋ', NG: 'Ŋ',
  ldots: '…', dots: '…', textellipsis: '…', S: '§', P: '¶', pounds: '£', dag: '†', ddag: '‡',
  euro: '€', texteuro: '€', EUR: '€', copyright: '©', textregistered: '®', texttrademark: '™',
  textendash: '–', textemdash: '—', textquotedblleft: '“', textquotedblright: '”', textquoteleft: '‘',
  textquoteright: '’', guillemotleft: '«', guillemotright: '»', textasciitilde: '~', textbackslash: '\\',
  textunderscore: '_', textbar: '|', textless: '<', textgreater: '>', textdegree: '°', textperiodcentered: '·',
  textbullet: '•', textdagger: '†', textdaggerdbl: '‡', textsection: '§', textparagraph: '¶', textmu: 'µ',
  textordfeminine: 'ª', textordmasculine: 'º', textexclamdown: '¡', textquestiondown: '¿', textasciicircum: '^',
  textbraceleft: '{', textbraceright: '}', textdollar: '$', textpm: '±', texttimes: '×', textdiv: '÷',
  textminus: '−', textonehalf: '½', textonequarter: '¼', textthreequarters: '¾', textcent: '¢', textyen: '¥',
  textsterling: '£', textperthousand: '‰', textnumero: '№', textcelsius: '℃', textohm: 'Ω',
  slash: '/', textslash: '/', textfractionsolidus: '⁄', textvisiblespace: '␣',
  LaTeX: 'LaTeX', TeX: 'TeX', LaTeXe: 'LaTeX2ε', BibTeX: 'BibTeX', XeTeX: 'XeTeX', LuaTeX: 'LuaTeX', AmS: 'AMS',
  BibLaTeX: 'BibLaTeX', biblatex: 'biblatex', MF: 'METAFONT', MP: 'MetaPost',
  ensuremath: '', relax: '', protect: '', unskip: '', nobreak: '', noindent: '', par: ' ', newline: ' ',
  linebreak: ' ', allowbreak: '', hbox: '', mbox: '', null: '', centering: '', leavevmode: '', hfill: ' ',
  quad: ' ', qquad: ' ', enspace: ' ', thinspace: ' ', space: ' ', nobreakspace: '\u00a0', textnbsp: '\u00a0',
  textcompwordmark: '', bibnamedash: '—', mkbibnamefamily: '', and: '&', textampersand: '&',
};

/** Math-mode commands (also read outside math: files often leave out the `$`). */
const MATH_EXTRA: Record<string, string> = {
  pm: '±', mp: '∓', times: '×', div: '÷', cdot: '·', cdots: '⋯', ldots: '…', ast: '∗', star: '⋆', circ: '∘',
  bullet: '•', leq: '≤', le: '≤', geq: '≥', ge: '≥', neq: '≠', ne: '≠', approx: '≈', sim: '∼', simeq: '≃',
  cong: '≅', equiv: '≡', propto: '∝', ll: '≪', gg: '≫', infty: '∞', partial: '∂', nabla: '∇', sum: '∑',
  prod: '∏', int: '∫', oint: '∮', sqrt: '√', forall: '∀', exists: '∃', neg: '¬', lnot: '¬', wedge: '∧',
  land: '∧', vee: '∨', lor: '∨', cap: '∩', cup: '∪', in: '∈', notin: '∉', ni: '∋', subset: '⊂', supset: '⊃',
  subseteq: '⊆', supseteq: '⊇', emptyset: '∅', varnothing: '∅', setminus: '∖', to: '→', rightarrow: '→',
  leftarrow: '←', gets: '←', leftrightarrow: '↔', Rightarrow: '⇒', Leftarrow: '⇐', Leftrightarrow: '⇔',
  mapsto: '↦', uparrow: '↑', downarrow: '↓', iff: '⇔', implies: '⟹', langle: '⟨', rangle: '⟩',
  lceil: '⌈', rceil: '⌉', lfloor: '⌊', rfloor: '⌋', prime: '′', ell: 'ℓ', hbar: 'ℏ', Re: 'ℜ', Im: 'ℑ',
  aleph: 'ℵ', wp: '℘', perp: '⊥', parallel: '∥', mid: '∣', oplus: '⊕', otimes: '⊗', odot: '⊙', dagger: '†',
  ddagger: '‡', angle: '∠', triangle: '△', Box: '□', Diamond: '◇', top: '⊤', bot: '⊥', vdash: '⊢',
  models: '⊨', log: 'log', ln: 'ln', exp: 'exp', sin: 'sin', cos: 'cos', tan: 'tan', max: 'max', min: 'min',
  arg: 'arg', det: 'det', lim: 'lim', sup: 'sup', inf: 'inf', Pr: 'Pr', deg: 'deg', dim: 'dim', ker: 'ker',
  lvert: '|', rvert: '|', vert: '|', Vert: '‖', lVert: '‖', rVert: '‖', backslash: '\\', colon: ':',
  left: '', right: '', big: '', Big: '', bigg: '', Bigg: '', bigl: '', bigr: '', Bigl: '', Bigr: '',
  displaystyle: '', textstyle: '', scriptstyle: '', limits: '', nolimits: '', cdotp: '·', vdots: '⋮',
  ddots: '⋱', lbrace: '{', rbrace: '}', lbrack: '[', rbrack: ']', '|': '‖', varepsilon: 'ε', epsilon: 'ϵ',
  Alpha: 'Α', Beta: 'Β', Epsilon: 'Ε', Zeta: 'Ζ', Eta: 'Η', Iota: 'Ι', Kappa: 'Κ', Mu: 'Μ', Nu: 'Ν',
  Omicron: 'Ο', omicron: 'ο', Rho: 'Ρ', Tau: 'Τ', Chi: 'Χ',
};

/** Accent commands and the combining mark each puts on the next letter. */
const ACCENT_EXTRA: Record<string, string> = {
  "'": '\u0301', '`': '\u0300', '^': '\u0302', '"': '\u0308', '~': '\u0303', '=': '\u0304', '.': '\u0307',
  u: '\u0306', v: '\u030c', H: '\u030b', c: '\u0327', k: '\u0328', d: '\u0323', b: '\u0331', r: '\u030a',
  t: '\u0361', textcommabelow: '\u0326', G: '\u030f', U: '\u030e', textogonekcentered: '\u0328',
  // math accents
  hat: '\u0302', widehat: '\u0302', tilde: '\u0303', widetilde: '\u0303', bar: '\u0304', overline: '\u0305',
  vec: '\u20d7', dot: '\u0307', ddot: '\u0308', acute: '\u0301', grave: '\u0300', breve: '\u0306', check: '\u030c',
  mathring: '\u030a',
};

/** Letters that are one "special character" when BibTeX decides a name word's case. */
export const FOREIGN_LETTERS = new Set(['i', 'j', 'oe', 'OE', 'ae', 'AE', 'aa', 'AA', 'o', 'O', 'l', 'L', 'ss']);

const SUPERSCRIPTS: Record<string, string> = {
  0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', '+': '⁺', '-': '⁻', '−': '⁻',
  '=': '⁼', '(': '⁽', ')': '⁾', a: 'ᵃ', b: 'ᵇ', c: 'ᶜ', d: 'ᵈ', e: 'ᵉ', f: 'ᶠ', g: 'ᵍ', h: 'ʰ', i: 'ⁱ', j: 'ʲ',
  k: 'ᵏ', l: 'ˡ', m: 'ᵐ', n: 'ⁿ', o: 'ᵒ', p: 'ᵖ', r: 'ʳ', s: 'ˢ', t: 'ᵗ', u: 'ᵘ', v: 'ᵛ', w: 'ʷ', x: 'ˣ', y: 'ʸ',
  z: 'ᶻ', A: 'ᴬ', B: 'ᴮ', D: 'ᴰ', E: 'ᴱ', G: 'ᴳ', H: 'ᴴ', I: 'ᴵ', J: 'ᴶ', K: 'ᴷ', L: 'ᴸ', M: 'ᴹ', N: 'ᴺ',
  O: 'ᴼ', P: 'ᴾ', R: 'ᴿ', T: 'ᵀ', U: 'ᵁ', V: 'ⱽ', W: 'ᵂ', ' ': ' ',
};

const SUBSCRIPTS: Record<string, string> = {
  0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉', '+': '₊', '-': '₋', '−': '₋',
  '=': '₌', '(': '₍', ')': '₎', a: 'ₐ', e: 'ₑ', h: 'ₕ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ', l: 'ₗ', m: 'ₘ', n: 'ₙ', o: 'ₒ',
  p: 'ₚ', r: 'ᵣ', s: 'ₛ', t: 'ₜ', u: 'ᵤ', v: 'ᵥ', x: 'ₓ', ' ': ' ',
};

/** `text` in Unicode super- or subscript letters, or undefined when some character has none. */
export function toScript(text: string, kind: 'sup' | 'sub'): string | undefined {
  const table = kind === 'sup' ? SUPERSCRIPTS : SUBSCRIPTS;
  let out = '';
  for (const ch of text) {
    const mapped = table[ch];
    if (mapped === undefined) return undefined;
    out += mapped;
  }
  return out;
}

let scriptBases: Map<string, { kind: 'sup' | 'sub'; base: string }> | undefined;

/** The base character and kind of a Unicode super-/subscript character (`₂` → sub `2`). */
export function fromScript(ch: string): { kind: 'sup' | 'sub'; base: string } | undefined {
  if (!scriptBases) {
    scriptBases = new Map();
    for (const [base, mapped] of Object.entries(SUPERSCRIPTS)) if (base !== ' ' && base !== '−') scriptBases.set(mapped, { kind: 'sup', base });
    for (const [base, mapped] of Object.entries(SUBSCRIPTS)) if (base !== ' ' && base !== '−') scriptBases.set(mapped, { kind: 'sub', base });
  }
  return scriptBases.get(ch);
}

/** Double-struck (`\mathbb`), script (`\mathcal`) and fraktur (`\mathfrak`) capitals that sit outside the math alphanumerics block. */
const LETTERLIKE: Record<string, Record<string, string>> = {
  bb: { C: 'ℂ', H: 'ℍ', N: 'ℕ', P: 'ℙ', Q: 'ℚ', R: 'ℝ', Z: 'ℤ' },
  cal: { B: 'ℬ', E: 'ℰ', F: 'ℱ', H: 'ℋ', I: 'ℐ', L: 'ℒ', M: 'ℳ', R: 'ℛ' },
  frak: { C: 'ℭ', H: 'ℌ', I: 'ℑ', R: 'ℜ', Z: 'ℨ' },
};
const ALPHANUMERIC_BASE: Record<string, number> = { bb: 0x1d538, cal: 0x1d49c, frak: 0x1d504 };

/** A capital letter in a math alphabet (`ℝ` for `\mathbb{R}`); other characters unchanged. */
export function mathAlphabet(ch: string, alphabet: 'bb' | 'cal' | 'frak'): string {
  const special = LETTERLIKE[alphabet][ch];
  if (special) return special;
  const code = ch.charCodeAt(0);
  if (ch.length === 1 && code >= 65 && code <= 90) return String.fromCodePoint(ALPHANUMERIC_BASE[alphabet] + code - 65);
  if (alphabet === 'bb' && ch === '1') return '𝟙';
  return ch;
}

interface Tables {
  text: Map<string, string>;
  math: Map<string, string>;
  accents: Map<string, string>;
}
let tables: Tables | undefined;

/** The symbol tables, built once. */
export function latexTables(): Tables {
  if (tables) return tables;
  const constants = plugins.config.get('@bibtex').constants;
  const text = new Map<string, string>();
  for (const [name, value] of Object.entries(constants.commands)) if (typeof value === 'string') text.set(name, value);
  for (const [name, value] of Object.entries(TEXT_EXTRA)) text.set(name, value);
  const math = new Map<string, string>();
  // Present at runtime though the plugin's typings leave it out.
  const { mathCommands = {} } = constants as typeof constants & { mathCommands?: Record<string, string> };
  for (const [name, value] of Object.entries(mathCommands)) if (typeof value === 'string') math.set(name, value);
  for (const [name, value] of Object.entries(MATH_EXTRA)) math.set(name, value);
  const accents = new Map<string, string>();
  for (const [name, value] of Object.entries(constants.diacritics)) if (typeof value === 'string') accents.set(name, value);
  for (const [name, value] of Object.entries(ACCENT_EXTRA)) accents.set(name, value);
  tables = { text, math, accents };
  return tables;
}
