/** Zotero's item JSON read into papers, key choice, the pure sync step and connection states. */
export * from './types';
export * from './item-types';
export * from './map';
export * from './citekey';
export * from './sync';
export * from './status';
export { parseExtra, type ExtraFields } from './extra';
export { parseZoteroDate, parseIsoDate } from './dates';
export { readRichTitle } from './rich-text';
