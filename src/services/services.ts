/** Everything a feature may use, built once in `activate()` and handed to every feature's `register`. */
import type * as vscode from 'vscode';
import type { BibLookup } from './bib-lookup';
import type { BibWriter } from './bib-writer';
import type { Citing } from './citing';
import type { ConfigDispatcher } from './config';
import type { MetadataFetcher } from './fetch-metadata';
import type { Formatting } from './formatting';
import type { LibraryFiles } from './library-files';
import type { LibraryService } from './library-service';
import type { Log } from './log';
import type { OnlineService } from './online';
import type { ZoteroService } from './zotero';
import type { WorkspaceModel } from './workspace-model';
import type { SearchPicker } from '../features/search-picker';
import type { DetailsPanel } from '../features/details/panel';
import type { PapersTreeProvider } from '../features/papers-tree';

export interface Services {
  log: Log;
  config: ConfigDispatcher;
  model: WorkspaceModel;
  library: LibraryService;
  files: LibraryFiles;
  writer: BibWriter;
  citing: Citing;
  bibLookup: BibLookup;
  formatting: Formatting;
  fetcher: MetadataFetcher;
  picker: SearchPicker;
  online: OnlineService;
  zotero: ZoteroService;
  /** Views features create and others use; set by their features when registered. */
  views: { details?: DetailsPanel; tree?: PapersTreeProvider };
  globalStorage: vscode.Uri;
}

/** What every feature exports: registers its providers and commands, pushing each disposable to `context.subscriptions`. */
export type Feature = (context: vscode.ExtensionContext, services: Services) => void;
