/** Every command, view and setting id the extension contributes. A test checks them against package.json. */

export const COMMANDS = {
  search: 'litcite.search',
  insertCitation: 'litcite.insertCitation',
  openDetails: 'litcite.openDetails',
  copyBibtex: 'litcite.copyBibtex',
  copyKey: 'litcite.copyKey',
  openArxiv: 'litcite.openArxiv',
  openCode: 'litcite.openCode',
  clearSearch: 'litcite.clearSearch',
  searchInView: 'litcite.searchInView',
  reloadLibrary: 'litcite.reloadLibrary',
  showLog: 'litcite.showLog',
  addBibEntry: 'litcite.addBibEntry',
  addAllBibEntries: 'litcite.addAllBibEntries',
  addPaper: 'litcite.addPaper',
  groupByYear: 'litcite.groupByYear',
  groupBySource: 'litcite.groupBySource',
  groupByZotero: 'litcite.groupByZotero',
  copyFormattedReference: 'litcite.copyFormattedReference',
  copyFormattedBibliography: 'litcite.copyFormattedBibliography',
  searchOnline: 'litcite.searchOnline',
  setOnlineSearch: 'litcite.setOnlineSearch',
  setOpenAlexApiKey: 'litcite.setOpenAlexApiKey',
  setSemanticScholarApiKey: 'litcite.setSemanticScholarApiKey',
  zoteroSync: 'litcite.zoteroSync',
  zoteroStatus: 'litcite.zoteroStatus',
  setZoteroApiKey: 'litcite.setZoteroApiKey',
  openPdf: 'litcite.openPdf',
  showInZotero: 'litcite.showInZotero',
} as const;

export const VIEWS = {
  container: 'litcite',
  papers: 'litcite.papers',
} as const;

export const WEBVIEWS = {
  details: 'litcite.details',
} as const;

/** Setting names under the `litcite.` section. */
export const SETTINGS = {
  includeBundled: 'includeBundledLibrary',
  resultLimit: 'resultLimit',
  keyTemplate: 'citationKeyTemplate',
  latexCommand: 'latexCiteCommand',
  markdownStyle: 'markdownCitationStyle',
  bibFile: 'bibFile',
  createBibFile: 'createBibFile',
  libraries: 'libraries',
  includeDeclared: 'includeDeclaredBibliographies',
  addTo: 'addTo',
  arxivApiUrl: 'arxivApiUrl',
  doiApiUrl: 'doiApiUrl',
  citationStyle: 'citationStyle',
  citationLocale: 'citationLocale',
  markdownPreviewCitations: 'markdownPreviewCitations',
  onlineSearch: 'onlineSearch',
  onlineSources: 'onlineSources',
  contactEmail: 'contactEmail',
  onlineCacheDays: 'onlineCacheDays',
  openAlexApiUrl: 'openAlexApiUrl',
  crossrefApiUrl: 'crossrefApiUrl',
  semanticScholarApiUrl: 'semanticScholarApiUrl',
  zoteroEnabled: 'zotero.enabled',
  zoteroSource: 'zotero.source',
  zoteroLibraries: 'zotero.libraries',
  zoteroCollections: 'zotero.collections',
  zoteroLocalApiUrl: 'zotero.localApiUrl',
  zoteroWebApiUrl: 'zotero.webApiUrl',
} as const;

/** SecretStorage keys: API keys never go into settings. */
export const SECRETS = {
  openAlexApiKey: 'litcite.openAlexApiKey',
  semanticScholarApiKey: 'litcite.semanticScholarApiKey',
  zoteroApiKey: 'litcite.zotero.webApiKey',
} as const;

export const SECTION = 'litcite';

/** Context keys set for `when` clauses. */
export const CONTEXT = {
  hasQuery: 'litcite.hasQuery',
  libraryState: 'litcite.libraryState',
  zoteroEnabled: 'litcite.zoteroEnabled',
} as const;
