/**
 * The programs people open our documents with, driven from tests: LibreOffice turns a .docx into a
 * PDF, poppler reads its text and renders its pages. A missing program fails the suite with the
 * Debian package to install — never a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { unzipSync } from 'fflate';

const INSTALL_HINTS: Record<string, string> = {
  soffice: 'apt-get install libreoffice-writer-nogui',
  pdftotext: 'apt-get install poppler-utils',
};

/** Throws with the install hint when a program is not on PATH. */
export function requireProgram(program: keyof typeof INSTALL_HINTS): void {
  const found = spawnSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`${program} is not installed; the document tests need it: ${INSTALL_HINTS[program]}`);
  }
}

/** Throws with the install hint when fontconfig knows no Chinese font (LibreOffice would draw boxes). */
export function requireChineseFont(): void {
  const fonts = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (fonts.status !== 0 || fonts.stdout.trim() === '') {
    throw new Error(
      'No Chinese font is installed; the document tests need one: apt-get install fonts-noto-cjk',
    );
  }
}

/**
 * Converts a document to PDF in `dir` with LibreOffice and returns the PDF's path. Each call uses
 * its own LibreOffice profile under `dir`, so parallel suites (and people) never share one.
 */
export function convertToPdf(document: string, dir: string): string {
  requireProgram('soffice');
  requireChineseFont();
  execFileSync(
    'soffice',
    [
      `-env:UserInstallation=${pathToFileURL(join(dir, 'lo-profile')).href}`,
      '--headless',
      '--convert-to',
      'pdf',
      '--outdir',
      dir,
      document,
    ],
    { stdio: 'pipe', timeout: 120_000 },
  );
  return join(dir, `${basename(document, extname(document))}.pdf`);
}

/** The PDF's text as pdftotext extracts it. */
export function pdfText(pdf: string): string {
  requireProgram('pdftotext');
  return execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
}

/** The number of pages of a PDF, from its text's form feeds. */
export function pdfPages(text: string): number {
  return text.split('\f').filter((page) => page.trim() !== '').length;
}

/** The text of one part of an Office Open XML package (`word/document.xml`). */
export function packagePart(file: string, part: string): string {
  const entry = unzipSync(readFileSync(file), { filter: (f) => f.name === part })[part];
  if (!entry) throw new Error(`${part} is not in ${file}`);
  return new TextDecoder().decode(entry);
}

/** Text with every kind of whitespace removed: wrapped lines of a PDF read as one. */
export function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}
