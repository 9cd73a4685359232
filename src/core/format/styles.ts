/**
 * The registry of citation styles and locales LitCite formats with, on top of
 * `@citation-js/plugin-csl`. Callers pass XML text (the bundled files in media/csl, a user's
 * `.csl`); nothing here reads files.
 *
 * plugin-csl keeps styles, locales and citeproc engines in process-wide registers, engines cached
 * by style name and locale. So that one style's engine can never format for another, every style
 * goes into plugin-csl under a name that includes a hash of its text (`litcite:apa:1a2b3c4d`): a
 * re-registered or edited style gets a fresh engine, and two registries sharing the process agree.
 * plugin-csl never evicts an engine, so each edited version of a user's `.csl` that is actually
 * formatted keeps one engine in memory until the extension host restarts.
 */
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-csl';
import { readLocaleLanguage, readStyleFacts, type CitationFormat, type CslStyleFacts } from './csl-xml';
import { CitationFormatter } from './format';
import { hashText } from './hash';
import { bundledStyleName, DEFAULT_STYLE, normaliseLocaleTag } from './style-names';

export type { CitationFormat } from './csl-xml';
export { BUNDLED_LOCALES, BUNDLED_STYLES, bundledStyleName, DEFAULT_STYLE, normaliseLocaleTag, type BundledStyleName } from './style-names';

/** A registered style as callers see it. */
export interface StyleInfo {
  /** The name to ask the registry for: a bundled name, or `<file name>@<hash>` for a user's file. */
  name: string;
  title: string;
  /** The style's URI (`<info><id>`), when it has one. */
  id?: string;
  /** Author-date, numeric, note…; `author-date` when the style does not say. */
  citationFormat: CitationFormat;
  /** Whether citations are numbers (`[1]`, superscripts): in-text mentions then show no author. */
  numeric: boolean;
  /** Locale the style asks for (`default-locale`), or its dependent's. */
  defaultLocale?: string;
  hasBibliography: boolean;
  /** Whether the bibliography is sorted (else it follows the order of first citation). */
  sortedBibliography: boolean;
  /** The user's file it came from; undefined for bundled styles. */
  file?: string;
  /** For a dependent style: the bundled style it formats with. */
  parentName?: string;
}

/** Why a style or locale could not be registered: one line naming the file. */
export interface StyleError {
  file: string;
  line?: number;
  message: string;
}

/** The outcome of registering a style: its info, or an error to show (the caller falls back to {@link DEFAULT_STYLE}). */
export type StyleResult = { ok: true; style: StyleInfo } | { ok: false; error: StyleError };

/** What format.ts needs to drive citeproc for a style. */
export interface LoadedStyle {
  info: StyleInfo;
  /** The name of the style's XML in plugin-csl's register (and of its engines, one per locale). */
  citeprocName: string;
}

/** Minimal view of plugin-csl's config (its typings describe `engine` as returning `any`). */
interface CslConfig {
  styles: { add(name: string, xml: string): unknown; has(name: string): boolean; remove(name: string): unknown };
  locales: { add(name: string, xml: string): unknown; has(name: string): boolean };
}

/**
 * Styles and locales by name, and one {@link CitationFormatter} per style + locale (cached, so
 * its caches survive between calls). Create one per extension host or CLI run.
 */
export class StyleRegistry {
  private readonly styleMap = new Map<string, LoadedStyle>();
  private readonly localeXml = new Map<string, string>();
  private readonly formatters = new Map<string, CitationFormatter>();
  private readonly config = plugins.config.get('@csl') as unknown as CslConfig;

  /** Registers a bundled style under `name` (trusted: checked by the unit tests, not by building an engine). */
  addBundledStyle(name: string, xml: string): StyleResult {
    const facts = readStyleFacts(xml);
    if (!facts.ok) return { ok: false, error: { file: `${name}.csl`, line: facts.line, message: facts.message } };
    if (facts.facts.parent) return { ok: false, error: { file: `${name}.csl`, message: 'a bundled style must be independent' } };
    return { ok: true, style: this.register(name, xml, facts.facts, undefined).info };
  }

  /**
   * Registers the text of a user's `.csl` file under a name unique to its file name and content
   * (registering the same text again gives the same name). A dependent style formats with its
   * bundled parent. A file that is not a usable style is an error naming the file, never an exception.
   */
  addStyleFile(file: string, xml: string): StyleResult {
    const fail = (message: string, line?: number): StyleResult => ({ ok: false, error: { file, line, message } });
    const read = readStyleFacts(xml);
    if (!read.ok) return fail(read.message, read.line);
    const facts = read.facts;
    const base = file.replace(/^.*[\\/]/, '').replace(/\.csl$/i, '') || 'style';
    const name = `${base}@${hashText(`${file}\u0000${xml}`)}`;
    const existing = this.styleMap.get(name);
    if (existing) return { ok: true, style: existing.info };
    this.forgetFile(file);
    if (facts.parent) {
      const parent = [...this.styleMap.values()].find((s) => !s.info.file && s.info.id && sameStyleId(s.info.id, facts.parent!));
      if (!parent) return fail(`depends on ${facts.parent}, which is not one of the bundled styles; use that style's own .csl file`);
      const loaded = this.register(name, undefined, facts, file, parent);
      return { ok: true, style: loaded.info };
    }
    const loaded = this.register(name, xml, facts, file);
    const problem = this.tryEngine(loaded);
    if (problem) {
      this.styleMap.delete(name);
      this.config.styles.remove(loaded.citeprocName);
      return fail(`citeproc cannot use it: ${problem}`);
    }
    return { ok: true, style: loaded.info };
  }

  /** Registers a locale file under its `xml:lang` (replacing one of the same language). */
  addLocale(xml: string, file = 'locale'): { ok: true; lang: string } | { ok: false; error: StyleError } {
    const read = readLocaleLanguage(xml);
    if (!read.ok) return { ok: false, error: { file, line: read.line, message: read.message } };
    this.localeXml.set(read.lang, xml);
    this.config.locales.add(read.lang, xml);
    return { ok: true, lang: read.lang };
  }

  /** The style registered under `name` (bundled names also by alias: `mla`, `chicago`, `harvard`, `acm`). */
  style(name: string): StyleInfo | undefined {
    return this.loaded(name)?.info;
  }

  /** Every registered style, bundled ones first. */
  styles(): StyleInfo[] {
    return [...this.styleMap.values()].map((s) => s.info).sort((a, b) => Number(!!a.file) - Number(!!b.file));
  }

  /** Registered locale codes. */
  locales(): string[] {
    return [...this.localeXml.keys()];
  }

  /** A locale's XML, for its terms. */
  locale(code: string): string | undefined {
    return this.localeXml.get(code);
  }

  /**
   * The registered locale for a requested tag: exact (case and `_` forgiven), else the first
   * registered one of the same language (`de-AT` → `de-DE`, `en` → `en-US`), else undefined.
   */
  resolveLocale(requested: string | undefined): string | undefined {
    if (!requested?.trim()) return undefined;
    const wanted = normaliseLocaleTag(requested);
    const codes = this.locales();
    const exact = codes.find((c) => c.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
    const language = wanted.split('-')[0]!.toLowerCase();
    const preferred = PRIMARY_REGION[language];
    return codes.find((c) => c === preferred) ?? codes.find((c) => c.split('-')[0]!.toLowerCase() === language);
  }

  /**
   * The formatter for a style and locale, cached per pair. The locale is resolved with
   * {@link resolveLocale}, then the style's default locale, then `en-US`. Undefined for an unknown style.
   */
  formatter(styleName: string, locale?: string): CitationFormatter | undefined {
    const style = this.loaded(styleName);
    if (!style) return undefined;
    const code = this.resolveLocale(locale) ?? this.resolveLocale(style.info.defaultLocale) ?? this.resolveLocale('en-US');
    const key = `${style.info.name}|${code ?? ''}`;
    let formatter = this.formatters.get(key);
    if (!formatter) {
      formatter = new CitationFormatter(style, code, code ? this.localeXml.get(code) : undefined, this.localeXml.get('en-US'));
      this.formatters.set(key, formatter);
    }
    return formatter;
  }

  /** Drops earlier versions of a user's file, so an edited style does not keep its old text registered. */
  private forgetFile(file: string): void {
    for (const [name, style] of this.styleMap) {
      if (style.info.file !== file) continue;
      this.styleMap.delete(name);
      if (!style.info.parentName) this.config.styles.remove(style.citeprocName);
      this.dropFormatters(name);
    }
  }

  private dropFormatters(name: string): void {
    for (const key of [...this.formatters.keys()]) if (key.startsWith(`${name}|`)) this.formatters.delete(key);
  }

  private loaded(name: string): LoadedStyle | undefined {
    return this.styleMap.get(name) ?? this.styleMap.get(bundledStyleName(name) ?? '');
  }

  private register(name: string, xml: string | undefined, facts: CslStyleFacts, file: string | undefined, parent?: LoadedStyle): LoadedStyle {
    const previous = this.styleMap.get(name);
    if (previous) {
      if (!previous.info.file) this.config.styles.remove(previous.citeprocName);
      this.dropFormatters(name);
    }
    const citationFormat = facts.citationFormat ?? parent?.info.citationFormat ?? 'author-date';
    const info: StyleInfo = {
      name,
      title: facts.title ?? name,
      citationFormat,
      numeric: citationFormat === 'numeric',
      hasBibliography: parent ? parent.info.hasBibliography : facts.hasBibliography,
      sortedBibliography: parent ? parent.info.sortedBibliography : facts.sortedBibliography,
    };
    if (facts.id) info.id = facts.id;
    const defaultLocale = facts.defaultLocale ?? parent?.info.defaultLocale;
    if (defaultLocale) info.defaultLocale = defaultLocale;
    if (file) info.file = file;
    if (parent) info.parentName = parent.info.name;
    let loaded: LoadedStyle;
    if (parent) loaded = { info, citeprocName: parent.citeprocName };
    else {
      loaded = { info, citeprocName: `litcite:${name}:${hashText(xml!)}` };
      this.config.styles.add(loaded.citeprocName, xml!);
    }
    this.styleMap.set(name, loaded);
    return loaded;
  }

  /** Formats a sample entry and citation with a new style; the error text when citeproc fails. */
  private tryEngine(style: LoadedStyle): string | undefined {
    const sample = {
      id: 'litcite-sample', type: 'book', title: 'Sample', author: [{ family: 'Sample', given: 'Ann' }],
      issued: { 'date-parts': [[2020]] }, publisher: 'Publisher',
    };
    try {
      const formatter = new CitationFormatter(style, this.resolveLocale('en-US'), this.localeXml.get('en-US'), this.localeXml.get('en-US'));
      formatter.formatCitations({ items: [sample], clusters: [{ items: [{ id: sample.id }] }], format: 'text' });
      if (style.info.hasBibliography) formatter.formatEntry(sample, { format: 'text' });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

/** The region a bare language tag means (CSL's own choice of primary dialects). */
const PRIMARY_REGION: Record<string, string> = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', es: 'es-ES', nl: 'nl-NL', pt: 'pt-PT' };

function sameStyleId(a: string, b: string): boolean {
  const strip = (id: string): string => id.trim().replace(/^https?:\/\//i, '').replace(/\/$/, '').toLowerCase();
  return strip(a) === strip(b);
}
