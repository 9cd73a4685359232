/**
 * BibTeX name lists → CSL names, by BibTeX's rules (as biber applies them): names split at `and`
 * outside braces; "First von Last", "von Last, First" and "von Last, Jr, First"; the von part is
 * the lower-case words; a special character `{\…}` counts as a letter of its word (`{\'E}mile` is
 * capitalised, `{\L}ukasz` too); hyphenated given names stay whole (`Jun-qi`); a braced name is
 * one literal (`{World Health Organization}`); a trailing `and others` means "et al.".
 * Linear in the field's length.
 */
import type { CslName } from '../types';
import { decodeLatex } from '../latex/decode';
import { FOREIGN_LETTERS } from '../latex/symbols';

/** Names of one field, and whether the list ended in `and others`. */
export interface NameList {
  names: CslName[];
  etAl: boolean;
  /** LaTeX commands the decoder did not know, by name. */
  unknown?: string[];
}

interface Word {
  /** The word as written (LaTeX). */
  text: string;
  lower: boolean | undefined;
}

/** Parses a name field's LaTeX (macros already expanded) into names. */
export function parseNames(raw: string): NameList {
  const parts = splitAnd(raw);
  const names: CslName[] = [];
  let etAl = false;
  let unknown: Set<string> | undefined;
  parts.forEach((part, index) => {
    const trimmed = part.trim();
    if (!trimmed) return;
    if (trimmed === 'others' && index === parts.length - 1 && index > 0) {
      etAl = true;
      return;
    }
    const name = parseName(trimmed, (commands) => {
      unknown ??= new Set();
      for (const command of commands) unknown.add(command);
    });
    if (name) names.push(name);
  });
  const list: NameList = { names, etAl };
  if (unknown) list.unknown = [...unknown];
  return list;
}

/** Splits at ` and ` (any case, white space around it) outside braces. */
function splitAnd(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125) depth = Math.max(0, depth - 1);
    else if (depth === 0 && isSpace(c) && i + 4 < n && (raw.charCodeAt(i + 1) | 32) === 97 && (raw.charCodeAt(i + 2) | 32) === 110 && (raw.charCodeAt(i + 3) | 32) === 100 && isSpace(raw.charCodeAt(i + 4))) {
      out.push(raw.slice(from, i));
      i += 4;
      from = i;
    }
  }
  out.push(raw.slice(from));
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 126;
}

/** One name in any of BibTeX's three forms. */
function parseName(text: string, onUnknown: (commands: string[]) => void): CslName | undefined {
  const commaParts = splitWords(text);
  const decode = (words: Word[]): string => {
    const raw = words.map((w) => w.text).join(' ');
    const decoded = decodeLatex(raw);
    if (decoded.unknown) {
      onUnknown(decoded.unknown);
      // A name that is only a command of the document's (`\Thanh`) keeps the command's name.
      if (!decoded.text.trim()) return decoded.unknown.join(' ');
    }
    return decoded.text;
  };
  let first: Word[] = [];
  let von: Word[] = [];
  let last: Word[] = [];
  let jr: Word[] = [];

  if (commaParts.length === 1) {
    const words = commaParts[0];
    if (words.length === 1 && isWhollyBraced(words[0].text)) {
      // `{World Health Organization}` is one literal name; `{Arvind}` a one-word family name.
      const whole = decode(words);
      if (!whole) return undefined;
      return /\s/.test(whole) ? { literal: whole } : { family: whole };
    }
    // First von Last, as biber reads it: von is the run of lower-case words starting at the first
    // one (`Jean de la Fontaine du Bois`: von `de la`, family `Fontaine du Bois`); the last word
    // is always part of the family name.
    let vonStart = -1;
    for (let i = 0; i < words.length - 1; i++) {
      if (words[i].lower) {
        vonStart = i;
        break;
      }
    }
    if (vonStart >= 0) {
      let vonEnd = vonStart;
      while (vonEnd + 1 < words.length - 1 && words[vonEnd + 1].lower) vonEnd++;
      first = words.slice(0, vonStart);
      von = words.slice(vonStart, vonEnd + 1);
      last = words.slice(vonEnd + 1);
    } else {
      first = words.slice(0, -1);
      last = words.slice(-1);
    }
  } else {
    const head = commaParts[0];
    // von Last: von is the run of lower-case words the part starts with, leaving a family name.
    let vonEnd = -1;
    while (vonEnd + 1 < head.length - 1 && head[vonEnd + 1].lower) vonEnd++;
    von = head.slice(0, vonEnd + 1);
    last = head.slice(vonEnd + 1);
    if (commaParts.length === 2) first = commaParts[1];
    else {
      jr = commaParts[1];
      // More than two commas: BibTeX complains; the rest reads as the given name.
      first = commaParts.slice(2).flat();
    }
  }
  const name: CslName = {};
  const family = decode(last);
  const given = decode(first);
  const particle = decode(von);
  const suffix = decode(jr);
  if (family) name.family = family;
  if (given) name.given = given;
  if (particle) name['non-dropping-particle'] = particle;
  if (suffix) name.suffix = suffix;
  if (!family && !given) return particle ? { family: particle } : undefined;
  if (!family) return { family: given, ...(particle ? { 'non-dropping-particle': particle } : {}) };
  return name;
}

/**
 * The words of a name, grouped by the commas between them (outside braces). Words are separated
 * by white space or `~`.
 */
function splitWords(text: string): Word[][] {
  const groups: Word[][] = [[]];
  let depth = 0;
  let start = -1;
  const n = text.length;
  const finish = (end: number): void => {
    if (start < 0) return;
    const word = text.slice(start, end);
    groups[groups.length - 1].push({ text: word, lower: wordCase(word) });
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) {
      if (start < 0) start = i;
      depth++;
    } else if (c === 125) {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0 && isSpace(c)) {
      // TeX swallows the space after a control word: `Gro\ss e` is one word, Große. Biber joins
      // only across the commands that are letters (`ACM\slash SIGGRAPH` stays two words), and so do we.
      if (start >= 0 && endsWithLetterCommand(text, start, i) && i + 1 < n && !isSpace(text.charCodeAt(i + 1)) && text.charCodeAt(i + 1) !== 44) continue;
      finish(i);
    } else if (depth === 0 && c === 44) {
      finish(i);
      groups.push([]);
    } else if (start < 0) {
      // A hyphen does not end a word: `Jun-qi` is one given name (biber's reading), not "Jun" + von "qi".
      start = i;
    }
  }
  finish(n);
  return groups.filter((g, i) => g.length > 0 || i > 0).map((g) => g);
}

/** Commands that stand for a letter (`\ss` ß, `\o` ø, `\l` ł, …). */
const LETTER_COMMANDS = new Set(['ss', 'SS', 'o', 'O', 'l', 'L', 'aa', 'AA', 'ae', 'AE', 'oe', 'OE', 'i', 'j', 'dh', 'DH', 'th', 'TH', 'ng', 'NG', 'dj', 'DJ']);

/** Whether `text[start, end)` ends in a command that stands for a letter (`\ss`, `\o`). */
function endsWithLetterCommand(text: string, start: number, end: number): boolean {
  let p = end;
  while (p > start && isAsciiLetter(text.charCodeAt(p - 1))) p--;
  if (p === end || p <= start || text.charCodeAt(p - 1) !== 92 || (p - 1 > start && text.charCodeAt(p - 2) === 92)) return false;
  return LETTER_COMMANDS.has(text.slice(p, end));
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * BibTeX's case of a word: that of its first letter outside braces; a brace group starting with a
 * command is a special character whose case is its letter's (`{\'E}`, `{\L}`, `{\aa}`); other
 * brace groups are skipped. Undefined when the word has no letter that decides (`{IEEE}`, `1st`).
 */
function wordCase(word: string): boolean | undefined {
  let depth = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === 123) {
      if (depth === 0 && word.charCodeAt(i + 1) === 92) {
        const special = specialCharCase(word, i + 1);
        if (special !== undefined) return special;
      }
      depth++;
    } else if (c === 125) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (c === 92) {
        // A command outside braces (`\"Ozt\"urk`): its letter decides, as biber reads decoded text.
        const special = specialCharCase(word, i);
        if (special !== undefined) return special;
        continue;
      }
      if (isUpper(c)) return false;
      if (isLower(c)) return true;
      if (c > 127) {
        const ch = String.fromCharCode(c);
        if (ch !== ch.toLowerCase()) return false;
        if (ch !== ch.toUpperCase()) return true;
      }
    }
  }
  return undefined;
}

/** The case of the special character whose command starts at `backslash`: a foreign letter's, else the first letter after the command name. */
function specialCharCase(word: string, backslash: number): boolean | undefined {
  let j = backslash + 1;
  const nameStart = j;
  while (j < word.length && isLetterCode(word.charCodeAt(j))) j++;
  const name = word.slice(nameStart, j);
  if (name && FOREIGN_LETTERS.has(name)) return isLower(name.charCodeAt(0));
  if (!name) j++; // an accent symbol like \' or \"
  for (; j < word.length; j++) {
    const c = word.charCodeAt(j);
    if (c === 125 && name) break;
    if (c === 92) {
      // `{\'\i}`: the dotless i is lower case
      const inner = /^[A-Za-z]+/.exec(word.slice(j + 1, j + 4));
      if (inner && FOREIGN_LETTERS.has(inner[0])) return isLower(inner[0].charCodeAt(0));
      continue;
    }
    if (isUpper(c)) return false;
    if (isLower(c)) return true;
  }
  return undefined;
}

function isWhollyBraced(word: string): boolean {
  if (word.charCodeAt(0) !== 123 || word.charCodeAt(word.length - 1) !== 125) return false;
  let depth = 0;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0 && i < word.length - 1) return false;
  }
  // `{\'E}` alone is a letter, not a braced name.
  return word.charCodeAt(1) !== 92 || /\s/.test(word);
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isLower(c: number): boolean {
  return c >= 97 && c <= 122;
}

function isLetterCode(c: number): boolean {
  return isUpper(c) || isLower(c);
}
