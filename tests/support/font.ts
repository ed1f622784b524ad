/**
 * Reads what a font file says about itself — the characters its cmap maps and its family name —
 * straight from the sfnt tables (OpenType spec: table directory, cmap formats 4 and 12, name), so
 * the test does not trust the library that made the font.
 */

function tables(font: Uint8Array): Map<string, DataView> {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const found = new Map<string, DataView>();
  for (let i = 0; i < view.getUint16(4); i++) {
    const at = 12 + i * 16;
    const tag = String.fromCharCode(...font.subarray(at, at + 4));
    found.set(
      tag,
      new DataView(font.buffer, font.byteOffset + view.getUint32(at + 8), view.getUint32(at + 12)),
    );
  }
  return found;
}

/** Every code point the font's Unicode cmap maps to a glyph other than .notdef. */
export function mappedCodePoints(font: Uint8Array): Set<number> {
  const cmap = tables(font).get('cmap');
  if (!cmap) throw new Error('no cmap table');
  const mapped = new Set<number>();
  for (let i = 0; i < cmap.getUint16(2); i++) {
    const platform = cmap.getUint16(4 + i * 8);
    const offset = cmap.getUint32(4 + i * 8 + 4);
    if (platform !== 0 && platform !== 3) continue;
    const format = cmap.getUint16(offset);
    if (format === 4) {
      const segments = cmap.getUint16(offset + 6) / 2;
      const ends = offset + 14;
      const starts = ends + segments * 2 + 2;
      const deltas = starts + segments * 2;
      const rangeOffsets = deltas + segments * 2;
      for (let s = 0; s < segments; s++) {
        const end = cmap.getUint16(ends + s * 2);
        const start = cmap.getUint16(starts + s * 2);
        const delta = cmap.getInt16(deltas + s * 2);
        const rangeOffset = cmap.getUint16(rangeOffsets + s * 2);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          let glyph: number;
          if (rangeOffset === 0) glyph = (c + delta) & 0xffff;
          else {
            const raw = cmap.getUint16(rangeOffsets + s * 2 + rangeOffset + (c - start) * 2);
            glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
          }
          if (glyph !== 0) mapped.add(c);
        }
      }
    } else if (format === 12) {
      const groups = cmap.getUint32(offset + 12);
      for (let g = 0; g < groups; g++) {
        const at = offset + 16 + g * 12;
        const start = cmap.getUint32(at);
        const end = cmap.getUint32(at + 4);
        const glyph = cmap.getUint32(at + 8);
        for (let c = start; c <= end; c++) if (glyph + (c - start) !== 0) mapped.add(c);
      }
    }
  }
  return mapped;
}

/** The font's family name (name ID 1), from its Windows Unicode record. */
export function familyName(font: Uint8Array): string | undefined {
  const name = tables(font).get('name');
  if (!name) return undefined;
  const strings = name.getUint16(4);
  for (let i = 0; i < name.getUint16(2); i++) {
    const at = 6 + i * 12;
    if (name.getUint16(at) !== 3 || name.getUint16(at + 6) !== 1) continue;
    const length = name.getUint16(at + 8);
    const offset = strings + name.getUint16(at + 10);
    let text = '';
    for (let k = 0; k < length; k += 2) text += String.fromCharCode(name.getUint16(offset + k));
    return text;
  }
  return undefined;
}
