/**
 * References in the document's citation style: the style in force for a document (its front
 * matter's `csl:`, its Quarto project's, else `litcite.citationStyle`), the bundled styles and
 * locales, a user's `.csl` file (one clear message when it cannot be used, then APA), and one
 * formatter per style and locale, kept for the session.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { toCslItem, type CslItem } from '../core/format/csl-json';
import { documentMeta, metaFromYaml, resolveStyle, type DocumentMeta, type StyleResolution } from '../core/format/resolve-style';
import { DEFAULT_STYLE, StyleRegistry, type StyleError } from '../core/format/styles';
import type { CitationFormatter, OutputFormat } from '../core/format/format';
import type { Paper } from '../core/types';
import { loadBundledCsl } from '../node/csl-files';
import { SECTION } from '../ids';
import type { Log } from './log';
import type { WorkspaceModel } from './workspace-model';

/** The formatter for a document, and why its own style was not used when it was not. */
export interface StyleInForce {
  formatter: CitationFormatter;
  /** The style's name as the user knows it (`apa`, `ieee`, a .csl file's name). */
  name: string;
  notice?: string;
}

/** See the module comment. */
export class Formatting {
  private registry: StyleRegistry | undefined;
  private readonly cslItems = new WeakMap<Paper, CslItem>();
  /** `.csl` files already reported as unusable (file + mtime), so the message comes once. */
  private readonly told = new Set<string>();

  constructor(private readonly extensionPath: string, private readonly model: WorkspaceModel, private readonly log: Log) {}

  /** The bundled styles (loaded on first use; citeproc-js is only built when a style formats). */
  private styles(): StyleRegistry {
    if (this.registry) return this.registry;
    const registry = new StyleRegistry();
    const errors = loadBundledCsl(registry, path.join(this.extensionPath, 'media', 'csl'));
    for (const error of errors) this.log.error(`bundled style: ${describe(error)}`);
    this.registry = registry;
    return registry;
  }

  /** Names of the bundled styles, for pickers. */
  bundledStyles(): string[] {
    return this.styles().styles().filter((s) => !s.file).map((s) => s.name);
  }

  /** A bundled style by name, in the settings' locale (the details panel's switcher). */
  bundledStyle(name: string): StyleInForce | undefined {
    const registry = this.styles();
    if (!registry.style(name)) return undefined;
    const locale = vscode.workspace.getConfiguration(SECTION).get<string>('citationLocale', '') || undefined;
    const formatter = registry.formatter(name, locale);
    return formatter ? { formatter, name } : undefined;
  }

  /** The CSL-JSON of a paper, made once per paper object (the formatter caches by item). */
  cslItem(paper: Paper): CslItem {
    let item = this.cslItems.get(paper);
    if (!item) {
      item = toCslItem(paper);
      this.cslItems.set(paper, item);
    }
    return item;
  }

  /**
   * The style for a document (or the settings' style without one), answered from memory and the
   * disk synchronously: the Markdown preview renders synchronously.
   */
  styleFor(documentUri: vscode.Uri | undefined, documentText?: string, meta?: DocumentMeta): StyleInForce {
    const config = vscode.workspace.getConfiguration(SECTION, documentUri);
    const settings = { citationStyle: config.get<string>('citationStyle', DEFAULT_STYLE), citationLocale: config.get<string>('citationLocale', '') };
    const ownMeta = meta ?? (documentText !== undefined ? documentMeta(documentText) : undefined);
    const project = documentUri ? this.model.quartoProjectOf(documentUri) : undefined;
    const resolution = resolveStyle({ document: ownMeta, project: project ? metaFromYaml(project.text) : undefined, settings });
    return this.load(resolution, documentUri, project?.dir);
  }

  /** One formatted reference. */
  formatEntry(paper: Paper, style: StyleInForce, format: OutputFormat = 'text'): string {
    // One reference alone has no number: a numeric style's `[1]` would say nothing.
    return style.formatter.formatEntry(this.cslItem(paper), { format, label: false });
  }

  /** A reference list for papers, in the style's order. */
  formatBibliography(papers: readonly Paper[], style: StyleInForce, format: OutputFormat = 'text'): string[] {
    const items = papers.map((p) => this.cslItem(p));
    if (!style.formatter.info.hasBibliography) return items.map((item) => style.formatter.formatEntry(item, { format }));
    return style.formatter.formatBibliography(items, { format }).map((e) => e.content);
  }

  private load(resolution: StyleResolution, documentUri: vscode.Uri | undefined, projectDir: string | undefined): StyleInForce {
    const registry = this.styles();
    const source = resolution.style;
    let name: string = DEFAULT_STYLE;
    let notice: string | undefined;
    if (source.kind === 'bundled') name = registry.style(source.name) ? source.name : DEFAULT_STYLE;
    else if (source.kind === 'remote') {
      name = source.bundledFallback ?? DEFAULT_STYLE;
      notice = `The style ${source.url} is a web address, which LitCite does not fetch; shown in ${name}.`;
    } else {
      const base = source.base === 'document' && documentUri ? path.dirname(documentUri.fsPath) : source.base === 'project' && projectDir ? projectDir : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
      let file = path.resolve(base, source.path.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~'));
      // As Pandoc does, `csl: ieee` also finds `ieee.csl`; and a bundled style's name with no
      // such file beside the document is that style, not a missing file.
      if (!path.extname(file) && !fs.existsSync(file) && fs.existsSync(`${file}.csl`)) file = `${file}.csl`;
      const missingButBundled = source.bundledFallback && !fs.existsSync(file);
      const loaded = missingButBundled ? { ok: true as const, name: source.bundledFallback! } : this.userStyle(file);
      if (loaded.ok) name = loaded.name;
      else {
        name = source.bundledFallback ?? DEFAULT_STYLE;
        notice = `${loaded.message}; shown in ${name}.`;
      }
    }
    const formatter = registry.formatter(name, resolution.locale) ?? registry.formatter(DEFAULT_STYLE)!;
    return { formatter, name: registry.style(name)?.file ? path.basename(registry.style(name)!.file!) : name, notice };
  }

  /** A user's `.csl` file registered (again when it changed), or why it cannot be used (said once). */
  private userStyle(file: string): { ok: true; name: string } | { ok: false; message: string } {
    let text: string;
    let stamp: string;
    try {
      const stat = fs.statSync(file);
      stamp = `${file}@${stat.mtimeMs}`;
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      return this.tell(`${file}@missing`, `${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const added = this.styles().addStyleFile(file, text);
    if (added.ok) return { ok: true, name: added.style.name };
    return this.tell(stamp, `${describe(added.error)}`);
  }

  private tell(stamp: string, message: string): { ok: false; message: string } {
    if (!this.told.has(stamp)) {
      this.told.add(stamp);
      this.log.warn(`citation style: ${message}`);
      void vscode.window.showWarningMessage(`LitCite: the citation style ${message}. References use ${DEFAULT_STYLE.toUpperCase()} until it is fixed.`);
    }
    return { ok: false, message };
  }
}

function describe(error: StyleError): string {
  return `${error.file}${error.line ? `:${error.line}` : ''}: ${error.message}`;
}
