import * as fs from 'fs';
import * as path from 'path';
import { buildBundledLibrary, SeedSource } from '../core/corpus';
import { Paper, Problem } from '../core/types';

/** The folder of the bundled corpus, shipped beside `dist/`. */
export function defaultSeedFolder(): string {
  return path.join(__dirname, '..', 'seeds');
}

/**
 * Reads a seed folder: every `.txt` is a listing page (titles with abstracts), every `.json` an
 * array of paper metadata. Files are read in name order so keys come out the same every run.
 */
export function readSeedFolder(folder: string): { listings: SeedSource[]; metadata: SeedSource[] } {
  const names = fs.readdirSync(folder).sort();
  const read = (name: string): SeedSource => ({ name, text: fs.readFileSync(path.join(folder, name), 'utf8') });
  return {
    listings: names.filter((n) => n.toLowerCase().endsWith('.txt')).map(read),
    metadata: names.filter((n) => n.toLowerCase().endsWith('.json')).map(read),
  };
}

/** The bundled library from a seed folder, with what went wrong reading it. */
export function loadBundledLibrary(folder = defaultSeedFolder(), options: { keyTemplate?: string } = {}): { papers: Paper[]; problems: Problem[] } {
  const { listings, metadata } = readSeedFolder(folder);
  return buildBundledLibrary(listings, metadata, options);
}
