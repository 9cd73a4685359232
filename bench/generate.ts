/**
 * A realistic lab bibliography for the bench, built from the bundled papers' words: entry types
 * and fields mixed as in real lab files, journal names through `@string` abbreviations, month
 * macros, proceedings parents shared by `crossref`, names and titles with LaTeX accents and
 * protected words, a fifth of the entries with abstracts, keywords, DOIs, URLs and file links.
 * Deterministic: the same count gives the same text.
 */
import * as path from 'path';
import { buildBundledLibrary } from '../src/core/corpus';
import { readSeedFolder } from '../src/node/seeds';
import { random } from '../test/random';

const JOURNALS: [macro: string, name: string][] = [
  ['jmlr', 'Journal of Machine Learning Research'], ['tpami', 'IEEE Transactions on Pattern Analysis and Machine Intelligence'],
  ['natmi', 'Nature Machine Intelligence'], ['tmlr', 'Transactions on Machine Learning Research'], ['cl', 'Computational Linguistics'],
  ['tacl', 'Transactions of the Association for Computational Linguistics'], ['ai', 'Artificial Intelligence'],
  ['ijcv', 'International Journal of Computer Vision'], ['nature', 'Nature'], ['science', 'Science'], ['pnas', 'Proceedings of the National Academy of Sciences'],
  ['jair', 'Journal of Artificial Intelligence Research'], ['ml', 'Machine Learning'], ['neco', 'Neural Computation'], ['tnnls', 'IEEE Transactions on Neural Networks and Learning Systems'],
];
const CONFERENCES = ['NeurIPS', 'ICML', 'ICLR', 'ACL', 'EMNLP', 'NAACL', 'CVPR', 'ICCV', 'AAAI', 'IJCAI', 'COLING', 'SIGIR', 'KDD', 'UAI', 'AISTATS'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'tor', 'vex', 'zu', 'pha', 'qui', 'dra', 'sel', 'nov', 'bri', 'gat', 'hul', 'yo', 'cen', 'wix'];
/** Names written the way .bib files carry them: LaTeX accents, braces, von parts, "Last, First". */
const ACCENTED = [
  'M{\\"u}ller, J{\\"o}rg', 'Nguy{\\~{\\^e}}n, Th{\\d{i}} Minh', '{\\O}stergaard, S{\\o}ren', 'Garc{\\\'i}a, Mar{\\\'i}a', 'van der Berg, Anna',
  'de la Cruz, Jos{\\\'e}', 'Erd{\\H{o}}s, P{\\\'a}l', '{\\v{S}}koda, Ji{\\v{r}}{\\\'i}', 'Sch{\\"o}lkopf, Bernhard', 'Bj{\\"o}rck, {\\AA}ke',
  '{Google DeepMind}', 'Ho{\\ss}feld, Tobias', 'Le{\\\'o}n, Ram{\\\'o}n', 'Wei{\\ss}, Clara',
];

export interface GeneratedBib {
  text: string;
  keys: string[];
  /** Queries with the key each should find first or near the top. */
  queries: [query: string, expected: string][];
}

/** `count` entries (plus the `@string` block and proceedings parents). */
export function generateBib(count: number, seed = 20240707): GeneratedBib {
  const { listings, metadata } = readSeedFolder(path.join(process.cwd(), 'seeds'));
  const seeds = buildBundledLibrary(listings, metadata).papers;
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const sentences = seeds.flatMap((p) => (p.abstract ?? '').split(/(?<=\.) /)).filter((s) => s.length > 20);
  const titleWords = seeds.flatMap((p) => p.title.split(' ')).filter((w) => w.length > 2);
  const authors = seeds.flatMap((p) => p.author.map((a) => (a.family ? `${a.family}, ${a.given ?? ''}` : a.literal ?? 'Anon')));
  const coin = (): string => Array.from({ length: 2 + Math.floor(rand() * 2) }, () => pick(SYLLABLES)).join('');
  const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

  const out: string[] = ['% Generated lab bibliography', ''];
  for (const [macro, name] of JOURNALS) out.push(`@string{${macro} = "${name}"}`);
  out.push('');
  const parents: string[] = [];
  for (const conference of CONFERENCES) {
    for (const year of [2019, 2020, 2021, 2022, 2023, 2024]) {
      const key = `${conference.toLowerCase()}${year}`;
      parents.push(key);
      out.push(`@proceedings{${key},\n  title = {Proceedings of {${conference}} ${year}},\n  booktitle = {Proceedings of {${conference}} ${year}},\n  year = {${year}},\n  publisher = {PMLR},\n}\n`);
    }
  }
  const keys: string[] = [];
  const queries: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const model = `${capital(coin())}-${1 + Math.floor(rand() * 70)}B`;
    const titleText = Array.from({ length: 5 + Math.floor(rand() * 7) }, () => pick(titleWords)).join(' ');
    const title = `{${model}}: ${titleText}`;
    const people = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => (rand() < 0.12 ? pick(ACCENTED) : pick(authors)));
    const year = 2000 + Math.floor(rand() * 25);
    const family = (people[0]!.split(',')[0] ?? 'anon').replace(/[^A-Za-z]/g, '').toLowerCase() || 'anon';
    const key = `${family}${year}${model.toLowerCase().replace(/[^a-z0-9]/g, '')}`;
    keys.push(key);
    const roll = rand();
    const fields: string[] = [`  title = {${title}}`, `  author = {${people.join(' and ')}}`];
    let type = 'article';
    if (roll < 0.42) {
      fields.push(`  journal = ${pick(JOURNALS)[0]}`, `  volume = {${1 + Math.floor(rand() * 60)}}`, `  number = {${1 + Math.floor(rand() * 12)}}`, `  pages = {${1 + Math.floor(rand() * 900)}--${1000 + Math.floor(rand() * 90)}}`);
    } else if (roll < 0.72) {
      type = 'inproceedings';
      if (rand() < 0.3) fields.push(`  crossref = {${pick(parents)}}`);
      else fields.push(`  booktitle = {Proceedings of the ${year} Conference on ${pick(titleWords)} ({${pick(CONFERENCES)}})}`);
      fields.push(`  pages = {${1 + Math.floor(rand() * 9000)}--${9001 + Math.floor(rand() * 90)}}`);
    } else if (roll < 0.88) {
      type = 'misc';
      const arxiv = `${String(year % 100).padStart(2, '0')}${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}.${String(Math.floor(rand() * 99999)).padStart(5, '0')}`;
      fields.push(`  eprint = {${arxiv}}`, '  archivePrefix = {arXiv}', `  primaryClass = {cs.${pick(['LG', 'CL', 'CV', 'AI'])}}`);
    } else if (roll < 0.93) {
      type = 'book';
      fields.push(`  publisher = {${pick(['MIT Press', 'Springer', 'Cambridge University Press', "O'Reilly"])}}`, `  address = {${pick(['Cambridge, MA', 'Berlin', 'New York'])}}`, `  edition = {${1 + Math.floor(rand() * 3)}}`);
    } else if (roll < 0.97) {
      type = 'phdthesis';
      fields.push(`  school = {${pick(['Universit{\\"a}t T{\\"u}bingen', 'ETH Z{\\"u}rich', 'Stanford University', '{\\\'E}cole Polytechnique'])}}`);
    } else {
      type = 'techreport';
      fields.push(`  institution = {${pick(['Google Research', 'Microsoft Research', 'OpenAI', 'Meta AI'])}}`, `  number = {TR-${year}-${Math.floor(rand() * 100)}}`);
    }
    fields.push(`  year = {${year}}`);
    if (rand() < 0.5) fields.push(`  month = ${pick(MONTHS)}`);
    if (rand() < 0.45) fields.push(`  doi = {10.${1000 + Math.floor(rand() * 9000)}/${coin()}.${year}.${i}}`);
    if (rand() < 0.35) fields.push(`  url = {https://example.org/papers/${key}}`);
    if (rand() < 0.3) fields.push(`  keywords = {${Array.from({ length: 2 + Math.floor(rand() * 4) }, () => pick(titleWords).toLowerCase()).join(', ')}}`);
    if (rand() < 0.15) fields.push(`  file = {:papers/${key}.pdf:PDF}`);
    if (rand() < 0.2) {
      const abstract = Array.from({ length: 3 + Math.floor(rand() * 6) }, () => pick(sentences)).join(' ').replace(/%/g, '\\%');
      fields.push(`  abstract = {${abstract}}`);
    }
    if (rand() < 0.1) fields.push('  note = {Accepted with minor revisions; see also the $\\mathcal{O}(n \\log n)$ variant}');
    out.push(`@${type}{${key},\n${fields.join(',\n')},\n}\n`);
    if (i % Math.max(1, Math.floor(count / 40)) === 0) {
      queries.push([`${model} ${titleText.split(' ').slice(0, 2).join(' ')}`, key]);
      queries.push([`${family} ${year} ${model.split('-')[0]}`, key]);
    }
  }
  return { text: out.join('\n'), keys, queries };
}
