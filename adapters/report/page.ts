/**
 * The page setup every document of ours shares (the year-end summary, the activity ledger), after
 * GB/T 9704-2012 (党政机关公文格式): A4, margins 37/35/28/26 mm, title 方正小标宋简体 二号, body
 * 仿宋_GB2312 三号 on a fixed 28.95 pt line (22 lines a page), headings 黑体 (一、) and 楷体_GB2312
 * (（一）), page numbers 「— 1 —」 in 宋体 四号, odd pages right and even pages left. One home: a
 * document that looks like an office's own is laid out here, so two documents of one office never
 * differ in their margins or fonts. Fonts are named, never embedded (they are proprietary); the
 * font table gives each an alternative name and the GB2312 charset so Word and WPS fall back to a
 * Chinese font of the same kind where the named one is missing.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  type FileChild,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  TextRun,
} from 'docx';

/** Twentieths of a point per millimetre. */
const TWIPS_PER_MM = 1440 / 25.4;
export const mm = (value: number) => Math.round(value * TWIPS_PER_MM);

/** Page and margins (GB/T 9704-2012 §5.2). */
export const PAGE = {
  width: mm(210),
  height: mm(297),
  top: mm(37),
  bottom: mm(35),
  left: mm(28),
  right: mm(26),
};

/** Font sizes in half-points: 二号 22 pt, 三号 16 pt, 四号 14 pt, 小四 12 pt (captions), 五号 10.5 pt (tables). */
export const SIZES = { title: 44, body: 32, pageNumber: 28, caption: 24, table: 21 };

/** Table lines: 15 pt for 五号 text. */
export const TABLE_LINE = { line: 300, lineRule: LineRuleType.EXACT, before: 0, after: 0 };

/** 28.95 pt: 22 lines of 三号 on the 225 mm type area. */
export const LINE_TWIPS = 579;

/** The fonts by role: East Asian face, its fallback name, and the Latin face beside it. */
export const FONTS = {
  title: { eastAsia: '方正小标宋简体', altName: '宋体', latin: 'Times New Roman' },
  body: { eastAsia: '仿宋_GB2312', altName: '仿宋', latin: 'Times New Roman' },
  heading1: { eastAsia: '黑体', altName: 'SimHei', latin: 'Times New Roman' },
  heading2: { eastAsia: '楷体_GB2312', altName: '楷体', latin: 'Times New Roman' },
  pageNumber: { eastAsia: '宋体', altName: 'SimSun', latin: 'Times New Roman' },
} as const;
type FontRole = keyof typeof FONTS;

export const runFont = (role: FontRole) => {
  const f = FONTS[role];
  return { ascii: f.latin, hAnsi: f.latin, cs: f.latin, eastAsia: f.eastAsia };
};

/** Exact line spacing: GB/T 9704 counts lines, so the body never grows with its content. */
export const EXACT = { line: LINE_TWIPS, lineRule: LineRuleType.EXACT, before: 0, after: 0 };

/** Width of the type area (156 mm) in twips. */
export const TYPE_AREA = PAGE.width - PAGE.left - PAGE.right;

/** Two characters of 三号: the first-line indent of body text and headings. */
export const INDENT = SIZES.body * 20;

/**
 * Paragraph styles carry the fonts and spacing, so staff who edit the document change a style, not
 * every paragraph — and a long appendix stays quick to write.
 */
export const STYLE = {
  title: 'GjTitle',
  heading1: 'GjHeading1',
  heading2: 'GjHeading2',
  body: 'GjBody',
  caption: 'GjCaption',
  cell: 'GjCell',
  cellHead: 'GjCellHead',
} as const;

const paragraphStyles = [
  {
    id: STYLE.title,
    name: '公文标题',
    run: { font: runFont('title'), size: SIZES.title },
    paragraph: {
      alignment: AlignmentType.CENTER,
      spacing: { line: 700, lineRule: LineRuleType.EXACT, before: 0, after: LINE_TWIPS },
    },
  },
  {
    id: STYLE.heading1,
    name: '一级标题（黑体）',
    run: { font: runFont('heading1'), size: SIZES.body },
    paragraph: { spacing: EXACT, indent: { firstLine: INDENT }, keepNext: true, outlineLevel: 0 },
  },
  {
    id: STYLE.heading2,
    name: '二级标题（楷体）',
    run: { font: runFont('heading2'), size: SIZES.body },
    paragraph: { spacing: EXACT, indent: { firstLine: INDENT }, keepNext: true, outlineLevel: 1 },
  },
  {
    id: STYLE.body,
    name: '公文正文',
    run: { font: runFont('body'), size: SIZES.body },
    paragraph: { spacing: EXACT, alignment: AlignmentType.JUSTIFIED, indent: { firstLine: INDENT } },
  },
  {
    id: STYLE.caption,
    name: '图表标题',
    run: { font: runFont('heading1'), size: SIZES.caption },
    paragraph: { spacing: EXACT, alignment: AlignmentType.CENTER, keepNext: true },
  },
  {
    id: STYLE.cell,
    name: '表格文字',
    run: { font: runFont('body'), size: SIZES.table },
    paragraph: { spacing: TABLE_LINE },
  },
  {
    id: STYLE.cellHead,
    name: '表头文字',
    run: { font: runFont('heading1'), size: SIZES.table },
    paragraph: {
      spacing: TABLE_LINE,
      alignment: AlignmentType.CENTER,
    },
  },
];

export const styled = (style: string, text: string, extra: object = {}) =>
  new Paragraph({ style, children: [new TextRun(text)], ...extra });

/** Table borders: a thin single line. */
export const THIN = { style: BorderStyle.SINGLE, size: 4, color: '000000' };

/** 「— 1 —」: odd pages at the right, even pages at the left, one character in from the edge. */
function pageNumberFooter(side: 'right' | 'left'): Footer {
  const font = { font: runFont('pageNumber'), size: SIZES.pageNumber };
  return new Footer({
    children: [
      new Paragraph({
        alignment: side === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === 'right' ? { right: SIZES.pageNumber * 10 } : { left: SIZES.pageNumber * 10 },
        children: [
          new TextRun({ text: '— ', ...font }),
          new TextRun({ children: [PageNumber.CURRENT], ...font }),
          new TextRun({ text: ' —', ...font }),
        ],
      }),
    ],
  });
}

/**
 * The font table, replacing the library's: each font with its alternative name, the GB2312
 * charset (86) and its family, which is what Word and WPS match on when a font is absent.
 */
function fontTable(): string {
  const family: Record<FontRole, string> = {
    title: 'roman',
    body: 'modern',
    heading1: 'modern',
    heading2: 'script',
    pageNumber: 'roman',
  };
  const fonts = (Object.keys(FONTS) as FontRole[]).map((role) => {
    const f = FONTS[role];
    return `<w:font w:name="${f.eastAsia}"><w:altName w:val="${f.altName}"/><w:charset w:val="86"/><w:family w:val="${family[role]}"/><w:pitch w:val="fixed"/></w:font>`;
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    `${fonts.join('')}<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>` +
    '</w:fonts>'
  );
}

/**
 * A document in this page setup: its styles, A4 section with the page numbers, and the font table.
 * Packs to .docx bytes; the caller gives the title (document properties) and the body.
 */
export function gbDocument(title: string, children: FileChild[]): Document {
  return new Document({
    creator: '共建助手',
    title,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: runFont('body'), size: SIZES.body, language: { value: 'zh-CN', eastAsia: 'zh-CN' } },
          paragraph: { spacing: EXACT },
        },
      },
      paragraphStyles,
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: {
              top: PAGE.top,
              bottom: PAGE.bottom,
              left: PAGE.left,
              right: PAGE.right,
              // The page number's rule sits 7 mm below the type area (GB/T 9704 §7.5).
              footer: PAGE.bottom - mm(7) - mm(5),
              header: mm(15),
            },
          },
        },
        footers: { default: pageNumberFooter('right'), even: pageNumberFooter('left') },
        children,
      },
    ],
  });
}

/** The document's .docx bytes, with our font table in place of the library's. */
export function packGbDocument(doc: Document): Promise<Buffer> {
  return Packer.toBuffer(doc, false, [{ path: 'word/fontTable.xml', data: fontTable() }]);
}
