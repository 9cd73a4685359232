/** Every feature, registered in this order by `activate()`; each is `register(context, services)`. */
import type { Feature } from '../services/services';
import { registerAddPaper } from './add-paper';
import { registerCompletion } from './completion';
import { registerDetails } from './details/panel';
import { registerDiagnostics } from './diagnostics';
import { registerFormattedReferences } from './formatted-references';
import { registerHover } from './hover';
import { registerInsertCitation } from './insert-citation';
import { registerLibraryCommands } from './library-commands';
import { registerOnlineCommands } from './online-commands';
import { registerZoteroCommands } from './zotero-commands';
import { registerPaperCommands } from './paper-commands';
import { registerPapersTree } from './papers-tree';
import { registerSearchCommand } from './search-command';

export const FEATURES: readonly Feature[] = [
  registerDetails,
  registerPapersTree,
  registerSearchCommand,
  registerPaperCommands,
  registerLibraryCommands,
  registerAddPaper,
  registerInsertCitation,
  registerHover,
  registerCompletion,
  registerDiagnostics,
  registerFormattedReferences,
  registerOnlineCommands,
  registerZoteroCommands,
];
