/* The paper details webview. Paper text arrives by postMessage and is put into the page with
 * textContent / text nodes only, never as HTML. */
import type { DetailsState, FromWebview, PaperAction, PaperView, ToWebview } from '../features/details/protocol';

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

function metaRow(label: string, value: Node | string): HTMLElement {
  return el('div', { className: 'meta-row' }, el('dt', { text: label }), el('dd', {}, typeof value === 'string' ? document.createTextNode(value) : value));
}

function render(paper: PaperView, query: string | undefined): void {
  current = paper;
  currentQuery = query;
  root.replaceChildren();
  const header = el('header', {},
    el('h1', { text: paper.title, attrs: { id: 'title' } }),
    el('p', { className: 'authors', text: paper.authors.join(', ') || 'Unknown authors' }),
  );
  const actions = el('div', { className: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Paper actions' } },
    button('Insert Citation', 'quote', 'insertCitation', true),
    button('Copy BibTeX', 'copy', 'copyBibtex'),
    button('Copy Key', 'key', 'copyKey'),
  );
  if (paper.arxiv) actions.appendChild(button('Open arXiv', 'link-external', 'openArxiv'));
  if (paper.code) actions.appendChild(button('Open Code', 'github', 'openCode'));
  if (paper.doi) actions.appendChild(button('Open DOI', 'link-external', 'openDoi'));

  const meta = el('dl', { className: 'meta' });
  meta.appendChild(metaRow('Published', paper.published));
  meta.appendChild(metaRow('Key', el('code', { text: paper.key })));
  if (paper.arxiv) meta.appendChild(metaRow('arXiv', paper.arxiv));
  if (paper.doi) meta.appendChild(metaRow('DOI', paper.doi));
  meta.appendChild(metaRow('Source', paper.source));

  const abstract = el('section', { attrs: { 'aria-labelledby': 'abstract-heading' } },
    el('h2', { text: 'Abstract', attrs: { id: 'abstract-heading' } }),
    el('p', { className: 'abstract' }, highlighted(paper.abstract || 'No abstract available.', paper.abstract ? paper.highlights : [])),
  );
  const bib = el('section', { attrs: { 'aria-labelledby': 'bibtex-heading' } },
    el('h2', { text: 'BibTeX', attrs: { id: 'bibtex-heading' } }),
    el('pre', { className: 'bibtex', attrs: { tabindex: '0' } }, el('code', { text: paper.bibtex })),
  );
  root.append(header, actions, meta, abstract, bib);
  saveState();
  vscode.postMessage({
    type: 'rendered',
    key: paper.key,
    title: document.getElementById('title')?.textContent ?? '',
    elementCount: root.querySelectorAll('*').length,
    imageCount: document.images.length,
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
      if (status) status.textContent = message.what === 'bibtex' ? 'BibTeX copied to the clipboard' : 'Key copied to the clipboard';
      break;
    }
  }
});

vscode.postMessage({ type: 'ready', restoredKey: vscode.getState()?.key });
