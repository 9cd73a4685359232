import * as vscode from 'vscode';
import { planBibAdditions } from '../core/cite-insert';
import { rankCompletions } from '../core/cite-complete';
import { citationAt, completionContext, flavorForLanguage } from '../core/cite-syntax';
import { paperMarkdown, shortAuthors } from '../core/render';
import { SearchIndex } from '../core/search';
import { paperYear, type Paper } from '../core/types';
import { COMMANDS } from '../ids';
import { readConfig } from '../services/config';
import { toRange } from '../services/convert';
import type { Services } from '../services/services';
import { CITING_DOCUMENTS } from './selectors';

interface Candidate {
  key: string;
  score: number;
  paper: Paper;
  /** Accepting it must add the entry to the .bib. */
  needsEntry: boolean;
}

/**
 * Citation-key completion in `\cite{…}` (after `{` or a comma) and after a Markdown `@`: the
 * library's papers and the .bib's own entries, ranked by the core search over every field, so
 * the typed text may be a key, a title word, an author or a typo. Accepting a library paper the
 * .bib lacks appends its entry (through `litcite.addBibEntry`).
 */
export function registerCompletion(context: vscode.ExtensionContext, services: Services): void {
  const { library, model, bibLookup } = services;
  const bibIndexes = new Map<string, { version: string; index: SearchIndex }>();

  const bibCandidates = async (uri: vscode.Uri, prefix: string, limit: number): Promise<Candidate[]> => {
    const state = await model.bibState(uri);
    // the library loads declared .bibs itself; usually nothing is left to parse here
    if (state.entries.every((e) => library.byKey(e.key))) return [];
    let cached = bibIndexes.get(uri.toString());
    if (cached?.version !== state.version) {
      const own = await bibLookup.papers(uri, (key) => !library.byKey(key));
      cached = { version: state.version, index: new SearchIndex(own) };
      bibIndexes.set(uri.toString(), cached);
    }
    const { index } = cached;
    if (!prefix) return index.papers.map((paper) => ({ key: paper.id, score: 1, paper, needsEntry: false }));
    return index.search(prefix, { limit }).map((h) => ({ key: h.paper.id, score: h.score, paper: h.paper, needsEntry: false }));
  };

  const provider: vscode.CompletionItemProvider = {
    async provideCompletionItems(document, position, token) {
      const flavor = flavorForLanguage(document.languageId, document.fileName);
      if (!flavor) return undefined;
      const text = document.getText();
      const offset = document.offsetAt(position);
      const where = completionContext(text, offset, flavor);
      if (!where) return undefined;
      await library.ready;
      const bibliography = await model.bibliographyOf(document);
      const states = await Promise.all(bibliography.files.map((f) => model.bibState(f)));
      if (token.isCancellationRequested) return undefined;
      const entries = states.flatMap((s) => s.entries);
      const limit = readConfig(document.uri).resultLimit;
      const prefix = where.prefix.trim();

      const fromLibrary: Candidate[] = (prefix ? library.search(prefix, limit).map((h) => ({ paper: h.paper, score: h.score })) : newestFirst(library.papers, limit))
        .map(({ paper, score }) => {
          // the .bib may hold this paper under its own key: offer that key, with nothing to add
          const plan = planBibAdditions(entries, [{ key: paper.id, doi: paper.DOI, arxiv: paper.arxiv, paper, entry: 'new' }]);
          return { key: plan.citeKeys[0] ?? paper.id, score, paper, needsEntry: plan.append.length > 0 };
        });
      // with nothing typed yet, the papers the document's bibliography already holds come first
      const alreadyInBib: Candidate[] = prefix ? [] : entries.flatMap((e) => {
        const paper = library.byKey(e.key);
        return paper ? [{ key: e.key, score: 1, paper, needsEntry: false }] : [];
      });
      const fromBib = (await Promise.all(states.filter((s) => s.exists).map((s) => bibCandidates(s.uri, prefix, limit)))).flat();
      // keys already in the citation are not offered again (the one being typed over excepted)
      const cited = new Set(
        (citationAt(text, offset, flavor)?.keys ?? []).filter((k) => k.span.end < where.span.start || k.span.start > where.span.end).map((k) => k.key),
      );
      const candidates = [...alreadyInBib, ...fromBib, ...fromLibrary].filter((c) => !cited.has(c.key));
      const ranked = rankCompletions(prefix, candidates, limit);

      const range = toRange(document, where.span);
      const items = ranked.map((c, rank) => {
        const item = new vscode.CompletionItem({ label: c.key, description: shortDescription(c.paper) }, vscode.CompletionItemKind.Reference);
        item.detail = c.paper.title.replace(/\s+/g, ' ');
        item.documentation = new vscode.MarkdownString(withoutTitle(paperMarkdown(c.paper, { abstractChars: 240 })));
        item.range = range;
        item.insertText = c.key;
        // VS Code would re-filter and re-sort by the key; the search already ranked by every field
        item.filterText = where.prefix;
        item.sortText = String(rank).padStart(5, '0');
        if (c.needsEntry) {
          item.command = {
            command: COMMANDS.addBibEntry,
            title: 'Add BibTeX entry',
            arguments: [{ key: c.paper.id, uri: document.uri.toString(), quiet: true }],
          };
        }
        return item;
      });
      return new vscode.CompletionList(items, true);
    },
  };
  context.subscriptions.push(
    vscode.languages.registerCompletionItemProvider(CITING_DOCUMENTS, provider, '{', ',', '@'),
    // which .bib keys the library lacks changes with the library
    library.onDidChange(() => bibIndexes.clear()),
  );
}

function newestFirst(papers: readonly Paper[], limit: number): { paper: Paper; score: number }[] {
  return [...papers]
    .sort((a, b) => (paperYear(b) ?? 0) - (paperYear(a) ?? 0) || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((paper) => ({ paper, score: 0 }));
}

/** The summary after its bold title paragraph: the item's detail line shows the title already. */
function withoutTitle(markdown: string): string {
  const cut = markdown.indexOf('\n\n');
  return cut < 0 ? markdown : markdown.slice(cut + 2);
}

/** "Family et al. 2023" beside the key in the list. */
function shortDescription(paper: Paper): string {
  return [shortAuthors(paper), paperYear(paper)].filter(Boolean).join(' ');
}
