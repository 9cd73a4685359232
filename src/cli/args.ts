/** The `litcite` command line's arguments: positionals and `--options`, and the one error type. */

/** A failure the user caused (or can fix): printed as one line on stderr, exit code 2. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string[]>;
}

/** Options that take a value; every other `--x` is a switch. */
export const VALUE_OPTIONS = new Set(['--limit', '--format', '--command', '--library', '--width', '--sources', '--to', '--style', '--csl', '--locale']);
/** Switches any command accepts. */
export const SWITCHES = new Set(['--help', '--json', '--no-bundled', '--online', '--zotero', '--biblatex']);

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      let value = eq >= 0 ? arg.slice(eq + 1) : undefined;
      if (VALUE_OPTIONS.has(name) && value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
      }
      flags.set(name, [...(flags.get(name) ?? []), value ?? '']);
    } else if (arg === '-h') flags.set('--help', ['']);
    else positional.push(arg);
  }
  return { positional, flags };
}

/** The last value given for an option. */
export function option(args: ParsedArgs, name: string): string | undefined {
  return args.flags.get(name)?.at(-1);
}

/** The positional arguments after the command, or a UsageError naming what is missing. */
export function needPositional(args: ParsedArgs, what: string): string[] {
  const values = args.positional.slice(1).filter((v) => v.trim());
  if (!values.length) throw new UsageError(`${what} is missing (see 'litcite ${args.positional[0]} --help')`);
  return values;
}
