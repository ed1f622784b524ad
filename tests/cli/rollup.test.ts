/**
 * `gongjian rollup` as a user runs it (§13): the real binary over workbooks of different years, an
 * edited copy and a CSV folder. Each community's figures are what `gongjian stats --json` prints
 * for its workbook; the roll-up workbook opens in LibreOffice and survives its re-save; an unusable
 * PATH stops with exit 2 naming it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTabs } from '../../adapters/workbook/sample';
import { writeXlsx } from '../../adapters/workbook/xlsx';
import { generateWorkbook } from '../../bench/generate';
import { ROLLUP_TAB_LABELS, ROLLUP_TABS } from '../../shared/i18n';
import type { DistrictRollup } from '../../shared/rollup';
import type { Stats } from '../../shared/stats-types';
import { tempFolder } from '../adapters/workbook/helpers';
import { resaveInLibreOffice } from '../support/libreoffice';
import { convertToPdf, pdfPages, pdfText } from '../support/office';
import { BIN, type CliRun, gongjian, json } from './run-cli';

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (...parts: string[]) => join(folder.dir, ...parts);
const AS_OF = '2026-06-30';

/** What a run said on stderr besides its progress lines (which name every plan anyway). */
const said = (run: CliRun) =>
  run.stderr
    .split('\n')
    .filter((line) => !line.startsWith('[进度]'))
    .join('\n');

/** Sets 设置 → 社区名称 and drops the first activity row: a community of its own, other figures. */
async function editedCopy(source: string, target: string, community: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(source);
  workbook.getWorksheet('设置')?.eachRow((row) => {
    if (row.getCell(1).value === '社区名称') row.getCell(2).value = community;
  });
  workbook.getWorksheet('活动')?.spliceRows(2, 1);
  await workbook.xlsx.writeFile(target);
}

beforeAll(async () => {
  mkdirSync(at('district'));
  expect(gongjian(['init', at('district', 'a.xlsx'), '--year', '2026']).code).toBe(0);
  expect(gongjian(['init', at('district', 'b.xlsx'), '--year', '2025']).code).toBe(0);
  await editedCopy(at('district', 'a.xlsx'), at('district', 'c.xlsx'), '和平社区');
  expect(gongjian(['init', at('east-csv'), '--year', '2026']).code).toBe(0);
}, 60_000);

/** The plans the runs below roll up, in the order the roll-up lists them. */
const PLANS = () => [
  at('district', 'a.xlsx'),
  at('district', 'b.xlsx'),
  at('district', 'c.xlsx'),
  at('east-csv'),
];

describe('gongjian rollup --json', () => {
  let rollup: DistrictRollup;
  let stderr = '';
  beforeAll(() => {
    const run = gongjian(['rollup', at('district'), at('east-csv'), '--as-of', AS_OF, '--json']);
    expect(run.code, run.stderr).toBe(0);
    rollup = json<DistrictRollup>(run);
    stderr = run.stderr;
  });

  it('has one row per plan — the workbooks of the folder in name order, then the CSV folder', () => {
    expect(rollup.communities.map((c) => c.source.path)).toEqual(PLANS());
    // The same community twice (a.xlsx and the CSV folder are both xx社区) keeps both rows.
    expect(rollup.communities.map((c) => c.name)).toEqual([
      'xx社区（a.xlsx）',
      'xx社区（b.xlsx）',
      '和平社区',
      'xx社区（east-csv）',
    ]);
  });

  it('shows for each community exactly what gongjian stats --json prints for its workbook', () => {
    PLANS().forEach((path, i) => {
      const stats = json<Stats>(gongjian(['stats', path, '--as-of', AS_OF, '--json']));
      const community = rollup.communities[i];
      expect(community?.plan).toEqual(stats.plan);
      expect(community?.categories).toEqual(stats.categories);
      expect(community?.months).toEqual(stats.months);
      expect([community?.year, community?.asOf]).toEqual([stats.year, stats.asOf]);
      expect(community?.partners.silent).toBe(stats.partners.filter((p) => p.stale).length);
    });
    // The plans differ: the edited copy lost an activity, the 2025 plan is a year behind.
    const activities = rollup.communities.map((c) => c.plan.activities);
    expect(new Set(activities).size).toBeGreaterThan(1);
  });

  it('says on stderr which plan it is reading', () => {
    expect(stderr).toContain(`[进度] 汇总 1/4：${at('district', 'a.xlsx')}`);
    expect(stderr).toContain(`[progress] rolling up 4/4: ${at('east-csv')}`);
  });
});

describe('gongjian rollup writing 街道汇总.xlsx', () => {
  const work = () => at('work');
  const written = () => join(work(), '街道汇总.xlsx');
  beforeAll(() => {
    mkdirSync(work());
    // Run from a folder that is also the folder of workbooks: the roll-up must not read itself back.
    for (const name of ['a.xlsx', 'b.xlsx', 'c.xlsx']) copyFileSync(at('district', name), join(work(), name));
    const run = gongjian(['rollup', '.', '--as-of', AS_OF], work());
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('已写入街道汇总（3 个社区');
  }, 60_000);

  it('writes the four tabs in the current folder, with a chart below 社区总览, 按类别 and 按月', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(written());
    expect(workbook.worksheets.map((s) => s.name)).toEqual(Object.values(ROLLUP_TAB_LABELS).map((l) => l.zh));
    expect(workbook.worksheets.map((s) => s.getImages().length)).toEqual([1, 1, 0, 1]);
    const overview = workbook.getWorksheet('社区总览');
    // Below the table (three communities and the total: rows 1–5), from the first column.
    const anchor = overview?.getImages()[0]?.range.tl;
    expect({ col: anchor?.nativeCol, row: anchor?.nativeRow }).toEqual({ col: 0, row: 6 });
    expect(overview?.getCell('B5').value).toBe('街道合计');
    expect(overview?.getCell('M2').numFmt).toBe('0.0%');
    // 关注事项's 类型 cells are filled as in the plan's 关注事项: overdue red, behind orange.
    const attention = workbook.getWorksheet('关注事项');
    const fills = new Map<string, string | undefined>();
    attention?.eachRow((row, n) => {
      const fill = row.getCell(2).fill;
      if (n > 1)
        fills.set(String(row.getCell(2).value), fill?.type === 'pattern' ? fill.fgColor?.argb : undefined);
    });
    expect(Object.fromEntries(fills)).toEqual({ 已逾期: 'FFFFC7CE', 进度滞后: 'FFFFE0B2' });
  });

  it('runs again over the same folder, replacing the roll-up rather than reading it as a plan', () => {
    const run = gongjian(['rollup', '.', '--as-of', AS_OF, '--json'], work());
    expect(run.code, run.stderr).toBe(0);
    expect(json<DistrictRollup>(run).communities).toHaveLength(3);
    const again = gongjian(['rollup', '.', '--as-of', AS_OF], work());
    expect(again.code, again.stderr).toBe(0);
  });

  it('carries no email address or phone number of any workbook', async () => {
    const parts = unzipSync(readFileSync(written()));
    const text = Object.entries(parts)
      .filter(([name]) => name.endsWith('.xml'))
      .map(([, bytes]) => new TextDecoder().decode(bytes))
      .join('\n');
    const source = new ExcelJS.Workbook();
    await source.xlsx.readFile(at('district', 'a.xlsx'));
    const contacts: string[] = [];
    for (const sheet of ['共建单位', '计划', '设置']) {
      source.getWorksheet(sheet)?.eachRow((row) =>
        row.eachCell((cell) => {
          // Text cells only: a date cell's text is no contact.
          if (typeof cell.value !== 'string') return;
          const value = cell.value;
          for (const found of value.match(/[\w.+-]+@[\w-]+\.[\w.]+|\d[\d -]{6,}\d/g) ?? [])
            contacts.push(found);
        }),
      );
    }
    expect(contacts.length).toBeGreaterThan(10);
    for (const contact of contacts) expect(text).not.toContain(contact);
  });

  it('opens in LibreOffice and survives its re-save: tabs, rows and pictures', () => {
    const resaved = at('resaved.xlsx');
    resaveInLibreOffice(written(), resaved, folder.dir);
    const run = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        [
          'import sys, json, openpyxl',
          'wb = openpyxl.load_workbook(sys.argv[1])',
          'print(json.dumps({ws.title: {"rows": [[c for c in r] for r in ws.iter_rows(values_only=True)],',
          '  "images": len(ws._images)} for ws in wb}, default=str, ensure_ascii=False))',
        ].join('\n'),
        resaved,
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0)
      throw new Error(`openpyxl could not read it (apt-get install python3-openpyxl): ${run.stderr}`);
    const sheets = JSON.parse(run.stdout) as Record<string, { rows: unknown[][]; images: number }>;
    expect(Object.keys(sheets)).toEqual(Object.values(ROLLUP_TAB_LABELS).map((l) => l.zh));
    const overview = sheets.社区总览?.rows ?? [];
    expect(overview.map((row) => row[1])).toEqual([
      '社区',
      expect.any(String),
      expect.any(String),
      expect.any(String),
      '街道合计',
    ]);
    expect(
      overview
        .slice(1, 4)
        .map((row) => row[1])
        .sort(),
    ).toEqual(['xx社区（a.xlsx）', 'xx社区（b.xlsx）', '和平社区'].sort());
    expect(sheets.社区总览?.images).toBe(1);
    expect(sheets.按月?.images).toBe(1);
  }, 180_000);

  it('prints as LibreOffice lays it out: each tab one A4 landscape page wide, so three communities fit on four pages', () => {
    const pdf = convertToPdf(written(), folder.dir);
    const text = pdfText(pdf);
    // Every column of 社区总览 on its first page: the header's first and last columns together.
    const first = text.split('\f')[0] ?? '';
    expect(first).toContain('排名');
    expect(first).toContain('组织保障完成率');
    expect(pdfPages(text)).toBe(ROLLUP_TABS.length);
  }, 180_000);

  it('refuses to write over the roll-up while an office program has it open (exit 2), and writes nothing', () => {
    const lock = join(work(), '.~lock.街道汇总.xlsx#');
    writeFileSync(lock, 'held by a test');
    const before = statSync(written()).mtimeMs;
    const run = gongjian(['rollup', '.', '--as-of', AS_OF], work());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('LibreOffice');
    expect(run.stderr).not.toContain('[进度]'); // refused before any plan was read
    expect(statSync(written()).mtimeMs).toBe(before);
  });
});

describe('gongjian rollup reads one plan at a time', () => {
  it('rolls up ten 5,000-activity workbooks under a 48 MB heap cap (one plan’s model fits, ten do not)', async () => {
    mkdirSync(at('large'));
    const tabs = writeTabs(generateWorkbook({ measures: 200, partners: 50, activities: 5_000, year: 2026 }));
    await writeXlsx(at('large', '00.xlsx'), tabs);
    for (let i = 1; i < 10; i++) copyFileSync(at('large', '00.xlsx'), at('large', `0${i}.xlsx`));
    const run = spawnSync(
      process.execPath,
      ['--max-old-space-size=48', BIN, 'rollup', at('large'), '--as-of', AS_OF, '--json'],
      { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' }, maxBuffer: 64 * 2 ** 20 },
    );
    expect(run.status, run.stderr.slice(-2000)).toBe(0);
    const rollup = JSON.parse(run.stdout) as DistrictRollup;
    expect(rollup.communities).toHaveLength(10);
    expect(rollup.total.activities).toBe(10 * (rollup.communities[0]?.plan.activities ?? 0));
  }, 180_000);
});

describe('gongjian rollup on unusable input', () => {
  it('exits 2 naming a PATH that does not exist', () => {
    const run = gongjian(['rollup', at('district'), at('missing.xlsx'), '--json']);
    expect(run.code).toBe(2);
    expect(said(run)).toContain(at('missing.xlsx'));
    expect(run.stdout).toBe('');
  });

  it('exits 2 naming the workbook inside a folder that is not a workbook, and writes no roll-up', () => {
    mkdirSync(at('broken'));
    copyFileSync(at('district', 'a.xlsx'), at('broken', 'a.xlsx'));
    writeFileSync(at('broken', 'b.xlsx'), 'not a zip');
    const run = gongjian(['rollup', at('broken'), '--out', at('broken-rollup.xlsx')]);
    expect(run.code).toBe(2);
    expect(said(run)).toContain(at('broken', 'b.xlsx'));
    expect(existsSync(at('broken-rollup.xlsx'))).toBe(false);
  });

  it('exits 2 naming a plan with none of the plan’s tabs', async () => {
    const other = new ExcelJS.Workbook();
    other.addWorksheet('Sheet1').getCell('A1').value = '别的表格';
    await other.xlsx.writeFile(at('other.xlsx'));
    const run = gongjian(['rollup', at('district', 'a.xlsx'), at('other.xlsx'), '--json']);
    expect(run.code).toBe(2);
    expect(said(run)).toContain(at('other.xlsx'));
  });

  it('refuses an --out that is not .xlsx or whose folder does not exist, before reading any plan', () => {
    const docx = gongjian(['rollup', at('district'), '--out', at('x.docx')]);
    expect(docx.code).toBe(2);
    expect(docx.stderr).toContain('--out');
    const nowhere = gongjian(['rollup', at('district'), '--out', at('no', 'such', 'x.xlsx')]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain(`无法写入街道汇总：文件夹不存在：${at('no', 'such')}`);
    expect(nowhere.stderr).not.toContain('[进度]');
  });

  it('--help lists every exit code', () => {
    const run = gongjian(['rollup', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('gongjian rollup PATH… [--as-of YYYY-MM-DD] [--out FILE.xlsx] [--json]');
    expect(run.stdout).toMatch(/0 已写入.*· 2 无法使用的输入.*· 3 内部错误/s);
  });
});
