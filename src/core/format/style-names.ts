/**
 * Names of the bundled styles and locales, and locale tags: the part of the style registry that
 * settings, front matter and the command line need without loading citeproc.
 */

/** The styles shipped in media/csl/styles, by the name settings and `--style` use (file name without `.csl`). */
export const BUNDLED_STYLES = [
  'apa', 'ieee', 'chicago-author-date', 'vancouver', 'harvard-cite-them-right', 'nature', 'acm-sig-proceedings',
  'modern-language-association',
] as const;
export type BundledStyleName = (typeof BUNDLED_STYLES)[number];

/** The locales shipped in media/csl/locales (`locales-<code>.xml`). */
export const BUNDLED_LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'nl-NL'] as const;

/** The style used when nothing else is set or a chosen style cannot be used. */
export const DEFAULT_STYLE: BundledStyleName = 'apa';

/** Short names people type for the bundled styles. */
export const STYLE_ALIASES: Record<string, BundledStyleName> = {
  apa7: 'apa', chicago: 'chicago-author-date', harvard: 'harvard-cite-them-right', acm: 'acm-sig-proceedings',
  mla: 'modern-language-association',
};

/** `de_de` → `de-DE`, `EN-us` → `en-US`. */
export function normaliseLocaleTag(tag: string): string {
  const parts = tag.trim().replace(/_/g, '-').split('-');
  return parts.map((part, i) => (i === 0 ? part.toLowerCase() : part.length === 2 ? part.toUpperCase() : part)).join('-');
}

/** The bundled style name for a name or alias (`mla` → `modern-language-association`), if it is one. */
export function bundledStyleName(name: string): BundledStyleName | undefined {
  const lower = name.trim().toLowerCase().replace(/\.csl$/, '');
  if ((BUNDLED_STYLES as readonly string[]).includes(lower)) return lower as BundledStyleName;
  return Object.hasOwn(STYLE_ALIASES, lower) ? STYLE_ALIASES[lower] : undefined;
}

