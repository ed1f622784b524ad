/**
 * The add-on's pages share their <head> and their payload script through partials that
 * scripts/build-addon.mjs inlines: what clasp pushes is whole pages, each with the shared head
 * once and no include line left for Apps Script to print as a comment or choke on.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gongjian-addon-pages-'));
  execFileSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', outdir], { cwd: ROOT });
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('the built pages', () => {
  it('each carry the shared head once, inside <head>, and no include line', () => {
    const head = readFileSync(join(ROOT, 'sheets-addon/src/partials/dialogHead.html'), 'utf8');
    const pages = readdirSync(outdir).filter((file) => file.endsWith('.html'));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const page of pages) {
      const html = readFileSync(join(outdir, page), 'utf8');
      expect(html, page).not.toContain('<!-- include');
      expect(html.split(head).length - 1, page).toBe(1);
      expect(html.indexOf(head), page).toBeGreaterThan(html.indexOf('<head>'));
      expect(html.indexOf(head), page).toBeLessThan(html.indexOf('</head>'));
    }
  });

  it('read the payload in the shared script, after the element holding it', () => {
    for (const page of ['AddActivity', 'Issues', 'SendRequests', 'Settings']) {
      const html = readFileSync(join(outdir, `${page}.html`), 'utf8');
      const element = html.indexOf('<div id="payload" hidden data-payload="<?= payload ?>"></div>');
      const read = html.indexOf("var data = JSON.parse(document.getElementById('payload')");
      expect(element, page).toBeGreaterThan(0);
      expect(read, page).toBeGreaterThan(element);
      expect(html.lastIndexOf('var data = JSON.parse'), page).toBe(read);
    }
  });
});
