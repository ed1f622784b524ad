/** The styles part, read for the one thing cells need from it: which styles show a number as a date. */
import { scan } from './xlsxParts';
import { attributesOf } from './xmlScanner';
import type { ZipEntry } from './zip';

/** Built-in number formats that show dates (ECMA-376 §18.8.30, with the CJK locales' 27–36, 50–58). */
const BUILT_IN_DATE_FORMATS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58,
]);

/** A number format showing a date or time: exceljs' rule (quoted text and [colours] aside). */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** Which cell styles (by index) format numbers as dates. */
export async function readStyles(bytes: Buffer, entry: ZipEntry | undefined): Promise<boolean[]> {
  if (entry === undefined) return [];
  const custom = new Map<number, string>();
  const formats: number[] = [];
  let inCellXfs = false;
  await scan(bytes, entry, {
    open(name, raw) {
      if (name === 'numFmt') {
        const attributes = attributesOf(raw);
        custom.set(Number(attributes.get('numFmtId')), attributes.get('formatCode') ?? '');
      } else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) formats.push(Number(attributesOf(raw).get('numFmtId') ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
    text() {},
  });
  return formats.map((id) => {
    const code = custom.get(id);
    return code === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormat(code);
  });
}
