/* The paper details webview. Paper text arrives by postMessage and is put into the page with
 * textContent / text nodes only, never as HTML. */
import type { DetailsState, FromWebview, PaperAction, PaperView, RelatedListView, ToWebview } from '../features/details/protocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): DetailsState | undefined;
  setState(state: DetailsState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') as HTMLElement;
let current: PaperView | undefined;
let currentQuery: string | undefined;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, options: { className?: string; text?: string; attrs?: Record<string, string> } = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.appendChild(child);
  return node;
}

function icon(name: string): HTMLElement {
  return el('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });
}

function button(label: string, iconName: string, action: PaperAction, primary = false): HTMLButtonElement {
  const b = el('button', { className: primary ? 'button primary' : 'button', attrs: { type: 'button', 'data-action': action, title: label } }, icon(iconName), el('span', { text: label }));
  b.addEventListener('click', () => {
    if (current) vscode.postMessage({ type: 'action', action, key: current.key });
  });
  return b;
}

/** The abstract as text nodes, with <mark> around the highlighted ranges. */
function highlighted(text: string, ranges: { start: number; end: number }[]): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.start < at || r.end > text.length) continue;
    fragment.appendChild(document.createTextNode(text.slice(at, r.start)));
    fragment.appendChild(el('mark', { text: text.slice(r.start, r.end) }));
    at = r.end;
  }
  fragment.appendChild(document.createTextNode(text.slice(at)));
  return fragment;
}

type Run = NonNullable<PaperView['titleRuns']>[number];

/** Runs of styled text appended to `parent`: each run's text in a text node inside the element of its style. */
function appendRuns(parent: HTMLElement, runs: readonly Run[]): HTMLElement {
  for (const run of runs) {
    let node: Node = document.createTextNode(run.text);
    const wrap = (tag: keyof HTMLElementTagNameMap, className?: string): void => {
      const outer = el(tag, className ? { className } : {});
      outer.appendChild(node);
      node = outer;
    };
    if (run.italic) wrap('em');
    if (run.bold) wrap('strong');
    if (run.smallCaps) wrap('span', 'small-caps');
    if (run.code) wrap('code');
    if (run.sup) wrap('sup');
    if (run.sub) wrap('sub');
    parent.appendChild(node);
  }
  return parent;
}

/** The title from its runs (or as plain text). */
function richTitle(paper: PaperView): HTMLElement {
  const h1 = el('h1', { attrs: { id: 'title' } });
  if (!paper.titleRuns?.length) {
    h1.textContent = paper.title;
    return h1;
  }
  return appendRuns(h1, paper.titleRuns);
}

/** The formatted reference with its style switcher and a copy button. */
function referenceSection(paper: PaperView): HTMLElement | undefined {
  const reference = paper.reference;
  if (!reference) return undefined;
  const select = el('select', { attrs: { id: 'style', 'aria-label': 'Citation style' } });
  const names = paper.styles.includes(reference.style) ? paper.styles : [reference.style, ...paper.styles];
  for (const name of names) {
    const option = el('option', { text: name, attrs: { value: name } });
    if (name === reference.style) option.selected = true;
    select.appendChild(option);
  }
  select.addEventListener('change', () => vscode.postMessage({ type: 'setStyle', style: select.value }));
  const copy = button('Copy', 'copy', 'copyReference');
  copy.classList.add('small');
  const section = el('section', { className: 'reference', attrs: { 'aria-labelledby': 'reference-heading' } },
    el('div', { className: 'section-head' }, el('h2', { text: 'Reference', attrs: { id: 'reference-heading' } }), select, copy),
    appendRuns(el('p', { className: 'formatted', attrs: { id: 'formatted-reference' } }), reference.runs),
  );
  if (reference.notice) section.appendChild(el('p', { className: 'notice', text: reference.notice }));
  return section;
}

/** The related lists, or the message while they load or when there are none. */
function relatedSection(lists: RelatedListView[], message: string | undefined): HTMLElement {
  const section = el('section', { attrs: { id: 'related', 'aria-labelledby': 'related-heading' } }, el('h2', { text: 'Related papers', attrs: { id: 'related-heading' } }));
  if (message) section.appendChild(el('p', { className: 'notice', text: message }));
  for (const list of lists) {
    const details = el('details', { attrs: { open: '' } }, el('summary', { text: `${list.title} (${list.items.length})` }));
    const ul = el('ul', { className: 'related-list' });
    for (const item of list.items) {
      const link = el('a', { text: item.title, attrs: { href: '#', 'data-key': item.key } });
      link.addEventListener('click', (event) => {
        event.preventDefault();
        vscode.postMessage({ type: 'openRelated', key: item.key });
      });
      const li = el('li', {}, link, el('span', { className: 'related-meta', text: ` ${item.description}` }));
      if (item.inLibrary) li.appendChild(el('span', { className: 'badge', text: 'in library' }));
      ul.appendChild(li);
    }
    details.appendChild(ul);
    if (list.status) details.appendChild(el('p', { className: 'notice', text: list.status }));
    section.appendChild(details);
  }
  return section;
}

function metaRow(label: string, value: Node | string): HTMLElement {
  return el('div', { className: 'meta-row' }, el('dt', { text: label }), el('dd', {}, typeof value === 'string' ? document.createTextNode(value) : value));
}

function render(paper: PaperView, query: string | undefined): void {
  current = paper;
  currentQuery = query;
  root.replaceChildren();
  const header = el('header', {},
    richTitle(paper),
    el('p', { className: 'authors', text: paper.authors.join(', ') || 'Unknown authors' }),
  );
  const actions = el('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Paper actions' } },
    button('Insert Citation', 'quote', 'insertCitation', true),
    button('Copy BibTeX', 'copy', 'copyBibtex'),
    button('Copy Key', 'key', 'copyKey'),
  );
  if (paper.online) actions.appendChild(button('Add to Library', 'add', 'addToLibrary'));
  if (paper.arxiv) actions.appendChild(button('Open arXiv', 'link-external', 'openArxiv'));
  if (paper.code) actions.appendChild(button('Open Code', 'github', 'openCode'));
  if (paper.doi) actions.appendChild(button('Open DOI', 'link-external', 'openDoi'));
  if (paper.pdf) actions.appendChild(button('Open PDF', 'file-pdf', 'openPdf'));
  if (paper.zotero) actions.appendChild(button('Show in Zotero', 'library', 'showInZotero'));
  if (paper.related) actions.appendChild(button('Related Papers', 'references', 'findRelated'));

  const meta = el('dl', { className: 'meta' });
  meta.appendChild(metaRow('Published', paper.published));
  meta.appendChild(metaRow('Key', el('code', { text: paper.key })));
  if (paper.arxiv) meta.appendChild(metaRow('arXiv', paper.arxiv));
  if (paper.doi) meta.appendChild(metaRow('DOI', paper.doi));
  meta.appendChild(metaRow('Source', paper.source));
  if (paper.collections?.length) meta.appendChild(metaRow('Collections', paper.collections.join('; ')));
  if (paper.tags?.length) meta.appendChild(metaRow('Tags', paper.tags.join(', ')));
  if (paper.notesCount) meta.appendChild(metaRow('Notes', `${paper.notesCount} in Zotero`));
  if (paper.attachments?.length) meta.appendChild(metaRow('Attachments', paper.attachments.join('; ')));

  const abstract = el('section', { attrs: { 'aria-labelledby': 'abstract-heading' } },
    el('h2', { text: 'Abstract', attrs: { id: 'abstract-heading' } }),
    el('p', { className: 'abstract' }, highlighted(paper.abstract || 'No abstract available.', paper.abstract ? paper.highlights : [])),
  );
  const bib = el('section', { attrs: { 'aria-labelledby': 'bibtex-heading' } },
    el('h2', { text: 'BibTeX', attrs: { id: 'bibtex-heading' } }),
    el('pre', { className: 'bibtex', attrs: { tabindex: '0' } }, el('code', { text: paper.bibtex })),
  );
  const reference = referenceSection(paper);
  root.append(header, actions, meta, ...(reference ? [reference] : []), abstract, bib);
  saveState();
  vscode.postMessage({
    type: 'rendered',
    key: paper.key,
    title: document.getElementById('title')?.textContent ?? '',
    elementCount: root.querySelectorAll('*').length,
    imageCount: document.images.length,
    reference: document.getElementById('formatted-reference')?.textContent ?? undefined,
  });
}

function saveState(): void {
  if (current) vscode.setState({ key: current.key, query: currentQuery, scrollY: window.scrollY });
}

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  window.clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(saveState, 100);
});

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  const message = event.data;
  switch (message.type) {
    case 'show': {
      const restoring = vscode.getState();
      render(message.paper, message.query);
      if (restoring && restoring.key === message.paper.key) window.scrollTo(0, restoring.scrollY);
      else window.scrollTo(0, 0);
      saveState();
      break;
    }
    case 'copied': {
      const status = document.getElementById('status');
      const what = { bibtex: 'BibTeX', key: 'Key', reference: 'Reference' }[message.what];
      if (status) status.textContent = `${what} copied to the clipboard`;
      break;
    }
    case 'related': {
      if (!current || current.key !== message.key) break;
      document.getElementById('related')?.remove();
      const section = relatedSection(message.lists, message.message);
      const bibtex = root.querySelector('section[aria-labelledby="bibtex-heading"]');
      root.insertBefore(section, bibtex);
      break;
    }
  }
});

vscode.postMessage({ type: 'ready', restoredKey: vscode.getState()?.key });
