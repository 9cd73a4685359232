/**
 * Venue abbreviations as metadata gives them (`ICLR 2024`, `ACL 2024 Findings`) → the name a
 * bibliography prints and the venue's year. Unknown venues are left as they are.
 */

/** Conference series by abbreviation: the name styles print. */
const SERIES: Record<string, string> = {
  ICLR: 'International Conference on Learning Representations (ICLR)',
  NeurIPS: 'Advances in Neural Information Processing Systems (NeurIPS)',
  NIPS: 'Advances in Neural Information Processing Systems (NIPS)',
  ICML: 'International Conference on Machine Learning (ICML)',
  ACL: 'Annual Meeting of the Association for Computational Linguistics (ACL)',
  EMNLP: 'Conference on Empirical Methods in Natural Language Processing (EMNLP)',
  NAACL: 'Conference of the North American Chapter of the Association for Computational Linguistics (NAACL)',
  EACL: 'Conference of the European Chapter of the Association for Computational Linguistics (EACL)',
  COLING: 'International Conference on Computational Linguistics (COLING)',
  CVPR: 'IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)',
  ICCV: 'IEEE/CVF International Conference on Computer Vision (ICCV)',
  ECCV: 'European Conference on Computer Vision (ECCV)',
  AAAI: 'AAAI Conference on Artificial Intelligence (AAAI)',
  IJCAI: 'International Joint Conference on Artificial Intelligence (IJCAI)',
  CoRL: 'Conference on Robot Learning (CoRL)',
  ICRA: 'IEEE International Conference on Robotics and Automation (ICRA)',
  KDD: 'ACM SIGKDD Conference on Knowledge Discovery and Data Mining (KDD)',
  WWW: 'The Web Conference (WWW)',
  SIGIR: 'International ACM SIGIR Conference on Research and Development in Information Retrieval (SIGIR)',
  'ACM SIGCOMM': 'ACM SIGCOMM Conference (SIGCOMM)',
  SIGCOMM: 'ACM SIGCOMM Conference (SIGCOMM)',
  HPCA: 'IEEE International Symposium on High-Performance Computer Architecture (HPCA)',
  ISCA: 'International Symposium on Computer Architecture (ISCA)',
  MICRO: 'IEEE/ACM International Symposium on Microarchitecture (MICRO)',
  OSDI: 'USENIX Symposium on Operating Systems Design and Implementation (OSDI)',
  SOSP: 'ACM Symposium on Operating Systems Principles (SOSP)',
  COLM: 'Conference on Language Modeling (COLM)',
  AISTATS: 'International Conference on Artificial Intelligence and Statistics (AISTATS)',
  UAI: 'Conference on Uncertainty in Artificial Intelligence (UAI)',
  ICSE: 'IEEE/ACM International Conference on Software Engineering (ICSE)',
};

/** Findings volumes of the ACL conferences. */
const FINDINGS = new Set(['ACL', 'EMNLP', 'NAACL', 'EACL']);

/** A venue's full name and year, e.g. `ICLR 2024` → International Conference on … (ICLR), 2024. */
export function expandVenue(venue: string): { name: string; year?: number } {
  const trimmed = venue.trim();
  const m = /\b(?:19|20)\d\d\b/.exec(trimmed);
  if (!m) return { name: SERIES[trimmed] ?? trimmed };
  const series = trimmed.slice(0, m.index).trim();
  const yearText = m[0];
  const rest = trimmed.slice(m.index + m[0].length).trim();
  const year = Number(yearText);
  const full = SERIES[series];
  if (!full) return { name: trimmed, year };
  if (/^findings$/i.test(rest) && FINDINGS.has(series)) return { name: `Findings of the Association for Computational Linguistics: ${series} ${year}`, year };
  if (/datasets and benchmarks/i.test(rest)) return { name: `${full}, Datasets and Benchmarks Track`, year };
  return { name: rest ? `${full}, ${rest}` : full, year };
}
