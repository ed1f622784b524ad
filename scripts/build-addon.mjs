// Bundles the Apps Script add-on (sheets-addon/src/main.ts with shared/ and zod) into one script,
// sheets-addon/dist/Code.js, next to appsscript.json and the HTML pages: the folder `clasp push`
// uploads (sheets-addon/.clasp.json.example sets rootDir to dist).
//
//   node scripts/build-addon.mjs [--outdir DIR]        (default sheets-addon/dist)
//
// Apps Script calls only top-level functions (menus, simple triggers, google.script.run), so the
// bundle is an IIFE assigned to `var Gongjian`, followed by one `function name() {…}` declaration
// per export of main.ts, generated from the module's export list.
//
// GONGJIAN_URL_FETCH_WHITELIST (comma-separated https prefixes, each ending in "/") adds
// `urlFetchWhitelist` to the manifest: required for a published add-on, optional in tests.

import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'sheets-addon');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = resolve(root, values.outdir ?? 'sheets-addon/dist');
const entry = join(source, 'src/main.ts');
const GLOBAL_NAME = 'Gongjian';

/** Options both passes share: no Node built-ins can resolve on the neutral platform. */
const common = {
  absWorkingDir: root,
  entryPoints: [entry],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  target: 'es2019',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'warning',
};

// Every page is built from one skeleton, partials/page.html: the doctype, the <head> with the
// shared stylesheet and helpers, the payload, and the function a page's script runs in are written
// there once, and a page's source holds only its own pieces — its <style> (optional), its markup and
// its <script>, in that order, the tags alone on their lines. The skeleton's
// `<!-- include partials/NAME.html… -->` lines are replaced by those partials. Done here rather
// than with Apps Script's `<?!= include() ?>` idiom: the pushed pages stay plain templates with no
// unescaped scriptlet and no server round trip, and a page missing a piece, or a missing partial,
// fails the build — before the output folder is touched — not a dialog in a user's hands.
const SKELETON = 'partials/page.html';
// The skeleton's three slots, each a line of its own: the page's <style>, its markup, and the
// statements of its <script>.
const SLOT = /^([ \t]*)(?:<!-- page (style|body) -->|\/\* page (script) \*\/)\n/gm;
const INCLUDE = /^<!-- include (partials\/[\w-]+\.html)\b.*-->\n/gm;

function fail(message) {
  console.error(`build-addon: ${message}`);
  process.exit(1);
}

async function withPartials(name, text) {
  const partials = new Map();
  for (const [, partial] of text.matchAll(INCLUDE)) {
    try {
      partials.set(partial, await readFile(join(source, 'src', partial), 'utf8'));
    } catch {
      fail(`${name} includes ${partial}, which sheets-addon/src does not have`);
    }
  }
  return text.replace(INCLUDE, (_line, partial) => partials.get(partial));
}

/** A page's source cut into the pieces the skeleton takes; anything else fails the build, naming it. */
function pagePieces(page, text) {
  const own = /<!DOCTYPE|<(?:html|head|body)\b|<!-- include/i.exec(text);
  if (own)
    fail(
      `${page} still has ${own[0]}…, which ${SKELETON} gives every page: a page is its <style>, markup and <script>`,
    );
  const last = /\n<script>\n([\s\S]*?\n)<\/script>\n$/.exec(text);
  if (!last)
    fail(`${page} does not end with its <script> (the tags alone on their lines), which ${SKELETON} runs`);
  const first = /^<style>\n([\s\S]*?\n)<\/style>\n/.exec(text);
  const body = `${text.slice(first ? first[0].length : 0, last.index).trim()}\n`;
  if (body.trim() === '') fail(`${page} has no markup between its <style> and its <script>`);
  const stray = /<\/?(?:script|style)\b/i.exec(body) ?? /<\/?script\b/i.exec(last[1]);
  if (stray)
    fail(
      `${page} has a ${stray[0]} outside its pieces: a page has one <style>, first, and one <script>, last`,
    );
  return { style: first ? `<style>\n${first[1]}</style>\n` : '', body, script: last[1] };
}

/** The lines of `text` moved to `indent`, keeping how they are indented among themselves. */
function indented(text, indent) {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const margin = Math.min(...lines.map((line) => line.length - line.trimStart().length));
  return text.replace(/^.+$/gm, (line) => (line.trim() === '' ? '' : indent + line.slice(margin)));
}

const skeleton = await withPartials(SKELETON, await readFile(join(source, 'src', SKELETON), 'utf8'));
const slots = [...skeleton.matchAll(SLOT)].map((slot) => slot[2] ?? slot[3]);
for (const piece of ['style', 'body', 'script']) {
  const found = slots.filter((slot) => slot === piece).length;
  if (found !== 1) fail(`${SKELETON} must have one ${piece} slot, not ${found}`);
}

const pages = (await readdir(join(source, 'src'))).filter((file) => file.endsWith('.html')).sort();
const built = new Map();
for (const page of pages) {
  const pieces = pagePieces(page, await readFile(join(source, 'src', page), 'utf8'));
  built.set(
    page,
    skeleton.replace(SLOT, (_line, indent, markup, script) => indented(pieces[markup ?? script], indent)),
  );
}

// Pass 1: the export names of main.ts (esbuild lists them for ESM output only).
const probe = await build({ ...common, format: 'esm', write: false, metafile: true, outdir });
const exportNames = Object.values(probe.metafile.outputs).flatMap((output) => output.exports ?? []);
const problems = exportNames.filter((name) => !/^[A-Za-z][A-Za-z0-9]*$/.test(name));
if (exportNames.length === 0 || problems.length > 0) {
  // A trailing underscore would make a function private to Apps Script (google.script.run refuses it).
  console.error(
    `build-addon: main.ts must export plain function names; got ${exportNames.join(', ') || 'none'}`,
  );
  process.exit(1);
}

const footer = [
  '// Apps Script entry points: top-level declarations, one per export of sheets-addon/src/main.ts.',
  ...exportNames.map(
    (name) => `function ${name}() { return ${GLOBAL_NAME}.${name}.apply(this, arguments); }`,
  ),
].join('\n');

await mkdir(outdir, { recursive: true });
for (const file of await readdir(outdir)) {
  if (/\.(?:js|gs|html|json)$/.test(file)) await rm(join(outdir, file), { force: true });
}

const script = join(outdir, 'Code.js');
await build({
  ...common,
  format: 'iife',
  globalName: GLOBAL_NAME,
  outfile: script,
  banner: {
    js: '// 共建助手 add-on — generated by scripts/build-addon.mjs from sheets-addon/src; do not edit.',
  },
  footer: { js: footer },
});

const manifest = JSON.parse(await readFile(join(source, 'appsscript.json'), 'utf8'));
const whitelist = (process.env.GONGJIAN_URL_FETCH_WHITELIST ?? '')
  .split(',')
  .map((prefix) => prefix.trim())
  .filter((prefix) => prefix !== '');
const badPrefix = whitelist.find((prefix) => !/^https:\/\/[^/]+\/.*$/.test(prefix));
if (badPrefix) {
  console.error(
    `build-addon: GONGJIAN_URL_FETCH_WHITELIST entries must be https prefixes with a path ("https://host/…"): ${badPrefix}`,
  );
  process.exit(1);
}
if (whitelist.length > 0) manifest.urlFetchWhitelist = whitelist;
await writeFile(join(outdir, 'appsscript.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const [page, html] of built) await writeFile(join(outdir, page), html);

const bytes = (await stat(script)).size;
console.log(
  `add-on bundle: ${relative(root, script)} ${(bytes / 1024).toFixed(1)} KiB; ` +
    `globals: ${exportNames.join(', ')}; pages: ${pages.join(', ')}`,
);
