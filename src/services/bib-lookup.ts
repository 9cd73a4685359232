/**
 * A key's entry as the document's own .bib has it, for hover and completion when the library
 * does not hold that .bib (declared bibliographies turned off, an untrusted workspace): only the
 * entries asked for are read, once per version of the file.
 */
import * as vscode from 'vscode';
import { parseBibtexLibrary, parseCslJsonLibrary } from '../core/library';
import type { Paper } from '../core/types';
import type { WorkspaceModel } from './workspace-model';

export class BibLookup {
  private readonly parsed = new Map<string, { version: string; byKey: Map<string, Paper | null> }>();

  constructor(private readonly model: WorkspaceModel) {}

  /** The entries of a bibliography file whose keys `wanted` accepts, as papers. */
  async papers(uri: vscode.Uri, wanted: (key: string) => boolean): Promise<Paper[]> {
    const state = await this.model.bibState(uri);
    if (/\.json$/i.test(uri.path)) return parseCslJsonLibrary(state.text, uri.fsPath).papers.filter((p) => wanted(p.id));
    if (/\.ya?ml$/i.test(uri.path)) return [];
    const key = uri.toString();
    let cache = this.parsed.get(key);
    if (cache?.version !== state.version) {
      cache = { version: state.version, byKey: new Map() };
      this.parsed.set(key, cache);
    }
    const papers: Paper[] = [];
    for (const entry of state.entries) {
      if (!wanted(entry.key)) continue;
      let paper = cache.byKey.get(entry.key);
      if (paper === undefined) {
        const parsed = parseBibtexLibrary(state.text.slice(entry.span.start, entry.span.end), uri.fsPath).papers[0];
        paper = parsed ? { ...parsed, sourceLine: entry.line, sourceSpan: entry.span } : null;
        cache.byKey.set(entry.key, paper);
      }
      if (paper) papers.push(paper);
    }
    return papers;
  }

  /** The entry for `key` in the document's bibliography files, first file first; keys compare without case, as in BibTeX. */
  async entry(document: vscode.TextDocument, key: string): Promise<{ paper: Paper; uri: vscode.Uri } | undefined> {
    const { files } = await this.model.bibliographyOf(document);
    const lower = key.toLowerCase();
    for (const uri of files) {
      const papers = await this.papers(uri, (k) => k.toLowerCase() === lower);
      const paper = papers.find((p) => p.id === key) ?? papers[0];
      if (paper) return { paper, uri };
    }
    return undefined;
  }
}
