// The fake Zotero in a child process, for the bench: its work (serialising pages, answering
// Better BibTeX) then does not count against the main thread being measured. Started with
// `fork()`; serves a generated library of LITCITE_FAKE_ZOTERO_WORKS works and answers commands
// over IPC: `{ id, command: 'update' | 'count' | 'clear' | 'betterBibtex' | 'close', … }`.
import { generateLibrary } from './zotero-generator';
import { startFakeZotero, type FakeZotero } from './zotero-server';

/** A command from the parent, and its answer. */
export type ServerCommand =
  | { id: number; command: 'update'; library: string; key: string; patch: Record<string, unknown> }
  | { id: number; command: 'count' }
  | { id: number; command: 'clear' }
  | { id: number; command: 'betterBibtex'; installed: boolean }
  | { id: number; command: 'close' };

/** What the child sends first: where the fake listens. */
export interface ServerReady {
  ready: true;
  localApiUrl: string;
  webApiUrl: string;
  apiKey: string;
  userId: number;
  items: number;
}

async function main(): Promise<void> {
  const works = Number(process.env.LITCITE_FAKE_ZOTERO_WORKS ?? 10_000);
  const fixture = generateLibrary(works);
  const zotero: FakeZotero = await startFakeZotero({ libraries: [fixture], writeAttachmentFiles: false });
  zotero.warm();
  const ready: ServerReady = { ready: true, localApiUrl: zotero.localApiUrl, webApiUrl: zotero.webApiUrl, apiKey: zotero.apiKey, userId: zotero.userId, items: fixture.items.length };
  process.send!(ready);
  process.on('message', async (message: ServerCommand) => {
    let result: unknown;
    switch (message.command) {
      case 'update': result = zotero.library(message.library).updateItem(message.key, message.patch); break;
      case 'count': result = zotero.count(); break;
      case 'clear': zotero.clearRequests(); break;
      case 'betterBibtex': zotero.setBetterBibtex(message.installed); break;
      case 'close':
        await zotero.close();
        process.send!({ id: message.id, result: null }, () => process.exit(0));
        return;
    }
    process.send!({ id: message.id, result });
  });
}

if (process.send) {
  // The parent going away (a crashed or interrupted bench) ends the fake too.
  process.on('disconnect', () => process.exit(0));
  void main();
}
