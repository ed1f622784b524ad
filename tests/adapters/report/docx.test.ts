/**
 * `gongjian report` on the sample, opened by LibreOffice: the PDF's text holds the title, every
 * heading and the key figures exactly as `gongjian stats --json` has them, and the document's XML
 * holds the GB/T 9704-2012 page setup and fonts.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stats } from '../../../shared/stats-types';
import { gongjian, json } from '../../cli/run-cli';
import { convertToPdf, packagePart, pdfPages, pdfText, squeeze } from '../../support/office';
import { tempFolder } from '../workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (name: string) => join(folder.dir, name);

/** The way the summary writes a figure and a rate; the test asserts they are whole first. */
const whole = (value: number) => {
  expect(Number.isInteger(value)).toBe(true);
  return String(value);
};
const rate = (fraction: number) => `${(fraction * 100).toFixed(1).replace(/\.0$/, '')}%`;

let stats: Stats;
let text: string;
let docx: string;

beforeAll(() => {
  expect(gongjian(['init', at('plan.xlsx'), '--year', '2026']).code).toBe(0);
  docx = at('summary.docx');
  const report = gongjian(['report', at('plan.xlsx'), '--as-of', '2026-12-31', '--out', docx]);
  expect(report.stderr).toBe('');
  expect(report.code).toBe(0);
  expect(report.stdout).toContain('统计截至 2026-12-31');
  stats = json<Stats>(gongjian(['stats', at('plan.xlsx'), '--as-of', '2026-12-31', '--json']));
  text = pdfText(convertToPdf(docx, folder.dir));
}, 180_000);

describe('the year-end summary as LibreOffice reads it', () => {
  it('has the title, every heading in order, and several pages', () => {
    const flat = squeeze(text);
    const headings = [
      'xx社区2026年共建工作总结',
      '（统计截至2026年12月31日）',
      '一、基本情况',
      '二、主要工作及成效',
      ...stats.categories.map((c, i) => `（${'一二三四五六七'[i]}）${c.label}`),
      '三、共建单位参与情况',
      '四、存在的问题',
      '五、下一步打算',
      '附件',
    ];
    let from = 0;
    for (const heading of headings) {
      const at = flat.indexOf(heading, from);
      expect(at, heading).toBeGreaterThanOrEqual(from);
      from = at + heading.length;
    }
    expect(pdfPages(text)).toBeGreaterThanOrEqual(5);
  });

  it('states the plan’s key figures exactly as gongjian stats --json has them', () => {
    const { plan } = stats;
    const flat = squeeze(text);
    const basic = flat.slice(flat.indexOf('一、基本情况'), flat.indexOf('二、主要工作及成效'));
    for (const phrase of [
      `共列入事项${whole(plan.measures)}项`,
      `已完成${whole(plan.done)}项`,
      `完成率${rate(plan.completionRate)}`,
      `平均进度${rate(plan.averageProgress)}`,
      `开展活动${whole(plan.activities)}次`,
      `参与${whole(plan.participants)}人次`,
      `受益${whole(plan.beneficiaries)}人次`,
      `志愿服务${whole(plan.hours)}小时`,
      `投入资金${whole(plan.funds)}元`,
      `${stats.partners.filter((p) => p.activities > 0).length}家参与了共建活动`,
    ]) {
      expect(basic, phrase).toContain(phrase);
    }
    for (const status of ['overdue', 'behind', 'onTrack', 'cancelled'] as const) {
      if (plan[status] > 0) expect(basic).toContain(`${whole(plan[status])}项`);
    }
  });

  it('gives each category its own figures, and names every measure and partner unit', () => {
    const flat = squeeze(text);
    stats.categories.forEach((c, i) => {
      const start = flat.indexOf(`（${'一二三四五六七'[i]}）${c.label}`);
      const part = flat.slice(start, start + 200);
      expect(part).toContain(
        `本类共有事项${whole(c.measures)}项，已完成${whole(c.done)}项，完成率${rate(c.completionRate)}`,
      );
      expect(part).toContain(`开展活动${whole(c.activities)}次`);
    });
    const appendix = flat.slice(flat.lastIndexOf('附件'));
    for (const m of stats.measures) expect(appendix).toContain(m.measureId);
    const partners = flat.slice(flat.indexOf('三、共建单位参与情况'), flat.indexOf('四、存在的问题'));
    for (const p of stats.partners.filter((p) => p.activities > 0)) {
      // The table row: activities, hours and funds of the unit, in that order.
      expect(partners).toContain(`${whole(p.activities)}${whole(p.hours)}${whole(p.funds)}`);
    }
  });

  it('lists every overdue and behind measure and every stale unit under 四、存在的问题', () => {
    const flat = squeeze(text);
    const problems = flat.slice(flat.indexOf('四、存在的问题'), flat.indexOf('五、下一步打算'));
    const overdue = stats.measures.filter((m) => m.status === 'overdue');
    const behind = stats.measures.filter((m) => m.status === 'behind');
    expect(overdue.length + behind.length).toBeGreaterThan(0);
    for (const m of [...overdue, ...behind]) expect(problems).toContain(`编号${m.measureId}`);
    if (overdue.length > 0) expect(problems).toContain(`逾期未完成的事项（${overdue.length}项）`);
    if (behind.length > 0) expect(problems).toContain(`进度滞后的事项（${behind.length}项）`);
    const stale = stats.partners.filter((p) => p.stale).length;
    if (stale > 0) expect(problems).toContain(`联系不够紧密的共建单位（${stale}家）`);
  });

  it('shows both charts as pictures, each with its caption', () => {
    const flat = squeeze(text);
    expect(flat).toContain('图12026年各月活动次数与志愿服务时长');
    expect(flat).toContain('图22026年各类别事项完成情况');
    const document = packagePart(docx, 'word/document.xml');
    expect(document.match(/<pic:pic /g)).toHaveLength(2);
    const rels = packagePart(docx, 'word/_rels/document.xml.rels');
    for (const [, target] of rels.matchAll(/Target="(media\/[^"]+)"/g)) {
      const png = packagePart(docx, `word/${target}`);
      expect(png.slice(1, 4)).toBe('PNG');
    }
    expect([...rels.matchAll(/Target="media\//g)]).toHaveLength(2);
  });

  it('stays a small file', () => {
    expect(statSync(docx).size).toBeLessThan(1024 * 1024);
  });
});

describe('the document’s layout after GB/T 9704-2012, read back from its XML', () => {
  it('is A4 with margins 37/35/28/26 mm (top/bottom/left/right)', () => {
    const xml = packagePart(docx, 'word/document.xml');
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const margin = /<w:pgMar ([^>]*)\/>/.exec(xml)?.[1] ?? '';
    const twips = (name: string) => Number(new RegExp(`w:${name}="(\\d+)"`).exec(margin)?.[1]);
    const mm = (value: number) => (value * 25.4) / 1440;
    expect(mm(twips('top'))).toBeCloseTo(37, 1);
    expect(mm(twips('bottom'))).toBeCloseTo(35, 1);
    expect(mm(twips('left'))).toBeCloseTo(28, 1);
    expect(mm(twips('right'))).toBeCloseTo(26, 1);
  });

  it('sets the title in 方正小标宋简体 二号 and the body in 仿宋_GB2312 三号 on a fixed 28–29 pt line', () => {
    const xml = packagePart(docx, 'word/document.xml');
    const styles = packagePart(docx, 'word/styles.xml');
    const paragraphs = xml.split('<w:p>').slice(1);
    /** The paragraph holding `text`, with its own properties and those of its style. */
    const format = (text: string) => {
      const paragraph = paragraphs.find((p) => p.includes(text)) ?? '';
      const id = /<w:pStyle w:val="([^"]+)"\/>/.exec(paragraph)?.[1];
      expect(id, text).toBeDefined();
      const style = new RegExp(`<w:style [^>]*w:styleId="${id}"[^>]*>(.*?)</w:style>`, 's').exec(styles)?.[1];
      expect(style, `style ${id}`).toBeDefined();
      return `${paragraph}\n${style}`;
    };

    const title = format('共建工作总结</w:t>');
    expect(title).toContain('w:eastAsia="方正小标宋简体"');
    expect(title).toContain('<w:sz w:val="44"/>');
    expect(title).toContain('<w:jc w:val="center"/>');

    const body = format('共列入事项');
    expect(body).toContain('w:eastAsia="仿宋_GB2312"');
    expect(body).toContain('<w:sz w:val="32"/>');
    const spacing = /<w:spacing [^>]*w:line="(\d+)"[^>]*w:lineRule="exact"/.exec(body);
    const points = Number(spacing?.[1]) / 20;
    expect(points).toBeGreaterThanOrEqual(28);
    expect(points).toBeLessThanOrEqual(29);

    expect(format('>一、基本情况<')).toContain('w:eastAsia="黑体"');
    expect(format(`>（一）${stats.categories[0]?.label}<`)).toContain('w:eastAsia="楷体_GB2312"');
    // Chinese text is marked as such, so Word and WPS apply the East Asian font to it.
    expect(styles).toMatch(/<w:lang [^>]*w:eastAsia="zh-CN"/);
  });

  it('highlights the placeholders staff fill in', () => {
    const xml = packagePart(docx, 'word/document.xml');
    const next = xml.slice(xml.indexOf('五、下一步打算'));
    expect(next).toMatch(/<w:highlight w:val="yellow"\/>(?:(?!<\/w:r>).)*【请填写/s);
  });

  it('numbers pages 「— 1 —」, odd pages right and even pages left', () => {
    expect(packagePart(docx, 'word/settings.xml')).toContain('<w:evenAndOddHeaders/>');
    const rels = packagePart(docx, 'word/_rels/document.xml.rels');
    const document = packagePart(docx, 'word/document.xml');
    const footers = [...document.matchAll(/<w:footerReference w:type="(default|even)" r:id="(\w+)"\/>/g)];
    expect(footers.map((f) => f[1]).sort()).toEqual(['default', 'even']);
    for (const [, type, id] of footers) {
      const target = new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(rels)?.[1] ?? '';
      const footer = packagePart(docx, `word/${target}`);
      expect(footer.replace(/<[^>]+>/g, '')).toMatch(/^— PAGE —$/);
      expect(footer).toContain(`<w:jc w:val="${type === 'default' ? 'right' : 'left'}"/>`);
      expect(footer).toContain('w:eastAsia="宋体"');
      expect(footer).toContain('<w:sz w:val="28"/>');
    }
  });

  it('names each Chinese font with a fallback and the GB2312 charset, embedding none', () => {
    const fonts = packagePart(docx, 'word/fontTable.xml');
    for (const [name, alt] of [
      ['方正小标宋简体', '宋体'],
      ['仿宋_GB2312', '仿宋'],
      ['黑体', 'SimHei'],
      ['楷体_GB2312', '楷体'],
    ]) {
      expect(fonts).toContain(`<w:font w:name="${name}"><w:altName w:val="${alt}"/><w:charset w:val="86"/>`);
    }
    expect(fonts).not.toMatch(/embed/i);
  });
});

describe('gongjian report without options', () => {
  it('summarises a finished year up to its last day and writes beside the workbook', () => {
    expect(gongjian(['init', at('old.xlsx'), '--year', '2025']).code).toBe(0);
    const run = gongjian(['report', at('old.xlsx')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('已写入「xx社区2025年共建工作总结」（统计截至 2025-12-31）');
    expect(existsSync(at('old-2025年共建工作总结.docx'))).toBe(true);
  });
});
