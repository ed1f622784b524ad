/**
 * `gongjian ledger` on the sample workbook with real JPEGs in 佐证材料/<记录编号>/, opened by
 * LibreOffice: the PDF names every done activity of the period, holds every photo (pdfimages), and
 * the package holds each photo byte for byte as it was on disk (streamed in, not re-encoded). The
 * year-end summary of the same plan shows one photo per category. Then the command's options and
 * refusals, each with its exit code and Chinese sentence.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../../adapters/workbook';
import { validateWorkbook } from '../../../shared/validate';
import { gongjian } from '../../cli/run-cli';
import { convertToPdf, packagePart, pdfText, squeeze } from '../../support/office';
import { writeJpeg } from '../../support/photos';
import { tempFolder } from '../workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (...names: string[]) => join(folder.dir, ...names);
const evidence = (id: string, file: string) => at('佐证材料', id, file);

/** The photos put beside the workbook: A0001 two (one portrait), A0003 one, A0010 three. */
const PHOTOS: [string, string, number, number, string][] = [
  ['A0001', '1.jpg', 1600, 1200, '#c0392b'],
  ['A0001', '2.jpg', 900, 1200, '#27ae60'],
  ['A0003', '1.jpg', 2048, 1536, '#2980b9'],
  ['A0010', '1.jpg', 1200, 900, '#8e44ad'],
  ['A0010', '2.jpg', 1200, 900, '#f39c12'],
  ['A0010', '10.jpg', 1200, 900, '#16a085'],
];

/** pdfimages -list: one line per picture, after two header lines. */
function pdfImages(pdf: string): string[][] {
  const list = execFileSync('pdfimages', ['-list', pdf], { encoding: 'utf8' });
  return list
    .trim()
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/));
}

let ledgerRun: ReturnType<typeof gongjian>;
let ledgerText: string;
let ledgerPdf: string;
let titles: string[];

beforeAll(async () => {
  expect(gongjian(['init', at('plan.xlsx'), '--year', '2026']).code).toBe(0);
  for (const [id, file, width, height, color] of PHOTOS)
    await writeJpeg(evidence(id, file), width, height, color);
  // A file named .jpg that is no JPEG (a photo not yet processed, say): named and left out.
  mkdirSync(at('佐证材料', 'A0012'));
  writeFileSync(evidence('A0012', '1.jpg'), 'not a photo');
  const plan = validateWorkbook(await readWorkbook(at('plan.xlsx')), { asOf: '2026-12-31' }).model;
  titles = plan.activities
    .filter((a) => a.status === 'done' && a.date >= '2026-01-01' && a.date <= '2026-02-28')
    .map((a) => a.title);
  ledgerRun = gongjian([
    'ledger',
    at('plan.xlsx'),
    '--from',
    '2026-01-01',
    '--to',
    '2026-02-28',
    '--out',
    at('ledger.docx'),
  ]);
  ledgerPdf = convertToPdf(at('ledger.docx'), folder.dir);
  ledgerText = pdfText(ledgerPdf);
}, 240_000);

describe('the activity ledger as LibreOffice reads it', () => {
  it('says what it wrote, with progress on stderr', () => {
    expect(ledgerRun.code).toBe(0);
    expect(titles.length).toBeGreaterThan(5);
    expect(ledgerRun.stdout).toContain(
      `已写入「xx社区活动台账」（2026年1月1日至2026年2月28日，活动 ${titles.length} 次，照片 6 张）`,
    );
    expect(ledgerRun.stdout).toContain(join('佐证材料', 'A0012', '1.jpg'));
    expect(ledgerRun.stderr).toContain('[进度] 写入照片 6/6 / [progress] writing photos 6/6');
  });

  it('has a cover, a contents table and a 活动记录表 for every done activity of the period', () => {
    const flat = squeeze(ledgerText);
    expect(flat).toContain('xx社区活动台账');
    expect(flat).toContain('2026年1月1日至2026年2月28日');
    expect(flat).toContain(`已完成活动${titles.length}次，照片6张`);
    const contents = flat.indexOf('目录');
    expect(contents).toBeGreaterThan(0);
    let from = flat.indexOf('活动记录表（1）');
    expect(from).toBeGreaterThan(contents);
    titles.forEach((title, i) => {
      // Each record in order, with its own title in it.
      const start = flat.indexOf(`活动记录表（${i + 1}）`, from);
      expect(start, title).toBeGreaterThanOrEqual(from);
      expect(flat.indexOf(squeeze(title), start), title).toBeGreaterThan(start);
      from = start;
    });
    for (const label of [
      '活动名称',
      '时间',
      '地点',
      '关联事项',
      '组织/参与单位',
      '参与人数',
      '受益人数',
      '服务时长',
      '投入资金',
      '记录人',
      '活动内容/备注',
    ]) {
      expect(flat).toContain(label);
    }
    // Nothing after February.
    expect(flat).not.toContain('2026年3月');
  });

  it('holds every photo, at its size ratio, with its caption', () => {
    const images = pdfImages(ledgerPdf);
    expect(images).toHaveLength(PHOTOS.length);
    const shapes = images.map((row) => Number(row[3]) / Number(row[4])).sort();
    const expected = PHOTOS.map(([, , w, h]) => w / h).sort();
    for (const [i, ratio] of shapes.entries()) expect(ratio).toBeCloseTo(expected[i] ?? 0, 1);
    const flat = squeeze(ledgerText);
    expect(flat).toContain('（1/2）');
    expect(flat).toContain('（3/3）');
  });

  it('stores each photo byte for byte as it is on disk', () => {
    const parts = unzipSync(readFileSync(at('ledger.docx')));
    const media = Object.entries(parts).filter(([name]) => name.startsWith('word/media/'));
    expect(media).toHaveLength(PHOTOS.length);
    const onDisk = PHOTOS.map(([id, file]) => readFileSync(evidence(id, file)).toString('base64')).sort();
    expect(media.map(([, bytes]) => Buffer.from(bytes).toString('base64')).sort()).toEqual(onDisk);
    // Photos follow their records in order: A0010's 10.jpg comes after its 2.jpg.
    const document = packagePart(at('ledger.docx'), 'word/document.xml');
    expect(document.match(/<pic:pic /g)).toHaveLength(PHOTOS.length);
  });

  it('is a sound zip as Python reads it: photos stored, the XML deflated, every entry dated 1980-01-01', () => {
    const script = [
      'import json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'print(json.dumps({"bad": z.testzip(), "entries": [[i.filename, i.compress_type, list(i.date_time)] for i in z.infolist()]}))',
    ].join('\n');
    const read = JSON.parse(
      execFileSync('python3', ['-c', script, at('ledger.docx')], { encoding: 'utf8' }),
    ) as {
      bad: string | null;
      entries: [string, number, number[]][];
    };
    // testzip reads every entry and checks its CRC: null when all are whole.
    expect(read.bad).toBeNull();
    const method = (suffix: string) =>
      read.entries.filter(([name]) => name.endsWith(suffix)).map(([, m]) => m);
    expect(method('.jpg')).toEqual(PHOTOS.map(() => 0));
    expect(method('.xml').length).toBeGreaterThan(3);
    expect(new Set(method('.xml'))).toEqual(new Set([8]));
    expect(new Set(read.entries.map(([, , date]) => date.join('-')))).toEqual(new Set(['1980-1-1-0-0-0']));
  });

  it('is in the year-end summary’s page setup (one home: A4, GB/T 9704 margins, fonts)', () => {
    const xml = packagePart(at('ledger.docx'), 'word/document.xml');
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    expect(packagePart(at('ledger.docx'), 'word/fontTable.xml')).toContain('<w:font w:name="仿宋_GB2312">');
  });
});

describe('the year-end summary with photos beside the workbook', () => {
  it('shows one photo in each category with a photo: that of the activity with the most people', () => {
    const run = gongjian(['report', at('plan.xlsx'), '--as-of', '2026-12-31', '--out', at('summary.docx')]);
    expect(run.code).toBe(0);
    const document = packagePart(at('summary.docx'), 'word/document.xml');
    // Two charts, A0001's first photo (党建共商) and A0003's (3.4: 32 people, before A0010's 28).
    expect(document.match(/<pic:pic /g)).toHaveLength(4);
    const parts = unzipSync(readFileSync(at('summary.docx')));
    const jpegs = Object.entries(parts)
      .filter(([name]) => name.startsWith('word/media/') && name.endsWith('.jpg'))
      .map(([, bytes]) => Buffer.from(bytes).toString('base64'))
      .sort();
    expect(jpegs).toEqual(
      [evidence('A0001', '1.jpg'), evidence('A0003', '1.jpg')]
        .map((p) => readFileSync(p).toString('base64'))
        .sort(),
    );
    const flat = squeeze(pdfText(convertToPdf(at('summary.docx'), folder.dir)));
    expect(flat).toContain('“1月志愿服务日：迎新春环境大扫除”现场照片');
  }, 180_000);
});

describe('gongjian ledger options and refusals', () => {
  it('writes beside the workbook by default, and keeps one unit’s activities with --partner', () => {
    const run = gongjian(['ledger', at('plan.xlsx'), '--partner', 'P11', '--to', '2026-03-31']);
    expect(run.stderr).toBe(
      '[进度] 写入照片 0/1 / [progress] writing photos 0/1\n[进度] 写入照片 1/1 / [progress] writing photos 1/1\n',
    );
    expect(run.code).toBe(0);
    expect(statSync(at('plan-活动台账.docx')).size).toBeGreaterThan(0);
    const xml = packagePart(at('plan-活动台账.docx'), 'word/document.xml');
    expect(xml).toContain('共建单位：');
    expect(xml).toContain('物流公司春节前为困难老人送年货');
    expect(xml).not.toContain('共建工作领导小组成立会议');
  });

  it('explains itself under --help', () => {
    const run = gongjian(['ledger', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'gongjian ledger PATH [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--partner ID] [--out FILE.docx]',
    );
    expect(run.stdout).toContain('佐证材料/<记录编号>/*.jpg');
  });

  it.each([
    [['--from', '2026-13-01'], '--from 须为 YYYY-MM-DD 格式的日期：2026-13-01'],
    [['--from', '2026-05-01', '--to', '2026-04-01'], '--from 晚于 --to：2026-05-01 > 2026-04-01'],
    [['--out', 'ledger.pdf'], '--out 须为 .docx 文件：ledger.pdf'],
    [['--partner', 'P99'], '工作簿中没有编号或名称为「P99」的共建单位'],
    [['--colour'], '未知选项：--colour'],
  ])('refuses %j with exit 2 and a Chinese sentence', (options, message) => {
    const run = gongjian(['ledger', at('plan.xlsx'), ...options]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('refuses an --out in a folder that does not exist with exit 2, before reading the workbook', () => {
    const run = gongjian(['ledger', at('missing.xlsx'), '--out', at('no', 'such', 'ledger.docx')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`无法写入活动台账：文件夹不存在：${at('no', 'such')}`);
  });

  it('refuses a missing workbook with exit 2', () => {
    const run = gongjian(['ledger', at('missing.xlsx')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('无法使用输入');
  });

  it.each([
    ['~$open.docx', 'Word/WPS'],
    ['.~lock.open.docx#', 'LibreOffice'],
  ])('never writes over a document open in an office program (%s)', (lock, program) => {
    writeFileSync(at('open.docx'), 'the document as the office program has it');
    writeFileSync(at(lock), '');
    const run = gongjian(['ledger', at('plan.xlsx'), '--out', at('open.docx')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`文档正在 ${program} 中打开，请关闭后再生成`);
    expect(readFileSync(at('open.docx'), 'utf8')).toBe('the document as the office program has it');
    execFileSync('rm', [at(lock)]);
  });
});
