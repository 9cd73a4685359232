// A large, realistic Zotero library for the bench (and tests of scale): works of the common item
// types with authors (some with accented names), abstracts, dates, DOIs or arXiv ids, tags and
// collections, a third with a PDF attachment and some with notes. Deterministic: the same seed
// gives the same library, so every bench run downloads the same bytes.
import type { FixtureLibrary } from './zotero-store';
import { random } from '../random';

const KEY_ALPHABET = '23456789ABCDEFGHIJKLMNPQRSTUVWXYZ';
const FAMILIES = ['Lee', 'Wang', 'Müller', 'García', 'Nguyễn', 'Kaiser', 'Brémond', 'Østergaard', 'Smith', 'Ivanova', 'Kowalski', 'Sato', 'Okafor', 'Dubois', 'Rossi', 'Novák', 'Fernández', 'Chen', 'Papadopoulos', 'Wiśniewska', 'Richtárik', 'Singh', 'Haddad', 'Lindqvist'];
const GIVENS = ['Ana', 'Łukasz', 'François', 'Jörg', 'Mei', 'Thị Minh', 'Søren', 'María', 'John', 'Olga', 'Piotr', 'Yuki', 'Chinedu', 'Camille', 'Giulia', 'Jan', 'Lucía', 'Wei', 'Nikos', 'Łucja', 'Peter', 'Aarav', 'Layla', 'Mara'];
const WORDS = ('learning model neural network attention transformer graph language vision retrieval robust efficient sparse '
  + 'scalable generative adversarial contrastive representation optimization gradient convergence bayesian inference '
  + 'causal reinforcement policy reward agent planning memory recurrent convolutional diffusion sampling uncertainty '
  + 'calibration benchmark dataset evaluation alignment reasoning arithmetic compositional generalization transfer '
  + 'few-shot zero-shot multilingual translation speech segmentation detection tracking skeleton action kernel '
  + 'manifold spectral topology federated privacy compression quantization pruning distillation curriculum').split(' ');
const VENUES: [string, string][] = [
  ['journalArticle', 'Journal of Machine Learning Research'], ['journalArticle', 'Transactions on Machine Learning Research'],
  ['journalArticle', 'IEEE Transactions on Pattern Analysis and Machine Intelligence'], ['journalArticle', 'Nature Machine Intelligence'],
  ['conferencePaper', 'Advances in Neural Information Processing Systems'], ['conferencePaper', 'Proceedings of the International Conference on Machine Learning'],
  ['conferencePaper', 'International Conference on Learning Representations'], ['conferencePaper', 'Proceedings of ACL'],
];

function key(n: number, prefix: string): string {
  let s = prefix;
  let x = n;
  while (s.length < 8) {
    s += KEY_ALPHABET[x % KEY_ALPHABET.length];
    x = Math.floor(x / KEY_ALPHABET.length);
  }
  return s;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A user library of `works` works (plus their notes and attachments) in the fake's fixture format. */
export function generateLibrary(works: number, seed = 20240707): FixtureLibrary {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const words = (n: number): string[] => Array.from({ length: n }, () => pick(WORDS));
  const collections = Array.from({ length: 30 }, (_, i) => ({
    key: key(i, 'C'), version: 1,
    data: { key: key(i, 'C'), version: 1, name: `${words(2).join(' ')} ${i}`, parentCollection: i >= 10 ? key(i % 10, 'C') : false, relations: {} },
  }));
  const items: FixtureLibrary['items'] = [];
  let clock = Date.parse('2015-01-01T00:00:00Z');
  for (let i = 0; i < works; i++) {
    clock += 60_000 + Math.floor(rand() * 3_600_000);
    const year = 2000 + Math.floor(rand() * 26);
    const kind = rand();
    const [venueType, venue] = pick(VENUES);
    const itemType = kind < 0.2 ? 'preprint' : kind < 0.25 ? 'book' : kind < 0.3 ? 'bookSection' : kind < 0.33 ? 'thesis' : kind < 0.35 ? 'report' : venueType;
    const title = words(5 + Math.floor(rand() * 8)).join(' ').replace(/^./, (c) => c.toUpperCase());
    const creators = Array.from({ length: 1 + Math.floor(rand() * 7) }, () => ({ creatorType: 'author', firstName: pick(GIVENS), lastName: pick(FAMILIES) }));
    const abstract = Array.from({ length: 6 + Math.floor(rand() * 6) }, () => `${words(12 + Math.floor(rand() * 10)).join(' ')}.`).join(' ');
    const arxiv = `${String(year % 100).padStart(2, '0')}${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}.${String(10000 + i).padStart(5, '0')}`;
    const data: Record<string, unknown> = {
      key: key(i, 'W'), version: 1 + (i % 500), itemType, title, creators,
      abstractNote: abstract, date: rand() < 0.5 ? `${year}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}` : String(year),
      language: 'en', url: '', accessDate: '', extra: '',
      tags: words(Math.floor(rand() * 4)).map((tag) => ({ tag })),
      collections: rand() < 0.6 ? [pick(collections).key] : [],
      relations: {}, dateAdded: iso(clock), dateModified: iso(clock + 1000),
    };
    if (itemType === 'preprint') Object.assign(data, { repository: 'arXiv', archiveID: `arXiv:${arxiv}`, DOI: `10.48550/arXiv.${arxiv}`, url: `https://arxiv.org/abs/${arxiv}` });
    else if (itemType === 'journalArticle') Object.assign(data, { publicationTitle: venue, volume: String(1 + Math.floor(rand() * 40)), issue: String(1 + Math.floor(rand() * 12)), pages: `${100 + i % 900}–${110 + i % 900}`, DOI: `10.5555/gen.${i}` });
    else if (itemType === 'conferencePaper') Object.assign(data, { proceedingsTitle: venue, conferenceName: `${venue.split(' ').pop()} ${year}`, pages: `${1 + i % 500}–${9 + i % 500}` });
    else if (itemType === 'book') Object.assign(data, { publisher: 'MIT Press', place: 'Cambridge, MA', ISBN: `978-0-262-${String(10000 + i).slice(-5)}-0` });
    else if (itemType === 'bookSection') Object.assign(data, { bookTitle: `Handbook of ${words(2).join(' ')}`, publisher: 'Springer', pages: `${1 + i % 300}–${20 + i % 300}` });
    else if (itemType === 'thesis') Object.assign(data, { thesisType: rand() < 0.7 ? 'PhD Thesis' : "Master's thesis", university: 'Uppsala University' });
    else Object.assign(data, { institution: 'Example Labs', reportNumber: `TR-${i}` });
    items.push({ key: key(i, 'W'), version: data.version as number, meta: { parsedDate: String(data.date) }, data });

    if (rand() < 0.33) {
      const attachment = key(i, 'A');
      items.push({ key: attachment, version: 1, data: {
        key: attachment, version: 1, parentItem: key(i, 'W'), itemType: 'attachment', linkMode: 'imported_url', title: 'Full Text PDF',
        contentType: 'application/pdf', filename: `${creators[0].lastName} - ${year} - ${title.slice(0, 40)}.pdf`, url: '', accessDate: '', note: '',
        charset: '', md5: null, mtime: null, tags: [], relations: {}, dateAdded: iso(clock + 2000), dateModified: iso(clock + 2000),
      } });
    }
    if (rand() < 0.15) {
      const note = key(i, 'N');
      items.push({ key: note, version: 1, data: {
        key: note, version: 1, parentItem: key(i, 'W'), itemType: 'note', note: `<p>${words(30).join(' ')}</p>`, tags: [], relations: {},
        dateAdded: iso(clock + 3000), dateModified: iso(clock + 3000),
      } });
    }
  }
  return { library: { type: 'user', id: 1234567, name: 'bench.user' }, version: 500, collections, items };
}
