/**
 * A multi-file LaTeX project on plain text: which file is the root a part is compiled from,
 * and which bibliographies the whole project declares. Paths are POSIX (a URI's path); the
 * caller supplies the project's files as a path → text map.
 */
import { declaredBibliographies, includedFiles, texRootMagic } from './declarations';

/** How deep `\input`s may nest before the walk stops (a file including itself, or a huge tree). */
const MAX_DEPTH = 12;

/** Whether a LaTeX text is compiled on its own: it has a `\documentclass` that is not a `subfiles` child's. */
export function isTexRoot(text: string): boolean {
  return hasDocumentclass(text) && subfilesParent(text) === undefined;
}

/** Whether a `\documentclass` stands outside a `%` comment; each line is scanned once however many there are. */
function hasDocumentclass(text: string): boolean {
  DOCUMENTCLASS.lastIndex = 0;
  let lineStart = -1;
  let scanned = 0;
  let commented = false;
  for (let m = DOCUMENTCLASS.exec(text); m; m = DOCUMENTCLASS.exec(text)) {
    const start = Math.max(text.lastIndexOf('\n', m.index), text.lastIndexOf('\r', m.index)) + 1;
    if (start !== lineStart) {
      lineStart = start;
      scanned = start;
      commented = false;
    }
    for (; scanned < m.index && !commented; scanned++) {
      const c = text.charCodeAt(scanned);
      if (c === 92) scanned++;
      else if (c === 37) commented = true;
    }
    if (!commented) return true;
  }
  return false;
}

/** The main file a `\documentclass[main.tex]{subfiles}` part names, as written. */
export function subfilesParent(text: string): string | undefined {
  const m = SUBFILES.exec(text);
  return m?.[1]?.trim() || undefined;
}

/** The files an `\input{name}` may mean, in TeX's order: `name.tex` first unless it has a TeX extension. */
export function texFileCandidates(name: string): string[] {
  return /\.(?:tex|ltx)$/i.test(name) ? [name] : [`${name}.tex`, name];
}

/** The directory part of a path: `/a/b/c.tex` → `/a/b`. */
export function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? (path.startsWith('/') ? '/' : '.') : path.slice(0, slash);
}

/** `rel` resolved against the directory `dir`, with `.` and `..` segments removed; an absolute `rel` stands alone. */
export function joinPath(dir: string, rel: string): string {
  const clean = rel.replace(/\\/g, '/');
  const absolute = clean.startsWith('/');
  const parts = absolute ? [] : dir.split('/');
  const out: string[] = [];
  for (const part of [...parts, ...clean.split('/')]) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!dir.startsWith('/') && !absolute) out.push('..');
    } else out.push(part);
  }
  const leading = absolute || dir.startsWith('/') ? '/' : '';
  return leading + out.join('/');
}

/**
 * The root file of the project `docPath` belongs to: a `% !TEX root` magic comment wins, then a
 * `subfiles` parent, then the file itself when it has a `\documentclass`; otherwise the first
 * root among `files` whose `\input`/`\include` tree reaches it (roots nearer the document first).
 * Undefined when nothing includes it.
 */
export function findTexRoot(docPath: string, files: ReadonlyMap<string, string>): string | undefined {
  return rootOf(docPath, files, 0);
}

/**
 * Every bibliography a project declares, resolved to paths (relative to the root's directory, where
 * BibTeX runs): the root's own declarations, then those of the files it includes, in include order.
 */
export function projectBibliographies(rootPath: string, files: ReadonlyMap<string, string>): string[] {
  const base = dirName(rootPath);
  const found: string[] = [];
  for (const path of includeTree(rootPath, files)) {
    const text = files.get(path);
    if (text === undefined) continue;
    if (!MAY_DECLARE.test(text)) continue;
    for (const bib of declaredBibliographies(text, 'latex')) found.push(joinPath(base, bib));
  }
  return [...new Set(found)];
}

/** The root and every file it includes, depth first, each once; names resolve against the root's then the includer's folder. */
export function includeTree(rootPath: string, files: ReadonlyMap<string, string>): string[] {
  const rootDir = dirName(rootPath);
  const seen = new Set<string>();
  const order: string[] = [];
  const visit = (path: string, depth: number): void => {
    if (seen.has(path) || depth > MAX_DEPTH) return;
    seen.add(path);
    order.push(path);
    const text = files.get(path);
    if (text === undefined || !MAY_INCLUDE.test(text)) return;
    for (const name of includedFiles(text)) {
      const target = resolveInclude(name, [rootDir, dirName(path)], files);
      if (target) visit(target, depth + 1);
    }
  };
  visit(rootPath, 0);
  return order;
}

// ---------------------------------------------------------------------------

// cheap tests that let most files skip the full scans, which strip comments first
const MAY_DECLARE = /\\(?:no)?bibliography|\\add(?:bibresource|globalbib|sectionbib)/;
const MAY_INCLUDE = /\\(?:input|include|subfile|import|subimport|inputfrom|includefrom|subinputfrom|subincludefrom|subfileinclude)(?![A-Za-z])/;
const DOCUMENTCLASS = /\\documentclass(?![A-Za-z])/g;
const SUBFILES = /\\documentclass\s*\[([^\][]+)\]\s*\{\s*subfiles\s*\}/;

function resolveInclude(name: string, bases: string[], files: ReadonlyMap<string, string>): string | undefined {
  for (const base of bases) {
    for (const candidate of texFileCandidates(name)) {
      const path = joinPath(base, candidate);
      if (files.has(path)) return path;
    }
  }
  return undefined;
}

function rootOf(docPath: string, files: ReadonlyMap<string, string>, depth: number): string | undefined {
  const text = files.get(docPath);
  if (text === undefined || depth > MAX_DEPTH) return undefined;
  const magic = texRootMagic(text);
  if (magic) {
    const named = joinPath(dirName(docPath), magic);
    const target = files.has(named) || /\.(?:tex|ltx)$/i.test(named) ? named : `${named}.tex`;
    // A chain: the named file is itself a part whose own magic comment (or subfiles parent) names the root.
    const targetText = files.get(target);
    if (targetText !== undefined && !isTexRoot(targetText)) return rootOf(target, files, depth + 1) ?? target;
    return target;
  }
  const parent = subfilesParent(text);
  if (parent) {
    const target = resolveInclude(parent, [dirName(docPath)], files);
    return target ? rootOf(target, files, depth + 1) ?? target : undefined;
  }
  if (isTexRoot(text)) return docPath;
  const roots = [...files.keys()].filter((p) => p !== docPath && isTexRoot(files.get(p) ?? ''));
  roots.sort((a, b) => distance(docPath, a) - distance(docPath, b) || a.localeCompare(b));
  return roots.find((root) => includeTree(root, files).includes(docPath));
}

/** How many folders apart two files are: roots in the document's folder or above it come first. */
function distance(from: string, to: string): number {
  const a = dirName(from).split('/');
  const b = dirName(to).split('/');
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return (a.length - common) + (b.length - common) * 2;
}
