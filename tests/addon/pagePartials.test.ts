/**
 * The add-on's pages are built from one skeleton, sheets-addon/src/partials/page.html, which
 * scripts/build-addon.mjs fills with each page's own <style>, markup and <script> and whose include
 * lines it inlines (the shared head, the payload script): what clasp pushes is whole pages, each
 * with the skeleton once and no slot or include line left for Apps Script to print as a comment or
 * choke on. A page that misses a piece, or still carries the skeleton, fails the build.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SOURCE = join(ROOT, 'sheets-addon/src');
const scratches: string[] = [];
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gongjian-addon-pages-'));
  scratches.push(outdir);
  execFileSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', outdir], { cwd: ROOT });
});
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

const sourcePages = () => readdirSync(SOURCE).filter((file) => file.endsWith('.html'));
const built = (page: string) => readFileSync(join(outdir, page), 'utf8');
/** What stands between the tags of a page source's top-level element, as the source has it. */
const piece = (source: string, tag: 'style' | 'script') =>
  new RegExp(`^<${tag}>\\n([\\s\\S]*?\\n)</${tag}>\\n`, 'm').exec(source)?.[1] ?? '';
/** The lines of a piece, trimmed: the build moves them to the skeleton's indentation. */
const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

describe('the built pages', () => {
  it('are every page of sheets-addon/src, each the whole skeleton once with no slot or include line left', () => {
    const pages = readdirSync(outdir).filter((file) => file.endsWith('.html'));
    expect(pages.sort()).toEqual(sourcePages().sort());
    for (const page of pages) {
      const html = built(page);
      expect(html.startsWith('<!DOCTYPE html>\n<html lang="zh-CN">\n'), page).toBe(true);
      for (const tag of ['<!DOCTYPE', '<html', '<head>', '</head>', '<body>', '</body>', '</html>']) {
        expect(html.split(tag).length - 1, `${page} ${tag}`).toBe(1);
      }
      expect(html, page).not.toMatch(/<!-- include|<!-- page (?:style|body) -->|\/\* page script \*\//);
    }
  });

  it('each carry the shared head once, inside <head>, before the page’s own <style>', () => {
    const head = readFileSync(join(SOURCE, 'partials/dialogHead.html'), 'utf8');
    for (const page of sourcePages()) {
      const html = built(page);
      const style = lines(piece(readFileSync(join(SOURCE, page), 'utf8'), 'style'));
      expect(html.split(head).length - 1, page).toBe(1);
      expect(html.indexOf(head), page).toBeGreaterThan(html.indexOf('<head>'));
      if (style.length === 0) continue;
      const own = html.indexOf(`<style>\n      ${style[0]}`);
      expect(own, page).toBeGreaterThan(html.indexOf(head));
      expect(own, page).toBeLessThan(html.indexOf('</head>'));
    }
  });

  it('read the payload in the shared script, after the element holding it', () => {
    for (const page of sourcePages()) {
      const html = built(page);
      const element = html.indexOf('<div id="payload" hidden data-payload="<?= payload ?>"></div>');
      const read = html.indexOf("var data = JSON.parse(document.getElementById('payload')");
      expect(element, page).toBeGreaterThan(html.indexOf('<body>'));
      expect(read, page).toBeGreaterThan(element);
      expect(html.lastIndexOf('var data = JSON.parse'), page).toBe(read);
    }
  });

  it('run the page’s script, whole and last, in a function of its own after the page’s markup', () => {
    for (const page of sourcePages()) {
      const html = built(page);
      const script = lines(piece(readFileSync(join(SOURCE, page), 'utf8'), 'script'));
      const body = html.slice(html.indexOf('<body>'), html.indexOf('</body>'));
      const run =
        /<script>\n(?:\s*\/\/.*\n)*\s*\(\(\) => \{\n([\s\S]*?\n)\s*\}\)\(\);\n\s*<\/script>\n\s*$/.exec(body);
      expect(run, page).not.toBeNull();
      expect(lines(run?.[1] ?? ''), page).toEqual(script);
      expect(body.indexOf('<form') < 0 || body.indexOf('<form') < (run?.index ?? 0), page).toBe(true);
    }
  });
});

/**
 * The build of a scratch copy of the add-on (scripts/, sheets-addon/, shared/, the tsconfig, the
 * repository's node_modules) after `change` has edited its sources; a page is checked before anything is bundled.
 */
function buildScratch(change: (src: string) => void): { status: number | null; stderr: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gongjian-addon-skeleton-'));
  scratches.push(dir);
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(ROOT, 'scripts/build-addon.mjs'), join(dir, 'scripts/build-addon.mjs'));
  cpSync(join(ROOT, 'sheets-addon/appsscript.json'), join(dir, 'sheets-addon/appsscript.json'));
  cpSync(SOURCE, join(dir, 'sheets-addon/src'), { recursive: true });
  cpSync(join(ROOT, 'shared'), join(dir, 'shared'), { recursive: true });
  cpSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  change(join(dir, 'sheets-addon/src'));
  const out = join(dir, 'out');
  const run = spawnSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', out], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { status: run.status, stderr: run.stderr, out };
}

/** Replaces `from` (which must be there) in a scratch source file. */
function edit(src: string, file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(join(src, file), 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: nothing matched ${String(from)}`);
  writeFileSync(join(src, file), next);
}

describe('the build refuses', () => {
  it.each([
    [
      'a page without its <script>',
      (src: string) => edit(src, 'RevokeLinks.html', /\n<script>\n[\s\S]*<\/script>\n$/, '\n'),
      'build-addon: RevokeLinks.html does not end with its <script>',
    ],
    [
      'a page that still writes the skeleton itself',
      (src: string) => edit(src, 'Ledger.html', /^/, '<!DOCTYPE html>\n<html lang="zh-CN">\n<head></head>\n'),
      'build-addon: Ledger.html still has <!DOCTYPE…, which partials/page.html gives every page',
    ],
    [
      'a page with a second <script>, which would run outside its function',
      (src: string) => edit(src, 'Settings.html', '</form>\n', '</form>\n<script>var leaked = 1;</script>\n'),
      'build-addon: Settings.html has a <script outside its pieces',
    ],
    [
      'a page with nothing but its <style> and <script>',
      (src: string) => edit(src, 'RevokeLinks.html', /<form id="form">[\s\S]*<\/form>\n/, ''),
      'build-addon: RevokeLinks.html has no markup between its <style> and its <script>',
    ],
    [
      'a skeleton without the slot for the page’s markup',
      (src: string) => edit(src, 'partials/page.html', /^ *<!-- page body -->\n/m, ''),
      'build-addon: partials/page.html must have one body slot, not 0',
    ],
    [
      'a skeleton including a partial that is not there',
      (src: string) => edit(src, 'partials/page.html', 'partials/pagePayload.html', 'partials/payload.html'),
      'build-addon: partials/page.html includes partials/payload.html, which sheets-addon/src does not have',
    ],
  ])('%s, saying which, before writing anything', (_what, change, message) => {
    const run = buildScratch(change);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(message);
    expect(existsSync(run.out)).toBe(false);
  });
});

describe('the build accepts', () => {
  it('a page without a <style> of its own: its head has the shared rules only', () => {
    const run = buildScratch((src) => edit(src, 'RevokeLinks.html', /^<style>\n[\s\S]*?<\/style>\n/, ''));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const html = readFileSync(join(run.out, 'RevokeLinks.html'), 'utf8');
    const head = html.slice(html.indexOf('<head>'), html.indexOf('</head>'));
    expect(head.split('<style>\n').length - 1).toBe(1);
    expect(html).toContain('run.revokeUpdateLinks(');
  }, 60_000);
});
