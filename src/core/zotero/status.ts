/**
 * The state of a connection to Zotero as data, and the one place its words are written: the
 * status bar text, the tooltip or CLI line naming the cause and the fix, and what a remote
 * window means for the local API.
 */

/** Which interface a library is read through. */
export type ZoteroVia = 'local' | 'web';

/** The Zotero setting that turns the local API on, as Zotero's settings window words it. */
export const LOCAL_API_SETTING = 'Allow other applications on this computer to communicate with Zotero';
/** Where that setting is. */
export const LOCAL_API_SETTING_PLACE = 'Zotero → Settings → Advanced';

/** How keys are chosen when Better BibTeX is not there to give them. */
export const KEY_FALLBACK = "Zotero's Citation Key field, a key pinned in Extra, or LitCite's key template";

/** A connection's state. Words for each are given by `describeZoteroStatus`. */
export type ZoteroStatus =
  | { code: 'connecting'; via: ZoteroVia; library: string }
  | {
    code: 'connected';
    via: ZoteroVia;
    library: string;
    libraryName: string;
    itemCount: number;
    /** Better BibTeX's version when it answers; `false` when it does not (local API only; undefined for the web API). */
    betterBibtex?: string | false;
    /** When set, the server asked for no requests before this time (ms since the epoch). */
    backoffUntil?: number;
  }
  /** Nothing listens at the local API's address: Zotero is not running (or not on this machine). */
  | { code: 'not-running'; url: string; remoteName?: string }
  /** Zotero answers 403: the local API setting is off. */
  | { code: 'local-api-disabled'; url: string }
  /** Zotero answers, but has no local API (Zotero 6 or older). */
  | { code: 'local-api-missing'; url: string }
  /** The web API needs a key and none is set. */
  | { code: 'web-key-missing'; library: string }
  /** The web API answers 403 to the key: wrong, revoked, or without access to this library. */
  | { code: 'web-key-rejected'; library: string }
  /** The library does not exist or the key's user has no such group. */
  | { code: 'library-not-found'; via: ZoteroVia; library: string }
  | { code: 'rate-limited'; via: ZoteroVia; until: number }
  /** The web API could not be reached (offline, DNS, timeout). */
  | { code: 'unreachable'; via: ZoteroVia; url: string; reason: string }
  | { code: 'error'; via: ZoteroVia; message: string };

/** What the UI or the CLI shows for a status. */
export interface ZoteroStatusText {
  /** A few words for the status bar: `Zotero: My Library (1,204)`. */
  short: string;
  /** One sentence naming the state and its cause. */
  detail: string;
  /** What the user can do, when anything. */
  fix?: string;
  /** What a button next to the message should do. */
  action?: 'show-local-api-setting' | 'set-web-api-key' | 'use-web-api' | 'start-zotero' | 'retry';
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + ' UTC';
}

/** Where the words are shown: the fixes name settings in the editor and environment variables in the CLI. */
export type ZoteroStatusSurface = 'editor' | 'cli';

/** Fixes worded for the CLI, where settings are environment variables. */
const CLI_FIXES: Partial<Record<ZoteroStatus['code'], string>> = {
  'not-running': 'Start Zotero 7 or later, or read the library from zotero.org: set LITCITE_ZOTERO_API_KEY and LITCITE_ZOTERO_LIBRARY.',
  'local-api-missing': 'Update to Zotero 7 or later, or set LITCITE_ZOTERO_API_KEY and LITCITE_ZOTERO_LIBRARY to use zotero.org.',
  'web-key-missing': 'Create a read-only key at https://www.zotero.org/settings/keys and set LITCITE_ZOTERO_API_KEY.',
  'web-key-rejected': 'Check LITCITE_ZOTERO_API_KEY at https://www.zotero.org/settings/keys (library access, and group access for a group).',
  'rate-limited': 'Try again after that.',
  unreachable: 'Check the connection, or LITCITE_ZOTERO_WEB_URL / LITCITE_ZOTERO_LOCAL_URL.',
};

/** The words for a status. `now` is only used to say how long a wait is. */
export function describeZoteroStatus(status: ZoteroStatus, now: number = Date.now(), surface: ZoteroStatusSurface = 'editor'): ZoteroStatusText {
  const text = describeForEditor(status, now);
  const cliFix = surface === 'cli' ? CLI_FIXES[status.code] : undefined;
  if (cliFix) text.fix = cliFix;
  if (surface === 'cli' && status.code === 'library-not-found' && text.fix) text.fix = text.fix.replace('Use users/', 'Set LITCITE_ZOTERO_LIBRARY to users/');
  return text;
}

function describeForEditor(status: ZoteroStatus, now: number): ZoteroStatusText {
  switch (status.code) {
    case 'connecting':
      return { short: 'Zotero: connecting…', detail: `Reading ${status.library} through Zotero's ${status.via === 'local' ? 'local' : 'web'} API.` };
    case 'connected': {
      const where = status.via === 'local' ? 'the Zotero app' : 'zotero.org';
      const items = `${count(status.itemCount)} item${status.itemCount === 1 ? '' : 's'}`;
      let detail = `${status.libraryName}: ${items}, read from ${where}.`;
      if (status.betterBibtex) detail += ` Citation keys and BibTeX come from Better BibTeX ${status.betterBibtex}.`;
      else if (status.betterBibtex === false) detail += ` Better BibTeX is not installed: keys fall back to ${KEY_FALLBACK}, and BibTeX is written by LitCite.`;
      if (status.backoffUntil && status.backoffUntil > now) detail += ` zotero.org asked for a pause until ${clock(status.backoffUntil)}.`;
      return { short: `Zotero: ${status.libraryName} (${count(status.itemCount)})`, detail };
    }
    case 'not-running':
      if (status.remoteName) {
        return {
          short: 'Zotero: not reachable',
          detail: `Zotero's local API (${status.url}) is not reachable from this ${remoteLabel(status.remoteName)} window: it only answers on the computer Zotero runs on.`,
          fix: 'Use the Zotero web API instead: set an API key and the library to read.',
          action: 'use-web-api',
        };
      }
      return {
        short: 'Zotero: not running',
        detail: `Zotero is not running: nothing answers at ${status.url}.`,
        fix: 'Start Zotero (7 or later); LitCite connects within seconds.',
        action: 'start-zotero',
      };
    case 'local-api-disabled':
      return {
        short: 'Zotero: local API off',
        detail: `Zotero is running but its local API is turned off (${status.url} answers 403).`,
        fix: `In ${LOCAL_API_SETTING_PLACE}, turn on "${LOCAL_API_SETTING}".`,
        action: 'show-local-api-setting',
      };
    case 'local-api-missing':
      return {
        short: 'Zotero: update needed',
        detail: `Zotero answers at ${status.url} but has no local API.`,
        fix: 'Update to Zotero 7 or later, or use the web API.',
        action: 'use-web-api',
      };
    case 'web-key-missing':
      return {
        short: 'Zotero: API key needed',
        detail: `Reading ${status.library} from zotero.org needs a Zotero API key.`,
        fix: 'Create a read-only key at https://www.zotero.org/settings/keys and set it in LitCite.',
        action: 'set-web-api-key',
      };
    case 'web-key-rejected':
      return {
        short: 'Zotero: API key rejected',
        detail: `zotero.org rejected the API key for ${status.library} (403): it is wrong, revoked, or has no access to that library.`,
        fix: 'Check the key at https://www.zotero.org/settings/keys (allow library access, and group access for a group) and set it again.',
        action: 'set-web-api-key',
      };
    case 'library-not-found':
      return {
        short: 'Zotero: library not found',
        detail: `${status.via === 'local' ? 'Zotero' : 'zotero.org'} has no library ${status.library}.`,
        fix: status.library.startsWith('groups/')
          ? 'Check the group id (the number in the group\'s zotero.org address) and that you are a member.'
          : 'Use users/<your user id> (shown at https://www.zotero.org/settings/keys), or users/0 for the local API.',
      };
    case 'rate-limited': {
      const seconds = Math.max(0, Math.ceil((status.until - now) / 1000));
      return {
        short: 'Zotero: rate-limited',
        detail: `${status.via === 'local' ? 'Zotero' : 'zotero.org'} asked LitCite to wait: no requests until ${clock(status.until)} (${seconds} s).`,
        fix: 'Nothing to do: LitCite retries by itself.',
        action: 'retry',
      };
    }
    case 'unreachable':
      return {
        short: 'Zotero: offline',
        detail: `${status.url} could not be reached (${status.reason}).`,
        fix: 'LitCite retries by itself; the papers already read stay available.',
        action: 'retry',
      };
    case 'error':
      return { short: 'Zotero: error', detail: `Reading Zotero failed: ${status.message}.`, action: 'retry' };
  }
}

/** Whether a status means the papers can be read (connected), as opposed to a problem to show. */
export function isConnected(status: ZoteroStatus): boolean {
  return status.code === 'connected';
}

/** One line for the CLI's stderr naming the cause and the fix, or undefined when connected. */
export function zoteroStatusLine(status: ZoteroStatus, now: number = Date.now()): string | undefined {
  if (status.code === 'connected' || status.code === 'connecting') return undefined;
  const words = describeZoteroStatus(status, now, 'cli');
  return words.fix ? `${words.detail} ${words.fix}` : words.detail;
}

function remoteLabel(remoteName: string): string {
  switch (remoteName) {
    case 'wsl': return 'WSL';
    case 'ssh-remote': return 'SSH remote';
    case 'dev-container':
    case 'attached-container': return 'container';
    case 'codespaces': return 'Codespaces';
    case 'tunnel': return 'tunnel';
    default: return 'remote';
  }
}

/** What a remote window means for the local API. */
export interface LocalApiReach {
  /** The extension runs away from the computer Zotero runs on, so `localhost:23119` is not Zotero. */
  likelyUnreachable: boolean;
  /** What to tell the user when it is. */
  message?: string;
}

/**
 * Whether Zotero's local API is likely reachable from an extension host in the given remote
 * (`vscode.env.remoteName`: undefined for a local window, `wsl`, `ssh-remote`, `dev-container`,
 * `codespaces`, …). In a remote window the extension runs on the remote machine, where
 * `localhost` is not the computer Zotero runs on; the web API works from anywhere.
 */
export function localApiReach(remoteName: string | undefined): LocalApiReach {
  if (!remoteName) return { likelyUnreachable: false };
  const label = remoteLabel(remoteName);
  const extra = remoteName === 'wsl'
    ? ' (WSL reaches Windows\' localhost only with mirrored networking)'
    : remoteName === 'ssh-remote'
      ? ' (unless port 23119 is forwarded from your computer, e.g. ssh -R 23119:localhost:23119)'
      : '';
  return {
    likelyUnreachable: true,
    message: `This is a ${label} window: LitCite runs there, away from the Zotero app on your computer, so Zotero's local API is likely unreachable${extra}. Use the Zotero web API (an API key and the library to read) to see your library here.`,
  };
}
