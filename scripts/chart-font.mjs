// Regenerates adapters/charts/font.ts: the chart font, a subset of Noto Sans SC (SIL Open Font
// License 1.1) reduced to the characters the charts can draw (CHART_CHARACTERS in shared/charts.ts)
// and renamed, as the licence asks of a modified version ("Noto Sans" is a Reserved Font Name).
// Cloud Functions has no Chinese fonts, so the pictures carry their own; the subset keeps the
// deploy bundle small. Run it after changing the charts' labels:
//
//   npm pack @embedpdf/fonts-sc@1.0.0 && tar xzf embedpdf-fonts-sc-1.0.0.tgz package/fonts/NotoSansHans-Regular.otf
//   node scripts/chart-font.mjs package/fonts/NotoSansHans-Regular.otf
//
// (any Noto Sans SC / Noto Sans CJK SC .otf or .ttf does). harfbuzz (subset-font, a devDependency)
// subsets it, keeping its CFF outlines; the name table is then rewritten here.

import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import subsetFont from 'subset-font';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = process.argv[2];
if (!source) {
  console.error('usage: node scripts/chart-font.mjs path/to/NotoSansSC-Regular.otf');
  process.exit(2);
}

// The characters come from the charts module itself, so the font cannot drift from the labels.
const bundled = await build({
  entryPoints: [resolve(root, 'shared/charts.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
});
const charts = await import(
  `data:text/javascript;base64,${Buffer.from(bundled.outputFiles[0].text).toString('base64')}`
);
const characters = charts.CHART_CHARACTERS;
const family = charts.CHART_FONT_FAMILY;

const subset = await subsetFont(await readFile(source), characters, { targetFormat: 'sfnt' });

// ── the name table ──────────────────────────────────────────────────────────────────────────

/** Big-endian sfnt tables: tag → bytes. */
function readTables(font) {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const count = view.getUint16(4);
  const tables = new Map();
  for (let i = 0; i < count; i++) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(...font.subarray(at, at + 4));
    const offset = view.getUint32(at + 8);
    const length = view.getUint32(at + 12);
    tables.set(tag, font.subarray(offset, offset + length));
  }
  return { flavour: view.getUint32(0), tables };
}

function checksum(bytes) {
  const padded = new Uint8Array((bytes.length + 3) & ~3);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  let sum = 0;
  for (let i = 0; i < padded.length; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  return sum;
}

/** A format-0 name table with Windows Unicode (3, 1, en-US) records. */
function nameTable(records) {
  const strings = records.map(([, text]) => {
    const bytes = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      bytes[i * 2] = text.charCodeAt(i) >> 8;
      bytes[i * 2 + 1] = text.charCodeAt(i) & 0xff;
    }
    return bytes;
  });
  const headerLength = 6 + records.length * 12;
  const table = new Uint8Array(headerLength + strings.reduce((n, b) => n + b.length, 0));
  const view = new DataView(table.buffer);
  view.setUint16(2, records.length);
  view.setUint16(4, headerLength);
  let offset = 0;
  records.forEach(([id], i) => {
    const at = 6 + i * 12;
    view.setUint16(at, 3);
    view.setUint16(at + 2, 1);
    view.setUint16(at + 4, 0x0409);
    view.setUint16(at + 6, id);
    view.setUint16(at + 8, strings[i].length);
    view.setUint16(at + 10, offset);
    table.set(strings[i], headerLength + offset);
    offset += strings[i].length;
  });
  return table;
}

/** The font again with its tables, offsets, checksums and head.checkSumAdjustment recomputed. */
function writeFont(flavour, tables) {
  const tags = [...tables.keys()].sort();
  const headerLength = 12 + tags.length * 16;
  let length = headerLength;
  const offsets = tags.map((tag) => {
    const at = length;
    length += (tables.get(tag).length + 3) & ~3;
    return at;
  });
  const font = new Uint8Array(length);
  const view = new DataView(font.buffer);
  const power = 2 ** Math.floor(Math.log2(tags.length));
  view.setUint32(0, flavour);
  view.setUint16(4, tags.length);
  view.setUint16(6, power * 16);
  view.setUint16(8, Math.log2(power));
  view.setUint16(10, tags.length * 16 - power * 16);
  tags.forEach((tag, i) => {
    const bytes = tag === 'head' ? tables.get(tag).slice() : tables.get(tag);
    if (tag === 'head') new DataView(bytes.buffer).setUint32(8, 0);
    const at = 12 + i * 16;
    for (let k = 0; k < 4; k++) font[at + k] = tag.charCodeAt(k);
    view.setUint32(at + 4, checksum(bytes));
    view.setUint32(at + 8, offsets[i]);
    view.setUint32(at + 12, bytes.length);
    font.set(bytes, offsets[i]);
  });
  const head = offsets[tags.indexOf('head')];
  view.setUint32(head + 8, (0xb1b0afba - checksum(font)) >>> 0);
  return font;
}

const { flavour, tables } = readTables(new Uint8Array(subset));
const postScript = `${family.replace(/\s+/g, '')}-Regular`;
tables.set(
  'name',
  nameTable([
    [0, 'Copyright 2014-2021 Adobe (http://www.adobe.com/), Google Inc. Subset of Noto Sans SC.'],
    [1, family],
    [2, 'Regular'],
    [3, `${postScript};subset of Noto Sans SC`],
    [4, family],
    [5, 'Version 1.0'],
    [6, postScript],
    [13, 'This Font Software is licensed under the SIL Open Font License, Version 1.1.'],
    [14, 'https://openfontlicense.org'],
  ]),
);
const bytes = writeFont(flavour, tables);
const base64 = Buffer.from(bytes).toString('base64');

await writeFile(
  resolve(root, 'adapters/charts/font.ts'),
  `/**
 * Generated by scripts/chart-font.mjs — do not edit. The chart font "${family}": a subset of
 * Noto Sans SC (Copyright 2014-2021 Adobe, Google; SIL Open Font License 1.1, see OFL.txt beside
 * this file), renamed, with the ${[...characters].length} characters the charts draw.
 */
export const CHART_FONT_BASE64 =
  '${base64}';
`,
);
console.log(`chart font: ${[...characters].length} characters, ${bytes.byteLength} bytes`);
