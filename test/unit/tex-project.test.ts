import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  dirName,
  findTexRoot,
  includeTree,
  isTexRoot,
  joinPath,
  projectBibliographies,
  subfilesParent,
  texFileCandidates,
} from '../../src/core/tex-project';

const PROJECT = new Map<string, string>([
  ['/w/thesis/main.tex', '\\documentclass{book}\n\\begin{document}\n\\include{chapters/intro}\n\\input{chapters/method.tex}\n\\bibliography{refs,extra}\n\\end{document}\n'],
  ['/w/thesis/chapters/intro.tex', '\\chapter{Intro}\nAs~\\cite{a}.\n\\input{chapters/intro-detail}\n'],
  ['/w/thesis/chapters/intro-detail.tex', 'Detail.\n'],
  ['/w/thesis/chapters/method.tex', '\\chapter{Method}\n\\addbibresource{../shared/method.bib}\n'],
  ['/w/thesis/appendix.tex', '% !TEX root = main.tex\n\\chapter{Appendix}\n'],
  ['/w/thesis/part.tex', '\\documentclass[main.tex]{subfiles}\n\\begin{document}\nPart.\n\\end{document}\n'],
  ['/w/other/main.tex', '\\documentclass{article}\n% \\input{../thesis/chapters/intro}\n\\begin{document}\\end{document}\n'],
  ['/w/loose.tex', 'No class, nobody includes me.\n'],
]);

describe('tex-project paths', () => {
  it('joins and normalises POSIX paths', () => {
    assert.equal(joinPath('/w/thesis/chapters', '../refs.bib'), '/w/thesis/refs.bib');
    assert.equal(joinPath('/w/thesis', './a/./b.bib'), '/w/thesis/a/b.bib');
    assert.equal(joinPath('/w/thesis', '/abs/x.bib'), '/abs/x.bib');
    assert.equal(joinPath('/w', 'sub\\x.bib'), '/w/sub/x.bib');
    assert.equal(dirName('/w/thesis/main.tex'), '/w/thesis');
    assert.equal(dirName('/main.tex'), '/');
  });

  it('lists the files \\input may mean, .tex first', () => {
    assert.deepEqual(texFileCandidates('chapters/intro'), ['chapters/intro.tex', 'chapters/intro']);
    assert.deepEqual(texFileCandidates('a.tex'), ['a.tex']);
  });
});

describe('isTexRoot and subfilesParent', () => {
  it('knows a root by an uncommented \\documentclass that is not a subfiles part', () => {
    assert.equal(isTexRoot('\\documentclass{article}'), true);
    assert.equal(isTexRoot('% \\documentclass{article}\n\\chapter{x}'), false);
    assert.equal(isTexRoot('\\documentclass[../main.tex]{subfiles}'), false);
    assert.equal(subfilesParent('\\documentclass[../main.tex]{subfiles}'), '../main.tex');
  });
});

describe('findTexRoot', () => {
  it('finds the root that includes a part, through nested inputs', () => {
    assert.equal(findTexRoot('/w/thesis/chapters/intro.tex', PROJECT), '/w/thesis/main.tex');
    assert.equal(findTexRoot('/w/thesis/chapters/intro-detail.tex', PROJECT), '/w/thesis/main.tex');
  });
  it('follows a % !TEX root magic comment and a subfiles parent', () => {
    assert.equal(findTexRoot('/w/thesis/appendix.tex', PROJECT), '/w/thesis/main.tex');
    assert.equal(findTexRoot('/w/thesis/part.tex', PROJECT), '/w/thesis/main.tex');
  });
  it('follows a chain of % !TEX root comments through parts to the root, and stops on a cycle', () => {
    const chain = new Map([
      ['/w/t/main.tex', '\\documentclass{book}\n\\begin{document}\\include{parts/part}\\end{document}\n'],
      ['/w/t/parts/part.tex', '% !TEX root = ../main.tex\n\\input{parts/section}\n'],
      ['/w/t/parts/section.tex', '% !TEX root = part.tex\nText.\n'],
      ['/w/c/a.tex', '% !TEX root = b.tex\n'],
      ['/w/c/b.tex', '% !TEX root = a.tex\n'],
    ]);
    assert.equal(findTexRoot('/w/t/parts/section.tex', chain), '/w/t/main.tex');
    assert.ok(['/w/c/a.tex', '/w/c/b.tex'].includes(findTexRoot('/w/c/a.tex', chain) ?? ''), 'a cycle ends at one of its files');
  });
  it('is the document itself for a root, and nothing for a file no root includes (comments do not count)', () => {
    assert.equal(findTexRoot('/w/other/main.tex', PROJECT), '/w/other/main.tex');
    assert.equal(findTexRoot('/w/loose.tex', PROJECT), undefined);
  });
});

describe('projectBibliographies', () => {
  it('collects the root and included files\' declarations, resolved against the root folder', () => {
    assert.deepEqual(projectBibliographies('/w/thesis/main.tex', PROJECT), [
      '/w/thesis/refs.bib',
      '/w/thesis/extra.bib',
      '/w/shared/method.bib',
    ]);
  });
  it('walks each file once even when files include each other', () => {
    const loop = new Map([['/a.tex', '\\documentclass{x}\\input{b}'], ['/b.tex', '\\input{a}']]);
    assert.deepEqual(includeTree('/a.tex', loop), ['/a.tex', '/b.tex']);
  });
});
