/*
 * How LitCite reads real-world bibliographies, measured against BibTeX and biber themselves:
 *   npm run bench:realworld -- FILE_OR_FOLDER…
 * For each .bib file: the keys BibTeX reads (a one-line style listing every entry of
 * \nocite{*}), the author family names biber gives (`biber --tool`, BibLaTeXML output), and what
 * LitCite's reader gives. Prints recall (BibTeX's entries LitCite lists under the same key) and
 * name agreement (entries whose family names equal biber's), with the disagreements.
 * Needs bibtex and biber on the PATH; never run by the tests (it takes minutes on a large corpus).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeLatex } from '../src/core/latex/decode';
import { parseBibtexLibrary } from '../src/core/library';
import { decodeBibBytes } from '../src/core/encoding';

const KEYS_STYLE = 'ENTRY { } { } { }\nREAD\nFUNCTION {output.key} { cite$ write$ newline$ }\nITERATE {output.key}\n';

function bibFiles(args: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    // A dangling link (TeX Live has some) is not a file to read.
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of fs.readdirSync(p).sort()) walk(path.join(p, name));
    else if (/\.bib$/i.test(p)) out.push(p);
  };
  args.forEach(walk);
  return out;
}

/** Keys of every entry BibTeX reads from `file`. */
function bibtexKeys(file: string, dir: string): string[] | undefined {
  fs.copyFileSync(file, path.join(dir, 'db.bib'));
  fs.writeFileSync(path.join(dir, 'keys.bst'), KEYS_STYLE);
  fs.writeFileSync(path.join(dir, 'doc.aux'), '\\citation{*}\n\\bibdata{db}\n\\bibstyle{keys}\n');
  try {
    execFileSync('bibtex', ['-terse', 'doc'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  } catch {
    // BibTeX exits non-zero on errors in the file but still writes what it read.
  }
  const bbl = path.join(dir, 'doc.bbl');
  if (!fs.existsSync(bbl)) return undefined;
  const keys = fs.readFileSync(bbl, 'latin1').split('\n').map((l) => l.trim()).filter(Boolean);
  fs.rmSync(bbl);
  return keys;
}

/** Family names of each entry's authors, as biber reads them. */
function biberFamilies(file: string, dir: string): Map<string, string[]> | undefined {
  const out = path.join(dir, 'out.bltxml');
  try {
    execFileSync('biber', ['--tool', '--quiet', '--output-format=biblatexml', `--output-file=${out}`, file], { cwd: dir, stdio: 'pipe', timeout: 120_000 });
  } catch {
    // biber reports errors for broken entries and still writes the rest.
  }
  if (!fs.existsSync(out)) return undefined;
  const xml = fs.readFileSync(out, 'utf8');
  fs.rmSync(out);
  const families = new Map<string, string[]>();
  const entryRe = /<bltx:entry id="([^"]*)"[^>]*>([\s\S]*?)<\/bltx:entry>/g;
  for (let m = entryRe.exec(xml); m; m = entryRe.exec(xml)) {
    const authors = /<bltx:names type="author"[^>]*>([\s\S]*?)<\/bltx:names>/.exec(m[2]);
    if (!authors) continue;
    const names: string[] = [];
    const nameRe = /<bltx:name>([\s\S]*?)<\/bltx:name>/g;
    for (let n = nameRe.exec(authors[1]); n; n = nameRe.exec(authors[1])) names.push(normalise(unescapeXml(familyPart(n[1]))));
    families.set(unescapeXml(m[1]), names);
  }
  return families;
}

/** The text of the family namepart of one `<bltx:name>`, nested nameparts joined by spaces. */
function familyPart(name: string): string {
  const start = name.indexOf('<bltx:namepart type="family"');
  if (start < 0) return '';
  let depth = 0;
  let text = '';
  const tag = /<(\/?)bltx:namepart\b[^>]*?(\/?)>|([^<]+)/g;
  tag.lastIndex = start;
  for (let m = tag.exec(name); m; m = tag.exec(name)) {
    if (m[3] !== undefined) {
      if (depth > 0) text += m[3];
    } else if (m[1]) {
      if (--depth === 0) break;
      text += ' ';
    } else if (!m[2]) depth++;
  }
  return text;
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/**
 * A family name for comparison: LaTeX decoded, NFC, spaces folded. biber decodes `{\'\i}` as a
 * dotless ı with a combining accent; that is the accented i a reader sees, so it counts as one.
 */
function normalise(name: string): string {
  return decodeLatex(name).text.replace(/\u0131([\u0300-\u036f])/g, 'i$1').normalize('NFC').replace(/\s+/g, ' ').trim();
}

function main(): void {
  const files = bibFiles(process.argv.slice(2));
  if (!files.length) {
    console.error('usage: npm run bench:realworld -- FILE_OR_FOLDER…');
    process.exit(2);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'litcite-realworld-'));
  let bibtexTotal = 0;
  let found = 0;
  let compared = 0;
  let agreed = 0;
  let entries = 0;
  let problems = 0;
  let located = 0;
  const missing: string[] = [];
  const disagreements: string[] = [];
  for (const file of files) {
    const { text } = decodeBibBytes(new Uint8Array(fs.readFileSync(file)));
    const parse = parseBibtexLibrary(text, file);
    entries += parse.papers.length;
    problems += parse.problems.length;
    located += parse.problems.filter((p) => p.line !== undefined).length;
    const ours = new Map(parse.papers.map((p) => [p.id, p]));
    const keys = bibtexKeys(file, dir);
    if (keys) {
      bibtexTotal += keys.length;
      for (const key of keys) {
        if (ours.has(key)) found++;
        else missing.push(`${file}: ${key}`);
      }
    }
    const families = biberFamilies(file, dir);
    if (!families) continue;
    for (const [key, theirs] of families) {
      const paper = ours.get(key);
      if (!paper || !theirs.length) continue;
      compared++;
      const mine = paper.author.map((a) => normalise(a.family ?? a.literal ?? ''));
      if (mine.length === theirs.length && mine.every((m, i) => m === theirs[i])) agreed++;
      else disagreements.push(`${file}: ${key}: biber ${JSON.stringify(theirs)} · LitCite ${JSON.stringify(mine)}`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const pct = (a: number, b: number): string => (b ? `${((100 * a) / b).toFixed(2)}%` : 'n/a');
  console.log(`files: ${files.length}, entries LitCite read: ${entries}, problems: ${problems} (${located} with a line)`);
  console.log(`recall against BibTeX: ${found}/${bibtexTotal} = ${pct(found, bibtexTotal)}`);
  console.log(`author family names equal to biber's: ${agreed}/${compared} = ${pct(agreed, compared)}`);
  if (missing.length) console.log(`\nentries BibTeX reads that LitCite does not list (${missing.length}):\n  ${missing.slice(0, 40).join('\n  ')}`);
  if (disagreements.length) console.log(`\nname disagreements (${disagreements.length}):\n  ${disagreements.slice(0, 60).join('\n  ')}`);
}

main();
