/**
 * Which citation style and locale apply to a document, and the Pandoc metadata the Markdown
 * preview honours, from texts and settings (the caller reads the files and loads what is named).
 *
 * Style: the `csl:` of the document's front matter (top level, else under `format: <name>:` as
 * Quarto allows), else that of the project's `_quarto.yml`, else the `litcite.citationStyle`
 * setting (a bundled name or a `.csl` path), else APA. Locale: the front matter's `locale:` or
 * `lang:`, else `_quarto.yml`'s, else `litcite.citationLocale`, else the style's own default.
 */
import { markdownFrontMatter } from '../cite-syntax';
import { bundledStyleName, DEFAULT_STYLE, normaliseLocaleTag } from './style-names';
import { isYamlMap, readYaml, type YamlMap, type YamlValue } from './yaml';

/** The Pandoc metadata of a document (or a `_quarto.yml`) that citations depend on. */
export interface DocumentMeta {
  /** `csl:` as written: a path (relative to the file that says it) or a URL. */
  csl?: string;
  /** `locale:`, else `lang:`, normalised (`de_de` → `de-DE`). */
  locale?: string;
  /** `bibliography:` paths as written, in order. */
  bibliography: string[];
  /** `nocite:` keys (`@*` sets `all`: every entry of the document's bibliographies). */
  nocite: { keys: string[]; all: boolean };
  /** `suppress-bibliography: true`: no reference list. */
  suppressBibliography: boolean;
  /** `reference-section-title:` a heading over the reference list. */
  referenceSectionTitle?: string;
  /** `link-citations:` when given: link citations to their entries. */
  linkCitations?: boolean;
  /** `link-bibliography:` when given: link URLs and DOIs in entries (Pandoc's default: true). */
  linkBibliography?: boolean;
  /** Inline `references:` items (CSL-YAML), as read; an item needs an `id`. */
  references: YamlMap[];
  /** What could not be read, with 1-based lines of the YAML. */
  problems: string[];
}

/** The `litcite.citationStyle` and `litcite.citationLocale` settings. */
export interface CitationSettings {
  /** A bundled style name (`apa`, `ieee`, …, also `mla`) or a path to a `.csl` file. Empty: APA. */
  citationStyle?: string;
  /** A locale tag such as `en-GB`. Empty: the style's own. */
  citationLocale?: string;
}

/** Where the style comes from. */
export type StyleSource =
  /** A `.csl` file: `path` as written, relative to `base` (the document's folder, the `_quarto.yml`'s, or the workspace folder). */
  | { kind: 'file'; path: string; base: 'document' | 'project' | 'workspace'; origin: StyleOrigin; bundledFallback?: string }
  /** A style at a URL (Pandoc fetches these; LitCite does not): use `bundledFallback` or the default. */
  | { kind: 'remote'; url: string; origin: StyleOrigin; bundledFallback?: string }
  | { kind: 'bundled'; name: string; origin: StyleOrigin };

export type StyleOrigin = 'front-matter' | 'quarto' | 'setting' | 'default';

/** The style and locale in force for a document. */
export interface StyleResolution {
  style: StyleSource;
  /** The locale tag asked for (normalised), if any; the registry maps it to a bundled locale. */
  locale?: string;
  localeOrigin?: Exclude<StyleOrigin, 'default'>;
}

/** The YAML front matter of a Markdown text (without its `---` lines), or undefined. */
export function frontMatterText(markdown: string): string | undefined {
  const span = markdownFrontMatter(markdown);
  if (!span) return undefined;
  const block = markdown.slice(0, span.end);
  const firstBreak = block.indexOf('\n');
  const body = block.slice(firstBreak + 1).replace(/\r?\n?$/, '');
  const lastBreak = body.lastIndexOf('\n');
  return lastBreak < 0 ? '' : body.slice(0, lastBreak).replace(/\r$/, '');
}

/** The citation metadata of a Markdown document, from its front matter (none: all defaults). */
export function documentMeta(markdown: string): DocumentMeta {
  const yaml = frontMatterText(markdown);
  return yaml === undefined ? emptyMeta() : metaFromYaml(yaml);
}

/** The citation metadata in a YAML text (front matter body or a `_quarto.yml`). */
export function metaFromYaml(yamlText: string): DocumentMeta {
  const read = readYaml(yamlText);
  const meta = emptyMeta();
  meta.problems.push(...read.problems.map((p) => `line ${p.line}: ${p.message}`));
  const root = read.value;
  if (!isYamlMap(root)) {
    if (root !== null) meta.problems.push('the metadata is not a mapping of keys to values');
    return meta;
  }
  const csl = scalarText(root.csl) ?? nestedFormatValue(root, 'csl');
  if (csl) meta.csl = csl;
  const locale = scalarText(root.locale) ?? scalarText(root.lang);
  if (locale) meta.locale = normaliseLocaleTag(locale);
  meta.bibliography = textList(root.bibliography);
  const nocite = root.nocite;
  for (const text of typeof nocite === 'string' ? [nocite] : textList(nocite)) {
    for (const key of citedKeysIn(text)) {
      if (key === '*') meta.nocite.all = true;
      else if (!meta.nocite.keys.includes(key)) meta.nocite.keys.push(key);
    }
  }
  meta.suppressBibliography = truthy(root['suppress-bibliography']) ?? false;
  const title = scalarText(root['reference-section-title']);
  if (title) meta.referenceSectionTitle = title;
  const linkCitations = truthy(root['link-citations']);
  if (linkCitations !== undefined) meta.linkCitations = linkCitations;
  const linkBibliography = truthy(root['link-bibliography']);
  if (linkBibliography !== undefined) meta.linkBibliography = linkBibliography;
  const references = root.references;
  if (Array.isArray(references)) {
    references.forEach((item, i) => {
      if (isYamlMap(item) && scalarText(item.id)) meta.references.push(item);
      else meta.problems.push(`references item ${i + 1} has no id`);
    });
  } else if (references !== undefined && references !== null) meta.problems.push('references is not a list');
  return meta;
}

/**
 * The style and locale for a document: its front matter, then its project's `_quarto.yml`, then
 * the settings, then {@link DEFAULT_STYLE}. `document` is the Markdown text (or its
 * {@link documentMeta}), `project` the `_quarto.yml` text (or its {@link metaFromYaml}). A `csl:`
 * naming a bundled style's file (`ieee.csl`) carries `bundledFallback`, used when no such file
 * exists, as Pandoc would find it in its data folder.
 */
export function resolveStyle(input: { document?: DocumentMeta | string; project?: DocumentMeta | string; settings?: CitationSettings }): StyleResolution {
  const document = typeof input.document === 'string' ? documentMeta(input.document) : input.document;
  const project = typeof input.project === 'string' ? metaFromYaml(input.project) : input.project;
  const settings = input.settings ?? {};
  const style = styleFrom(document?.csl, 'front-matter', 'document')
    ?? styleFrom(project?.csl, 'quarto', 'project')
    ?? settingStyle(settings.citationStyle)
    ?? { kind: 'bundled', name: DEFAULT_STYLE, origin: 'default' };
  const resolution: StyleResolution = { style };
  const candidates: Array<[string | undefined, Exclude<StyleOrigin, 'default'>]> = [
    [document?.locale, 'front-matter'], [project?.locale, 'quarto'], [settings.citationLocale, 'setting'],
  ];
  for (const [locale, origin] of candidates) {
    if (locale?.trim()) {
      resolution.locale = normaliseLocaleTag(locale);
      resolution.localeOrigin = origin;
      break;
    }
  }
  return resolution;
}

function styleFrom(csl: string | undefined, origin: StyleOrigin, base: 'document' | 'project'): StyleSource | undefined {
  const value = csl?.trim();
  if (!value) return undefined;
  const fallback = bundledStyleName(value.replace(/^.*[\\/]/, ''));
  if (/^https?:\/\//i.test(value)) return withFallback({ kind: 'remote', url: value, origin }, fallback);
  return withFallback({ kind: 'file', path: value, base, origin }, fallback);
}

function settingStyle(setting: string | undefined): StyleSource | undefined {
  const value = setting?.trim();
  if (!value) return undefined;
  const bundled = bundledStyleName(value);
  if (bundled && !/[\\/]/.test(value)) return { kind: 'bundled', name: bundled, origin: 'setting' };
  return withFallback({ kind: 'file', path: value, base: 'workspace', origin: 'setting' }, bundledStyleName(value.replace(/^.*[\\/]/, '')));
}

function withFallback<T extends StyleSource>(source: T, fallback: string | undefined): T {
  if (fallback && source.kind !== 'bundled') (source as Extract<StyleSource, { bundledFallback?: string }>).bundledFallback = fallback;
  return source;
}

function emptyMeta(): DocumentMeta {
  return { bibliography: [], nocite: { keys: [], all: false }, suppressBibliography: false, references: [], problems: [] };
}

/** `format: { html: { csl: … } }`: the first format that sets the key (html first). */
function nestedFormatValue(root: YamlMap, key: string): string | undefined {
  const formats = root.format;
  if (!isYamlMap(formats)) return undefined;
  const names = Object.keys(formats).sort((a, b) => Number(b === 'html') - Number(a === 'html'));
  for (const name of names) {
    const options = formats[name];
    const value = isYamlMap(options) ? scalarText(options[key]) : undefined;
    if (value) return value;
  }
  return undefined;
}

function scalarText(value: YamlValue | undefined): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function textList(value: YamlValue | undefined): string[] {
  if (Array.isArray(value)) return value.map(scalarText).filter((v): v is string => !!v);
  const one = scalarText(value);
  return one ? [one] : [];
}

/** Pandoc's reading of a boolean option: YAML true/false, or the words. */
function truthy(value: YamlValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (/^(?:true|yes|on)$/i.test(value.trim())) return true;
    if (/^(?:false|no|off)$/i.test(value.trim())) return false;
  }
  return undefined;
}

/** `@key`s in a nocite text (`@a, @b`, `[@a; @b]`, `@*`, `@{odd key}`), in order. */
export function citedKeysIn(text: string): string[] {
  const keys: string[] = [];
  const re = /(?<![\p{L}\p{N}])@(?:\{([^{}\n]{1,500})\}|(\*)|([\p{L}\p{N}_](?:[\p{L}\p{N}_]|[:.#$%&\-+?<>~/](?=[\p{L}\p{N}_]))*))/gu;
  for (const m of text.matchAll(re)) keys.push(m[1] ?? m[2] ?? m[3]!);
  return keys;
}
