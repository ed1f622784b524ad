/**
 * Loading .xlsx files that other programs wrote into exceljs 4.4 (no longer maintained), mended
 * around it rather than by forking it.
 *
 * exceljs finds a sheet's notes only where Excel, LibreOffice and exceljs itself put them —
 * `xl/commentsN.xml` and `xl/drawings/vmlDrawingN.vml`, named relative to the sheet
 * (`../comments1.xml`). openpyxl writes `xl/comments/comment1.xml` and
 * `xl/drawings/commentsDrawing1.vml` and names every part absolutely (`/xl/comments/comment1.xml`);
 * exceljs then fails with "Cannot read properties of undefined (reading 'comments')" — on any
 * workbook with notes that openpyxl re-saved, and our issue marks are notes. Such a package is
 * rewritten in memory before exceljs reads it: note parts moved to the names exceljs knows and every
 * internal target made relative. openpyxl also writes drawings (our 汇总 charts) in the default
 * namespace (`<wsDr xmlns="…spreadsheetDrawing">`), where exceljs matches the prefixed tag names
 * Excel writes (`<xdr:wsDr>`) and so finds no drawing at all ("reading 'anchors'"); such a drawing
 * gets the prefix. A package that needs none of this is loaded as it is.
 */
import type ExcelJS from 'exceljs';
import JSZip from 'jszip';

/** Loads the bytes of an .xlsx file into the workbook, mending openpyxl's part names first. */
export async function loadXlsxBytes(workbook: ExcelJS.Workbook, bytes: Buffer): Promise<void> {
  const mended = needsMending(bytes) ? await mendPartNames(bytes) : bytes;
  // exceljs types its input as its own Buffer interface; a Node Buffer is what it expects.
  await workbook.xlsx.load(mended as unknown as ExcelJS.Buffer);
}

/** Part names are stored as plain bytes in a zip's headers: a look, not a parse. */
function needsMending(bytes: Buffer): boolean {
  return (
    bytes.includes('xl/comments/') ||
    bytes.includes('xl/drawings/commentsDrawing') ||
    bytes.includes('xl/drawings/drawing')
  );
}

const SPREADSHEET_DRAWING = 'http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing';
/** The root of a drawing written in the default namespace, as openpyxl writes it. */
const UNPREFIXED_DRAWING = new RegExp(`<wsDr\\b[^>]*\\bxmlns="${SPREADSHEET_DRAWING}"`);

/** Gives the default-namespace elements of such a drawing the `xdr:` prefix exceljs matches. */
function prefixDrawing(xml: string): string {
  return xml
    .replace(`xmlns="${SPREADSHEET_DRAWING}"`, `xmlns:xdr="${SPREADSHEET_DRAWING}"`)
    .replace(/<(\/?)(?![A-Za-z][\w.-]*:)([A-Za-z][\w.-]*)/g, '<$1xdr:$2');
}

const RELATIONSHIP = /<Relationship\b[^>]*>/g;
const attribute = (element: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];

async function mendPartNames(bytes: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(bytes);
  let changed = false;
  let comments = 0;
  let drawings = 0;
  for (const name of Object.keys(zip.files).filter((n) => /^xl\/drawings\/[^/]+\.xml$/.test(n))) {
    const xml = await zip.file(name)?.async('string');
    if (xml === undefined || !UNPREFIXED_DRAWING.test(xml)) continue;
    zip.file(name, prefixDrawing(xml));
    changed = true;
  }
  const relsFiles = Object.keys(zip.files).filter((name) =>
    /^xl\/(worksheets|drawings)\/_rels\/[^/]+\.rels$/.test(name),
  );
  for (const relsName of relsFiles) {
    const file = zip.file(relsName);
    if (!file) continue;
    const xml = await file.async('string');
    const moves: Promise<void>[] = [];
    const rewritten = xml.replace(RELATIONSHIP, (element) => {
      const target = attribute(element, 'Target');
      const type = attribute(element, 'Type') ?? '';
      if (target === undefined || attribute(element, 'TargetMode') === 'External') return element;
      // Worksheets and drawings both live one folder below xl/.
      const part = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\.\//, '')}`;
      let renamed = part;
      if (type.endsWith('/comments') && !/^xl\/comments\d+\.xml$/.test(part)) {
        renamed = `xl/comments${9000 + ++comments}.xml`;
      } else if (type.endsWith('/vmlDrawing') && !/^xl\/drawings\/vmlDrawing\d+\.vml$/.test(part)) {
        renamed = `xl/drawings/vmlDrawing${9000 + ++drawings}.vml`;
      }
      if (renamed !== part) moves.push(movePart(zip, part, renamed));
      return element.replace(/\bTarget="[^"]*"/, `Target="../${renamed.slice('xl/'.length)}"`);
    });
    await Promise.all(moves);
    if (rewritten !== xml) {
      zip.file(relsName, rewritten);
      changed = true;
    }
  }
  return changed ? zip.generateAsync({ type: 'nodebuffer' }) : bytes;
}

async function movePart(zip: JSZip, from: string, to: string): Promise<void> {
  const file = zip.file(from);
  if (!file) return;
  zip.file(to, await file.async('uint8array'));
  zip.remove(from);
}
