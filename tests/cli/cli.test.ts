import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_MISTAKES } from '../../shared/sample';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from './run-cli';

interface ValidateJson {
  tabs: Record<string, { rows: number; accepted: number; rejected: number }>;
  issues: { tab: string; row: number; code: string; severity: string; column: string; message: string }[];
}

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (name: string) => join(folder.dir, name);

const mistakes = SAMPLE_MISTAKES.map((m) => `${m.tab}:${m.row}:${m.code}`).sort();
const found = (result: ValidateJson) => result.issues.map((i) => `${i.tab}:${i.row}:${i.code}`).sort();

describe('gongjian init + validate on the sample', () => {
  beforeAll(() => {
    expect(gongjian(['init', at('sample.xlsx'), '--year', '2026']).code).toBe(0);
    expect(gongjian(['init', at('sample-csv'), '--year', '2026']).code).toBe(0);
  });

  it('finds exactly the sample’s deliberate mistakes in the .xlsx, and exits 1', () => {
    const run = gongjian(['validate', at('sample.xlsx'), '--as-of', '2026-12-31', '--json']);
    expect(run.code).toBe(1);
    const result = json<ValidateJson>(run);
    expect(found(result)).toEqual(mistakes);
    for (const tab of ['partners', 'plan', 'activities']) {
      const counts = result.tabs[tab];
      expect(counts && counts.accepted + counts.rejected).toBe(counts?.rows);
    }
  });

  it('reads the CSV folder it wrote exactly like the .xlsx', () => {
    const xlsx = json<ValidateJson>(
      gongjian(['validate', at('sample.xlsx'), '--as-of', '2026-12-31', '--json']),
    );
    const csv = json<ValidateJson>(
      gongjian(['validate', at('sample-csv'), '--as-of', '2026-12-31', '--json']),
    );
    expect(csv.tabs).toEqual(xlsx.tabs);
    expect(found(csv)).toEqual(found(xlsx));
    const xlsxStats = gongjian(['stats', at('sample.xlsx'), '--as-of', '2026-09-30', '--json']).stdout;
    const csvStats = gongjian(['stats', at('sample-csv'), '--as-of', '2026-09-30', '--json']).stdout;
    expect(csvStats).toBe(xlsxStats);
  });

  it('prints a readable report with Chinese tab names and messages', () => {
    const run = gongjian(['validate', at('sample.xlsx'), '--as-of', '2026-12-31']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/工作表\s+数据行\s+通过\s+未通过/);
    expect(run.stdout).toContain('【活动】');
    expect(run.stdout).toContain('日期无法识别：2026-13-01');
  });

  it('stats --json has the shape of §5, and categories add up to the plan', () => {
    const run = gongjian(['stats', at('sample.xlsx'), '--as-of', '2026-06-30', '--json']);
    expect(run.code).toBe(0);
    const stats = json<{
      asOf: string;
      year: number;
      plan: Record<string, number>;
      categories: Record<string, number>[];
      months: { month: string; activities: number }[];
    }>(run);
    expect(stats.asOf).toBe('2026-06-30');
    expect(stats.year).toBe(2026);
    expect(Object.keys(stats)).toEqual([
      'asOf',
      'year',
      'plan',
      'categories',
      'measures',
      'partners',
      'months',
    ]);
    const sum = (key: string) => stats.categories.reduce((total, c) => total + (c[key] ?? 0), 0);
    for (const key of ['measures', 'activities', 'participants', 'hours', 'funds']) {
      expect(sum(key)).toBeCloseTo(stats.plan[key] ?? Number.NaN, 9);
    }
    expect(stats.months.map((m) => m.month)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
    );
    // Nothing after the as-of date is counted.
    expect(stats.months.slice(6).every((m) => m.activities === 0)).toBe(true);
  });

  it('stats prints aligned tables with Chinese labels', () => {
    const run = gongjian(['stats', at('sample.xlsx'), '--as-of', '2026-06-30']);
    expect(run.code).toBe(0);
    for (const heading of ['【按类别】', '【事项进度】', '【共建单位】', '【按月】'])
      expect(run.stdout).toContain(heading);
    expect(run.stdout).toMatch(/完成率 \d+\.\d%/);
  });

  it('refuses to overwrite an existing workbook without --force', () => {
    const run = gongjian(['init', at('sample.xlsx')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('已存在');
    expect(gongjian(['init', at('sample.xlsx'), '--force', '--year', '2026']).code).toBe(0);
  });
});

describe('gongjian digest', () => {
  it('renders the digests of the 1st of the month as .eml and .html, sending nothing', async () => {
    const out = at('digest-out');
    const run = gongjian(['digest', at('sample.xlsx'), '--as-of', '2026-07-01', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/应发邮件 10 封（共建单位摘要 9，领导摘要 1）/);
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.eml'))).toHaveLength(10);
    expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(10);
    const eml = files.find((f) => f.startsWith('leaderSummary') && f.endsWith('.eml')) ?? '';
    const parsed = await simpleParser(readFileSync(join(out, eml)));
    expect(parsed.subject).toBe('【xx社区】2026年6月共建工作月报（领导摘要）');
    expect(parsed.html).toContain('<!doctype html>');
  });

  it('renders nothing on an ordinary day but the reminders due', () => {
    const run = gongjian(['digest', at('sample.xlsx'), '--as-of', '2026-07-02', '--out', at('digest-none')]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/摘要/);
  });

  it('needs --out', () => {
    const run = gongjian(['digest', at('sample.xlsx'), '--as-of', '2026-07-01']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out');
  });
});

describe('a workbook edited by hand the way a new user would', () => {
  const path = at('by-hand.xlsx');

  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const settings = workbook.addWorksheet('Settings');
    settings.addRows([
      ['Key', 'Value'],
      ['Community', '和平社区'],
      ['Year', '２０２６'],
      // A new user's rows have no evidence links; the English key and value of 佐证要求 无.
      ['Evidence', 'none'],
    ]);
    const partners = workbook.addWorksheet('Partners');
    partners.addRows([
      ['Email', 'Name', 'ID', 'Type'],
      ['school@example.cn', '第一中学', 'S1', '学校'],
      ['bank@example.cn', '农商银行', 'E1', 'enterprise'],
    ]);
    const plan = workbook.addWorksheet('plan');
    plan.addRows([
      ['Title', 'Target', 'Category', 'ID', 'Partners', 'Metric', 'Recurrence'],
      ['联席会议', 1, '党建共商', '1.10', '第一中学，农商银行', '次数', '季度'],
      ['志愿服务', '１００', 'practicalMatters', '1.1', 'S1', '小时', '无'],
    ]);
    plan.getColumn(4).numFmt = '@';
    const activities = workbook.addWorksheet('Activities');
    activities.addRows([
      ['Title', 'Partners', 'Date', 'Measure', 'HOURS', 'Participants'],
      ['一季度联席会议', '第一中学、农商银行', '2026年3月5日', '1.10', null, '１２'],
      ['义务清扫', 'S1', '2026/4/2', '1.1', '３０', 10],
      ['敬老院慰问', '', new Date(Date.UTC(2026, 4, 20)), '1.1', 12.5, 5],
    ]);
    activities.getColumn(4).numFmt = '@';
    await workbook.xlsx.writeFile(path);
  });

  it('validates cleanly', () => {
    const run = gongjian(['validate', path, '--as-of', '2026-06-30', '--json']);
    expect(run.stderr).toBe('');
    const result = json<ValidateJson>(run);
    expect(result.issues).toEqual([]);
    expect(run.code).toBe(0);
    expect(result.tabs.activities).toEqual({ rows: 3, accepted: 3, rejected: 0 });
  });

  it('computes the statistics worked out by hand', () => {
    const stats = json<{
      plan: Record<string, number>;
      measures: {
        measureId: string;
        achieved: number;
        target: number;
        status: string;
        missedPeriods: string[];
      }[];
      partners: { partnerId: string; activities: number; hours: number; lastActivity: string }[];
    }>(gongjian(['stats', path, '--as-of', '2026-06-30', '--json']));
    // 1.10: quarterly, Q1 met (5 Mar), Q2 (ends 30 Jun = as-of) still open → 1 of 4 met, none missed.
    expect(stats.measures[0]).toMatchObject({
      measureId: '1.10',
      achieved: 1,
      target: 4,
      status: 'onTrack',
      missedPeriods: [],
    });
    // 1.1: hours 30 + 12.5 of 100; expected 181/365 ≈ 0.496 → 0.425 ≥ 0.396 → on track.
    expect(stats.measures[1]).toMatchObject({
      measureId: '1.1',
      achieved: 42.5,
      target: 100,
      status: 'onTrack',
    });
    expect(stats.plan.participants).toBe(27);
    expect(stats.partners).toEqual([
      expect.objectContaining({ partnerId: 'S1', activities: 2, hours: 30, lastActivity: '2026-04-02' }),
      expect.objectContaining({ partnerId: 'E1', activities: 1, hours: 0, lastActivity: '2026-03-05' }),
    ]);
  });
});

describe('CSV folders as Excel on Chinese Windows saves them', () => {
  it('reads GBK-encoded files with Chinese names and reports their mistakes', () => {
    const dir = at('gbk');
    mkdirSync(dir);
    const write = (name: string, text: string) => writeFileSync(join(dir, name), iconv.encode(text, 'gbk'));
    write('共建单位.csv', '单位编号,单位名称,邮箱\r\nP01,区住建局,zj@example.cn\r\n');
    write('计划.csv', '编号,类别,事项,共建单位\r\n1,实事共办,老年活动室加层,区住建局\r\n');
    write(
      '活动.csv',
      '日期,关联事项,活动名称,参与人数\r\n2026年5月6日,1,现场踏勘,8\r\n2026-05-07,2,方案论证,3\r\n',
    );
    const run = gongjian(['validate', dir, '--as-of', '2026-06-30', '--json']);
    expect(run.code).toBe(1);
    const result = json<ValidateJson>(run);
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([
      expect.objectContaining({ tab: 'activities', row: 3, code: 'unknown_measure', column: '关联事项' }),
    ]);
    expect(result.issues.map((i) => i.code)).toContain('missing_tab');
    expect(result.tabs.activities).toEqual({ rows: 2, accepted: 1, rejected: 1 });
  });
});

describe('unusable input: exit 2 and one clear sentence in Chinese and English, no stack trace', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing path', () => ['validate', at('nowhere.xlsx')], /找不到/],
    [
      'a corrupt .xlsx',
      () => {
        writeFileSync(at('corrupt.xlsx'), 'not a zip at all');
        return ['validate', at('corrupt.xlsx')];
      },
      /不是有效的 \.xlsx/,
    ],
    [
      'a folder without tab files',
      () => {
        mkdirSync(at('empty-folder'), { recursive: true });
        writeFileSync(at('empty-folder/notes.csv'), 'a,b\n');
        return ['stats', at('empty-folder'), '--as-of', '2026-06-30'];
      },
      /没有|找不到/,
    ],
    [
      'an undecodable CSV',
      () => {
        mkdirSync(at('bad-encoding'), { recursive: true });
        writeFileSync(at('bad-encoding/plan.csv'), Buffer.from([0xff, 0xfe, 0xff, 0x81, 0x20]));
        return ['validate', at('bad-encoding')];
      },
      /编码/,
    ],
    ['a malformed --as-of', () => ['stats', at('sample.xlsx'), '--as-of', '2026/6/30'], /YYYY-MM-DD/],
    ['an unknown command', () => ['frobnicate', at('sample.xlsx')], /未知命令/],
  ];
  it.each(cases)('%s', (_name, args, pattern) => {
    const run = gongjian(args());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).toMatch(/[A-Za-z]{3,}/); // the English sentence
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });
});

describe('a tab missing a required column', () => {
  it('reports missing_column and rejects every row of that tab', () => {
    const dir = at('missing-column');
    mkdirSync(dir);
    writeFileSync(join(dir, 'plan.csv'), 'ID,Category,Title\n1,other,a\n');
    writeFileSync(join(dir, 'activities.csv'), 'Measure,Title\n1,x\n1,y\n');
    const run = gongjian(['validate', dir, '--as-of', '2026-06-30', '--json']);
    expect(run.code).toBe(1);
    const result = json<ValidateJson>(run);
    expect(result.tabs.activities).toEqual({ rows: 2, accepted: 0, rejected: 2 });
    const missing = result.issues.filter((i) => i.code === 'missing_column');
    expect(missing.map((i) => i.row)).toEqual([1, 2, 3]);
  });
});
