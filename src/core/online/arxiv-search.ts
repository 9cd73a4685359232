/**
 * The arXiv export API's answer to a search (`search_query=…`) or a list of ids (`id_list=…`):
 * an Atom feed with one `<entry>` per paper, read by the same scanner as a single lookup.
 */
import { readArxivFeed } from '../arxiv';
import { onlinePaper, type MapResult } from './types';

/**
 * Every paper in an arXiv Atom feed, in the feed's order (arXiv's relevance when the query asked
 * for it), each with `sources: ['arxiv']`. Entries without an arXiv id or a title are reported as
 * problems; an error entry or a body that is not a feed is the result's error.
 */
export function mapArxivSearch(xml: string): MapResult {
  const feed = readArxivFeed(xml);
  if (!feed.ok) return { ok: false, error: { code: feed.reason, message: feed.message } };
  const papers = feed.papers.map((paper) => onlinePaper('arxiv', paper));
  const problems = feed.skipped.map(({ index, reason }) => ({ code: 'skipped-record' as const, index, reason }));
  return feed.total === undefined ? { ok: true, papers, problems } : { ok: true, papers, total: feed.total, problems };
}

/**
 * The `search_query` for what a writer typed: every word must appear somewhere in the record
 * (`all:`), so "attention all you need" finds the paper rather than anything with "need".
 * Quotes, parentheses, colons and the words AND/OR/ANDNOT are dropped so the text cannot change the query's logic.
 */
export function arxivSearchQuery(text: string): string {
  const words = text
    .replace(/["():]/g, ' ')
    .split(/\s+/)
    .filter((word) => word && !/^(?:and|or|andnot)$/i.test(word))
    .slice(0, 12);
  return words.map((word) => `all:${word}`).join(' AND ');
}
