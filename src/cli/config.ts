/** What the CLI takes from the environment that the extension takes from settings. */
import { DEFAULT_KEY_TEMPLATE, validateKeyTemplate } from '../core/citekey';

/** `LITCITE_KEY_TEMPLATE`, when it is a valid template; else Better BibTeX's default. */
export function readConfigKeyTemplate(): string {
  const template = process.env.LITCITE_KEY_TEMPLATE?.trim();
  return template && !validateKeyTemplate(template) ? template : DEFAULT_KEY_TEMPLATE;
}
