import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SearchHit } from './core/search';
import type { Paper } from './core/types';
import { FEATURES } from './features';
import { LibraryWorkerClient } from './node/library-worker-client';
import { BibLookup } from './services/bib-lookup';
import { BibWriter } from './services/bib-writer';
import { Citing } from './services/citing';
import { ConfigDispatcher } from './services/config';
import { sourceLabel } from './services/editor-io';
import { MetadataFetcher } from './services/fetch-metadata';
import { Formatting } from './services/formatting';
import { markdownItPlugin } from './features/formatted-references';
import type MarkdownIt from 'markdown-it';
import { LibraryFiles } from './services/library-files';
import { LibraryService } from './services/library-service';
import { Log } from './services/log';
import type { Services } from './services/services';
import { WorkspaceModel } from './services/workspace-model';
import { SearchPicker } from './features/search-picker';
import { OnlineService } from './services/online';
import { ZoteroService } from './services/zotero';

/** What `activate()` returns: a small API for other extensions, and hooks for LitCite's own tests. */
export interface LitCiteApi {
  /** Resolves when the bundled library and the user's library files are loaded. */
  ready(): Promise<void>;
  search(query: string, limit?: number): SearchHit[];
  byKey(key: string): Paper | undefined;
  papers(): readonly Paper[];
  /** VS Code's Markdown preview calls this (the extension contributes `markdown.markdownItPlugins`). */
  extendMarkdownIt(md: MarkdownIt.MarkdownIt): MarkdownIt.MarkdownIt;
  /** For LitCite's own integration tests only: not a stable interface. */
  testing: Services & { activationMs(): number; context: vscode.ExtensionContext };
}

/** Entry point: builds the services once, then registers every feature. */
export function activate(context: vscode.ExtensionContext): LitCiteApi {
  const started = performance.now();
  const log = new Log();
  const config = new ConfigDispatcher();
  const model = new WorkspaceModel(context.workspaceState, log);
  const library = new LibraryService(context.extensionPath, log);
  const workerFile = path.join(context.extensionPath, 'dist', 'library-worker.js');
  const worker = new LibraryWorkerClient(workerFile);
  const cacheDir = path.join(context.globalStorageUri.fsPath, 'cache');
  const files = new LibraryFiles(model, worker, fs.existsSync(workerFile) ? cacheDir : undefined, log, (sources) =>
    library.setFileSources(sources.map((s) => ({ source: s.source, label: sourceLabel(s.file.uri.scheme === 'file' ? s.file.uri.fsPath : s.file.uri.toString()) }))),
  );
  context.subscriptions.push(log, config, model, library, files, { dispose: () => worker.dispose() });
  context.subscriptions.push(library.onDidFindProblems((problems) => files.setViewProblems(problems)));
  const writer = new BibWriter(model, log);
  const picker = new SearchPicker(library);
  const online = new OnlineService(library, context.secrets, context.globalState, context.globalStorageUri.fsPath, config, log);
  picker.setOnline(online);
  const zotero = new ZoteroService(library, context.secrets, context.globalStorageUri.fsPath, config, log);
  library.setEntryWriter('zotero:', (paper, options) => zotero.entryText(paper, options));
  context.subscriptions.push(online, zotero);
  const services: Services = {
    log,
    config,
    model,
    library,
    files,
    writer,
    citing: new Citing(library, model, writer, context.workspaceState, log),
    bibLookup: new BibLookup(model),
    formatting: new Formatting(context.extensionPath, model, log),
    fetcher: new MetadataFetcher(context.globalState),
    picker,
    online,
    zotero,
    views: {},
    globalStorage: context.globalStorageUri,
  };
  for (const register of FEATURES) register(context, services);

  let activationMs = 0;
  void library.ready.then(() => {
    activationMs = performance.now() - started;
    log.info(`activated; library ready ${activationMs.toFixed(1)} ms after activate()`);
  });
  return {
    ready: async () => {
      await library.ready;
      await files.ready;
      await library.settled();
    },
    search: (query, limit) => library.search(query, limit),
    byKey: (key) => library.byKey(key),
    papers: () => library.papers,
    extendMarkdownIt: markdownItPlugin(services),
    testing: { ...services, activationMs: () => activationMs, context },
  };
}

export function deactivate(): void {}
