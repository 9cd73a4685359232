/** The bundled CSL styles and locales (media/csl), read from disk into a style registry. */
import * as fs from 'fs';
import * as path from 'path';
import { BUNDLED_LOCALES, BUNDLED_STYLES, StyleRegistry, type StyleError } from '../core/format/styles';

/** The folder of the bundled styles and locales, shipped beside dist/ (this code runs from dist/cli.js or dist/extension.js). */
export function defaultCslDir(): string {
  return path.join(__dirname, '..', 'media', 'csl');
}

/**
 * Registers every bundled style (`styles/<name>.csl`) and locale (`locales/locales-*.xml`) in
 * `dir` with `registry`; what could not be registered comes back as errors (a damaged install).
 */
export function loadBundledCsl(registry: StyleRegistry, dir = defaultCslDir()): StyleError[] {
  const errors: StyleError[] = [];
  const read = (file: string): string | undefined => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (error) {
      errors.push({ file, message: `cannot read it: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      return undefined;
    }
  };
  for (const code of BUNDLED_LOCALES) {
    const file = path.join(dir, 'locales', `locales-${code}.xml`);
    const text = read(file);
    if (text === undefined) continue;
    const added = registry.addLocale(text, file);
    if (!added.ok) errors.push(added.error);
  }
  for (const name of BUNDLED_STYLES) {
    const text = read(path.join(dir, 'styles', `${name}.csl`));
    if (text === undefined) continue;
    const added = registry.addBundledStyle(name, text);
    if (!added.ok) errors.push(added.error);
  }
  return errors;
}
