import { CHART_COLOURS, type ChartColour } from '../charts';
import { escapeHtml } from '../markup';
import { textWidth } from '../widths';

/**
 * The layout of every email: a body is a list of plain-text blocks (paragraphs, label–value facts,
 * tables, a link button) rendered twice, as a small inline-styled HTML document and as aligned plain
 * text, so both parts always say the same thing. Blocks hold text only; the HTML renderer passes
 * every string through `escapeHtml`, and the attributes that carry a value — a button's href, a
 * figure's image source and alt text — only ever hold an http(s) URL (`safeLinkUrl`), a `cid:` of a
 * plain Content-ID (`safeContentId`) and escaped text, so nothing from a sheet can become markup,
 * a script link or a remote image. Pure: no I/O, no clock.
 */

/** How a cell is coloured in HTML (the plain text ignores it). */
export type Tone = 'danger' | 'warn' | 'ok' | 'muted';

/** A table cell: text, optionally coloured. */
export type BlockCell = string | { text: string; tone: Tone };

/** One block of an email body. */
export type Block =
  | { type: 'heading'; text: string }
  | { type: 'paragraph'; text: string }
  | { type: 'facts'; rows: [label: string, value: BlockCell][] }
  | {
      type: 'table';
      header: string[];
      rows: BlockCell[][];
      /** Indexes of right-aligned (numeric) columns. */
      numeric?: number[];
      /** Indexes of columns that must not wrap (dates, IDs). */
      nowrap?: number[];
      /** A last row in bold (合计). */
      footer?: BlockCell[];
      /** What is said instead of an empty table. */
      empty: string;
    }
  | ButtonBlock
  | BarsBlock
  | FigureBlock;

/**
 * A call to action: a large button opening `url` (the person's update link), the address written
 * out under it for mail apps that do not follow buttons, and in plain text the label and the URL.
 */
export interface ButtonBlock {
  type: 'button';
  label: string;
  url: string;
  /** A short line under the button (how long the link stays valid, that it is personal). */
  note?: string;
}

/**
 * A bar chart drawn with table cells (what Outlook's Word engine and QQ Mail render; no images, no
 * divs): a row per label, each with one or more series; a series is a bar of coloured segments whose
 * shares (0–1 of the full width) add up to at most 1, and the value written beside it.
 */
export interface BarsBlock {
  type: 'bars';
  header: string[];
  legend: { label: string; colour: ChartColour }[];
  rows: { label: string; series: { segments: { share: number; colour: ChartColour }[]; value: string }[] }[];
  empty: string;
}

/**
 * A picture attached to the message itself (an inline `cid:` part, never a URL: mail apps block
 * remote images, and a link would tell a server who opened the mail), at its display size.
 */
export interface InlineImage {
  /** The attachment's Content-ID without angle brackets; only `safeContentId` ones are drawn. */
  cid: string;
  /** What the picture shows, for a reader without images (escaped like any text). */
  alt: string;
  /** Display size in CSS pixels. */
  width: number;
  height: number;
}

/**
 * One item with its picture: the image (or, without one, the placeholder's words in a grey box of
 * the same width) at the left, label–value facts beside it. A table of two cells, which every mail
 * app lays out side by side, a phone's narrow screen included. Plain text gives the facts only.
 */
export interface FigureBlock {
  type: 'figure';
  image?: InlineImage;
  /** The box's width in CSS pixels, with or without a picture, so the facts line up. */
  boxWidth: number;
  placeholder: string;
  facts: [label: string, value: BlockCell][];
}

/** A whole email body: a title line, the blocks, a closing line. */
export interface Layout {
  title: string;
  blocks: Block[];
  footer: string;
}

/**
 * One line of text: every run of whitespace or control characters (CR, LF, tab, U+2028, NUL…)
 * becomes one space, ends trimmed. Subjects and addresses go through it, so a value typed as
 * "name\r\nBcc: x" cannot start a mail header.
 */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

/** Plain addr-spec shape: one @, no whitespace, no list or angle-bracket punctuation. */
const ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;

/**
 * Recipient addresses fit for a mail header: each made one line, anything that is not a bare
 * address dropped (a space left inside one could read as a group or display name), duplicates
 * (case-insensitive) and the addresses of `exclude` removed.
 */
export function cleanAddresses(addresses: readonly string[], exclude: readonly string[] = []): string[] {
  const seen = new Set(exclude.map((address) => oneLine(address).toLowerCase()));
  const clean: string[] = [];
  for (const raw of addresses) {
    const address = oneLine(raw);
    const key = address.toLowerCase();
    if (!ADDRESS.test(address) || seen.has(key)) continue;
    seen.add(key);
    clean.push(address);
  }
  return clean;
}

/**
 * The URL if it is an absolute http(s) URL on one line, else undefined: what a button's href may
 * hold (never `javascript:` or `data:`, never a value that could close its attribute unescaped).
 */
export function safeLinkUrl(url: string): string | undefined {
  return /^https?:\/\/[^\s"'<>\\]+$/i.test(url) ? url : undefined;
}

/**
 * The Content-ID if it is a plain `local@domain` of letters, digits, `.`, `_` and `-`, else
 * undefined: what an `<img src="cid:…">` may name (nothing that could end the attribute, nothing a
 * mail app would read as a path).
 */
export function safeContentId(cid: string): string | undefined {
  return /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$/.test(cid) ? cid : undefined;
}

/** The text of a cell. */
function cellText(cell: BlockCell): string {
  return oneLine(typeof cell === 'string' ? cell : cell.text);
}

// ---------------------------------------------------------------------------------------------
// HTML

const FONT =
  "-apple-system,BlinkMacSystemFont,'PingFang SC','Hiragino Sans GB','Microsoft YaHei','Noto Sans CJK SC',Helvetica,Arial,sans-serif";
const TONE_COLOURS: Record<Tone, string> = {
  danger: '#c62828',
  warn: '#b26a00',
  ok: '#2e7d32',
  muted: '#6b7280',
};
const CELL = 'padding:6px 4px;border-bottom:1px solid #e5e7eb;vertical-align:top;';
const HEAD_CELL = `${CELL}background:#f3f4f6;color:#374151;font-weight:bold;`;

/** How a column lays out: numbers right-aligned and unbroken, dates unbroken, text wrapping. */
type ColumnKind = 'numeric' | 'nowrap' | 'text';

function columnKinds(block: Extract<Block, { type: 'table' }>): ColumnKind[] {
  return block.header.map((_, i) =>
    block.numeric?.includes(i) ? 'numeric' : block.nowrap?.includes(i) ? 'nowrap' : 'text',
  );
}

const COLUMN_STYLES: Record<ColumnKind, string> = {
  numeric: 'text-align:right;white-space:nowrap;',
  nowrap: 'text-align:left;white-space:nowrap;',
  text: 'text-align:left;word-break:break-word;',
};

function htmlCell(cell: BlockCell, tag: 'td' | 'th', kind: ColumnKind, bold = false): string {
  // Headers always wrap: a narrow screen breaks 服务时长 between characters rather than overflow.
  let style =
    tag === 'th'
      ? HEAD_CELL + (kind === 'numeric' ? 'text-align:right;' : 'text-align:left;')
      : CELL + COLUMN_STYLES[kind];
  if (typeof cell !== 'string') style += `color:${TONE_COLOURS[cell.tone]};`;
  if (bold) style += 'font-weight:bold;';
  return `<${tag} style="${style}">${escapeHtml(cellText(cell))}</${tag}>`;
}

function htmlBlock(block: Block): string {
  switch (block.type) {
    case 'heading':
      return `<h2 style="margin:24px 0 8px;font-size:16px;line-height:1.4;color:#b71c1c;border-left:4px solid #b71c1c;padding-left:8px;">${escapeHtml(oneLine(block.text))}</h2>`;
    case 'paragraph':
      return `<p style="margin:0 0 12px;font-size:15px;line-height:1.7;color:#1f2937;">${escapeHtml(oneLine(block.text))}</p>`;
    case 'facts': {
      const rows = block.rows
        .map(
          ([label, value]) =>
            `<tr><th style="${CELL}text-align:left;white-space:nowrap;color:#6b7280;font-weight:normal;width:30%;">${escapeHtml(label)}</th>${htmlCell(value, 'td', 'text')}</tr>`,
        )
        .join('');
      return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:14px;line-height:1.5;color:#1f2937;">${rows}</table>`;
    }
    case 'table': {
      if (block.rows.length === 0) {
        return `<p style="margin:0 0 12px;font-size:14px;line-height:1.6;color:#6b7280;">${escapeHtml(block.empty)}</p>`;
      }
      const kinds = columnKinds(block);
      const kind = (i: number): ColumnKind => kinds[i] ?? 'text';
      const head = block.header.map((text, i) => htmlCell(text, 'th', kind(i))).join('');
      const body = block.rows
        .map((row) => `<tr>${row.map((cell, i) => htmlCell(cell, 'td', kind(i))).join('')}</tr>`)
        .join('');
      const foot = block.footer
        ? `<tr>${block.footer.map((cell, i) => htmlCell(cell, 'td', kind(i), true)).join('')}</tr>`
        : '';
      return `<table width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:14px;line-height:1.5;color:#1f2937;"><thead><tr>${head}</tr></thead><tbody>${body}${foot}</tbody></table>`;
    }
    case 'button':
      return htmlButton(block);
    case 'bars':
      return htmlBars(block);
    case 'figure':
      return htmlFigure(block);
  }
}

/** The picture (or its placeholder box) in a cell of fixed width, the facts in the cell beside it. */
function htmlFigure(block: FigureBlock): string {
  const box = Math.round(block.boxWidth);
  const cid = block.image && safeContentId(block.image.cid);
  const picture =
    block.image && cid !== undefined
      ? `<img src="cid:${escapeHtml(cid)}" alt="${escapeHtml(oneLine(block.image.alt))}" width="${Math.round(block.image.width)}" height="${Math.round(block.image.height)}" style="display:block;border:0;border-radius:4px;max-width:${box}px;height:auto;">`
      : `<div style="width:${box}px;padding:24px 0;background:#f3f4f6;color:#6b7280;font-size:12px;line-height:1.4;text-align:center;border-radius:4px;">${escapeHtml(oneLine(block.placeholder))}</div>`;
  const facts = block.facts
    .map(
      ([label, value]) =>
        `<tr><td style="padding:0 0 4px;white-space:nowrap;color:#6b7280;vertical-align:top;">${escapeHtml(label)}</td><td style="padding:0 0 4px 6px;vertical-align:top;word-break:break-word;${typeof value === 'string' ? '' : `color:${TONE_COLOURS[value.tone]};`}">${escapeHtml(cellText(value))}</td></tr>`,
    )
    .join('');
  return (
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;margin:0 0 12px;border-bottom:1px solid #e5e7eb;">` +
    `<tr><td width="${box}" style="width:${box}px;padding:0 10px 12px 0;vertical-align:top;">${picture}</td>` +
    `<td style="padding:0 0 12px;vertical-align:top;"><table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:14px;line-height:1.5;color:#1f2937;">${facts}</table></td></tr></table>`
  );
}

/**
 * A "bulletproof" button: a coloured table cell around the link (what Outlook's Word engine draws),
 * at least 44px high for a thumb, then the address as text. An unsafe URL draws no link at all.
 */
function htmlButton(block: ButtonBlock): string {
  const url = safeLinkUrl(block.url);
  if (url === undefined) return '';
  const href = escapeHtml(url);
  const note = block.note
    ? `<p style="margin:0 0 12px;font-size:12px;line-height:1.6;color:#6b7280;">${escapeHtml(oneLine(block.note))}</p>`
    : '';
  return (
    '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:16px 0 8px;border-collapse:separate;">' +
    `<tr><td align="center" bgcolor="#b71c1c" style="border-radius:6px;background:#b71c1c;">` +
    `<a href="${href}" target="_blank" style="display:inline-block;padding:13px 28px;min-height:18px;font-size:17px;line-height:18px;font-weight:bold;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(oneLine(block.label))}</a>` +
    '</td></tr></table>' +
    `<p style="margin:0 0 4px;font-size:12px;line-height:1.6;color:#6b7280;word-break:break-all;">如按钮无法点击，请复制以下链接在浏览器中打开：<br>${href}</p>` +
    note
  );
}

/** A bar's width in percent of its cell, one decimal: what the test reads back against the figures. */
export function barPercent(share: number): number {
  return Math.round(Math.min(Math.max(share, 0), 1) * 1000) / 10;
}

const BAR_CELL = 'height:12px;line-height:12px;font-size:1px;padding:0;';

/** One bar: a one-row table of coloured cells sized by `width` attributes, then the empty track. */
function htmlBar(segments: BarsBlock['rows'][number]['series'][number]['segments']): string {
  const cells: string[] = [];
  let used = 0;
  for (const { share, colour } of segments) {
    const width = barPercent(share);
    if (width <= 0) continue;
    used += width;
    const hex = CHART_COLOURS[colour];
    cells.push(`<td width="${width}%" bgcolor="${hex}" style="${BAR_CELL}background:${hex};">&nbsp;</td>`);
  }
  const rest = Math.round((100 - used) * 10) / 10;
  if (rest > 0) {
    cells.push(
      `<td width="${rest}%" bgcolor="${CHART_COLOURS.track}" style="${BAR_CELL}background:${CHART_COLOURS.track};">&nbsp;</td>`,
    );
  }
  return `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;"><tr>${cells.join('')}</tr></table>`;
}

function htmlBars(block: BarsBlock): string {
  if (block.rows.length === 0) {
    return `<p style="margin:0 0 12px;font-size:14px;line-height:1.6;color:#6b7280;">${escapeHtml(block.empty)}</p>`;
  }
  const legend = block.legend
    .map(
      ({ label, colour }) =>
        `<span style="white-space:nowrap;margin-right:10px;"><span style="color:${CHART_COLOURS[colour]};">&#9632;</span>&nbsp;${escapeHtml(label)}</span>`,
    )
    .join(' ');
  const head = block.header
    .map(
      (text, i) =>
        `<th style="${HEAD_CELL}text-align:left;"${i > 0 ? ' colspan="2"' : ''}>${escapeHtml(text)}</th>`,
    )
    .join('');
  // The bars take most of the width; labels and values keep to their text.
  const barWidth = Math.floor(64 / Math.max(1, block.header.length - 1));
  const rows = block.rows
    .map((row) => {
      const series = row.series
        .map(
          (s) =>
            `<td width="${barWidth}%" style="${CELL}width:${barWidth}%;vertical-align:middle;">${htmlBar(s.segments)}</td><td style="${CELL}text-align:right;white-space:nowrap;vertical-align:middle;">${escapeHtml(s.value)}</td>`,
        )
        .join('');
      return `<tr><td style="${CELL}white-space:nowrap;vertical-align:middle;">${escapeHtml(oneLine(row.label))}</td>${series}</tr>`;
    })
    .join('');
  return (
    `<p style="margin:12px 0 6px;font-size:12px;line-height:1.6;color:#374151;">${legend}</p>` +
    `<table width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:13px;line-height:1.4;color:#1f2937;"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`
  );
}

/** A complete small HTML document: one centred column at most 640px wide, inline styles only. */
export function renderHtml(layout: Layout, subject: string): string {
  return [
    '<!doctype html>',
    '<html lang="zh-CN">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(subject)}</title>`,
    '</head>',
    `<body style="margin:0;padding:0;background:#f4f5f7;font-family:${FONT};">`,
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background:#f4f5f7;">',
    '<tr><td align="center" style="padding:16px 8px;">',
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background:#ffffff;border-collapse:collapse;font-family:${FONT};">`,
    `<tr><td style="padding:18px 16px;background:#b71c1c;color:#ffffff;font-size:18px;line-height:1.4;font-weight:bold;">${escapeHtml(oneLine(layout.title))}</td></tr>`,
    `<tr><td style="padding:16px 16px 8px;">${layout.blocks.map(htmlBlock).join('\n')}</td></tr>`,
    `<tr><td style="padding:12px 16px 18px;font-size:12px;line-height:1.6;color:#6b7280;border-top:1px solid #e5e7eb;">${escapeHtml(layout.footer)}</td></tr>`,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Plain text

function pad(text: string, width: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return right ? fill + text : text + fill;
}

function textBlock(block: Block): string[] {
  switch (block.type) {
    case 'heading':
      return ['', oneLine(block.text), '-'.repeat(Math.min(textWidth(oneLine(block.text)), 60))];
    case 'paragraph':
      return [oneLine(block.text), ''];
    case 'facts': {
      const width = Math.max(...block.rows.map(([label]) => textWidth(label))) + 2;
      return block.rows.map(([label, value]) => `${pad(`${label}：`, width, false)} ${cellText(value)}`);
    }
    case 'table': {
      if (block.rows.length === 0) return [block.empty];
      const numeric = new Set(block.numeric ?? []);
      const rows = [block.header, ...block.rows, ...(block.footer ? [block.footer] : [])].map((row) =>
        row.map(cellText),
      );
      const widths = block.header.map((_, i) => Math.max(...rows.map((row) => textWidth(row[i] ?? ''))));
      return rows.map((row) =>
        row
          .map((cell, i) =>
            i === row.length - 1 && !numeric.has(i) ? cell : pad(cell, widths[i] ?? 0, numeric.has(i)),
          )
          .join('  ')
          .trimEnd(),
      );
    }
    case 'button': {
      const url = safeLinkUrl(block.url);
      if (url === undefined) return [];
      return ['', `${oneLine(block.label)}：`, url, ...(block.note ? [oneLine(block.note)] : []), ''];
    }
    case 'figure': {
      // Plain text has no pictures: the facts, then a blank line between items.
      const width = Math.max(0, ...block.facts.map(([label]) => textWidth(label))) + 2;
      return [
        ...block.facts.map(([label, value]) => `${pad(`${label}：`, width, false)} ${cellText(value)}`),
        '',
      ];
    }
    case 'bars': {
      // Plain text has no bars: each row's values, under the legend's names.
      if (block.rows.length === 0) return [block.empty];
      const width = Math.max(...block.rows.map((row) => textWidth(oneLine(row.label))));
      return block.rows.map(
        (row) => `${pad(oneLine(row.label), width, false)}  ${row.series.map((s) => s.value).join('  ')}`,
      );
    }
  }
}

/** The plain-text part: the same blocks as aligned lines (wide characters count two columns). */
export function renderText(layout: Layout): string {
  const title = oneLine(layout.title);
  const lines = [title, '='.repeat(Math.min(textWidth(title), 60)), ''];
  for (const block of layout.blocks) lines.push(...textBlock(block));
  lines.push('', '--', layout.footer, '');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}
