/**
 * A deterministic, realistic-looking workbook for the benchmark: every category, metric and
 * recurrence, partner lists with mixed separators, and dates and numbers in the shapes staff
 * really type (date cells, `2026/3/5`, `2026年3月5日`, full-width digits, serial numbers, `1,200`),
 * so validation's normalisation is exercised, not bypassed. Every generated row is meant to be
 * accepted; the few warnings it provokes (no e-mail, future or out-of-year activities) are realistic.
 */
import { COLUMNS, type RecordTabKey } from '../shared/columns';
import { isoOf, partsOf, serialOf } from '../shared/dates';
import {
  ACTIVITY_STATUS_LABELS,
  CATEGORY_LABELS,
  type Category,
  METRIC_LABELS,
  type Metric,
  PARTNER_TYPE_LABELS,
  type PartnerType,
  RECURRENCE_LABELS,
  type Recurrence,
  TAB_LABELS,
} from '../shared/i18n';
import type { CellValue, RawRow, RawTab, RawWorkbook } from '../shared/workbook';

export interface GenerateOptions {
  measures: number;
  partners: number;
  activities: number;
  year: number;
  seed: number;
}

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = {
  measures: 200,
  partners: 50,
  activities: 50_000,
  year: 2026,
  seed: 20_260_101,
};

/** A small seeded PRNG (mulberry32) with the helpers the generator needs. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    const last = choices[choices.length - 1];
    if (last === undefined) throw new Error('weighted pick from an empty list');
    return last[0];
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      const index = Math.floor(this.next() * pool.length);
      out.push(...pool.splice(index, 1));
    }
    return out;
  }

  shuffle<T>(items: readonly T[]): T[] {
    return this.sample(items, items.length);
  }
}

type FieldValues = Partial<Record<string, CellValue>>;

/** A header cell per column: mostly the Chinese header, with the unit variants staff write. */
const HEADER_VARIANTS: Partial<Record<string, string>> = {
  hours: '服务时长（小时）',
  funds: '投入资金(元)',
};

/** Builds a tab from records keyed by field, columns in the given order, plus unknown columns. */
function recordTab(
  tab: RecordTabKey,
  records: FieldValues[],
  order: readonly string[],
  extraColumns: readonly string[] = [],
): RawTab {
  const columns = order.map((field) => {
    const column = COLUMNS[tab].find((c) => c.field === field);
    if (!column) throw new Error(`no column ${tab}.${field}`);
    return column;
  });
  const header: CellValue[] = [
    ...columns.map((c) => (tab === 'activities' ? (HEADER_VARIANTS[c.field] ?? c.zh) : c.zh)),
    ...extraColumns,
  ];
  const rows: RawRow[] = records.map((record, index) => ({
    row: index + 2,
    cells: [
      ...columns.map((c) => record[c.field] ?? null),
      ...extraColumns.map((name) => record[name] ?? null),
    ],
  }));
  return { name: TAB_LABELS[tab].zh, header, rows };
}

const FULL_WIDTH_OFFSET = 0xfee0;
/** Full-width forms of ASCII digits, letters and punctuation (what NFKC undoes). */
function fullWidth(text: string): string {
  return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET));
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A calendar day (day number) written the way some staff member might have typed it. */
function dateCell(random: Random, day: number): CellValue {
  const { year, month, day: dom } = partsOf(day);
  const iso = isoOf(day);
  const shape = random.weighted([
    ['cell', 40],
    ['iso', 25],
    ['slash', 8],
    ['dot', 4],
    ['chinese', 10],
    ['chineseNoDay', 3],
    ['fullWidth', 5],
    ['serial', 5],
  ] as const);
  switch (shape) {
    case 'cell':
      return new Date(Date.UTC(year, month - 1, dom));
    case 'iso':
      return iso;
    case 'slash':
      return `${year}/${month}/${dom}`;
    case 'dot':
      return `${year}.${month}.${dom}`;
    case 'chinese':
      return `${year}年${month}月${dom}日`;
    case 'chineseNoDay':
      return `${year}年${month}月${dom}`;
    case 'fullWidth':
      return fullWidth(iso);
    case 'serial':
      return serialOf(day);
  }
}

/** `12345.6` → `12,345.6`. */
function withThousands(value: number): string {
  const [whole = '0', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A number cell, now and then typed as text (`1,200`, full-width digits). */
function numberCell(random: Random, value: number): CellValue {
  const roll = random.next();
  if (roll < 0.03) return withThousands(value);
  if (roll < 0.05) return fullWidth(String(value));
  return value;
}

const PARTNER_NAMES: Record<PartnerType, (i: number) => string> = {
  agency: (i) => `区第${i}机关事务局`,
  enterprise: (i) => `第${i}科技有限公司`,
  school: (i) => `第${i}中学`,
  village: (i) => `第${i}村（社区）委员会`,
  socialOrg: (i) => `第${i}志愿服务协会`,
  other: (i) => `第${i}共建单位`,
};

const MEASURE_TITLES = [
  '成立共建工作领导小组',
  '召开共建联席会议',
  '开展文明礼仪教育培训',
  '举办文明礼仪培训班',
  '建立结对联络制度',
  '定期开展结对交流',
  '购置办公电脑',
  '优化办公场所布局',
  '老年活动室加层',
  '无物业老旧小区安防改造',
  '结对帮扶困难家庭',
  '帮扶残疾人家庭',
  '开展为老服务',
  '驻区单位互惠合作',
  '志愿服务进社区',
  '环境卫生整治',
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳'];
const LOCATIONS = ['社区服务中心', '党群服务站', '老年活动室', '小区广场', '学校礼堂', '会议室'];
const LIST_SEPARATORS = [
  ['、', 50],
  [',', 20],
  ['，', 20],
  ['；', 10],
] as const;

function personName(random: Random): string {
  return `${random.pick(SURNAMES)}${random.pick(GIVEN)}${random.chance(0.5) ? random.pick(GIVEN) : ''}`;
}

interface GeneratedMeasure {
  id: string;
  title: string;
}

function settingsTab(options: GenerateOptions): RawTab {
  const rows: CellValue[][] = [
    ['社区名称', '幸福里社区'],
    ['计划年度', options.year],
    ['时区', 'Asia/Shanghai'],
    ['领导邮箱', 'leader@example.org、deputy@example.org'],
    ['摘要频率', '每月'],
    ['失联天数', 30],
    ['提醒天数', 7],
  ];
  return {
    name: TAB_LABELS.settings.zh,
    header: ['项目', '值'],
    rows: rows.map((cells, i) => ({ row: i + 2, cells })),
  };
}

function partnersTab(random: Random, options: GenerateOptions): { tab: RawTab; ids: string[] } {
  const types = Object.keys(PARTNER_TYPE_LABELS) as PartnerType[];
  const width = Math.max(2, String(options.partners).length);
  const ids: string[] = [];
  const records: FieldValues[] = [];
  for (let i = 1; i <= options.partners; i++) {
    const type = types[(i - 1) % types.length] ?? 'other';
    const id = `P${pad(i, width)}`;
    ids.push(id);
    const emails = random.chance(0.1)
      ? null
      : random.chance(0.1)
        ? `p${i}@example.org；p${i}.office@example.org`
        : `p${i}@example.org`;
    records.push({
      partnerId: id,
      name: PARTNER_NAMES[type](i),
      type: type === 'enterprise' && random.chance(0.3) ? '公司' : PARTNER_TYPE_LABELS[type],
      contact: personName(random),
      phone: `0571-8${pad(random.int(0, 9_999_999), 7)}`,
      emails,
      pairedOn: dateCell(random, dayNumber(options.year - 1, random.int(1, 12), random.int(1, 28))),
      active: random.chance(0.06) ? '退出' : '在册',
    });
  }
  const order = ['partnerId', 'name', 'type', 'contact', 'phone', 'emails', 'pairedOn', 'active'];
  return { tab: recordTab('partners', records, order), ids };
}

function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

/** A plan target suitable for a metric; smaller per period for recurring measures. */
function targetFor(random: Random, metric: Metric, recurring: boolean): number {
  switch (metric) {
    case 'count':
      return recurring ? random.int(1, 4) : random.int(2, 40);
    case 'participants':
      return recurring ? random.int(20, 300) : random.int(100, 5000);
    case 'beneficiaries':
      return recurring ? random.int(20, 500) : random.int(100, 8000);
    case 'hours':
      return recurring ? random.int(10, 200) : random.int(50, 3000);
    case 'funds':
      return recurring ? random.int(10, 200) * 100 : random.int(50, 5000) * 100;
    case 'milestone':
      return 1;
  }
}

function planTab(
  random: Random,
  options: GenerateOptions,
  partnerIds: string[],
): { tab: RawTab; measures: GeneratedMeasure[] } {
  const categories = Object.keys(CATEGORY_LABELS) as Category[];
  const perCategory = new Map<Category, number>();
  const measures: GeneratedMeasure[] = [];
  const records: FieldValues[] = [];
  for (let i = 1; i <= options.measures; i++) {
    const category = categories[(i - 1) % categories.length] ?? 'other';
    const seq = (perCategory.get(category) ?? 0) + 1;
    perCategory.set(category, seq);
    const id = `${categories.indexOf(category) + 1}.${seq}`;
    const metric = random.weighted<Metric>([
      ['count', 35],
      ['participants', 15],
      ['beneficiaries', 15],
      ['hours', 12],
      ['funds', 13],
      ['milestone', 10],
    ]);
    const recurrence: Recurrence =
      metric === 'milestone'
        ? 'none'
        : random.weighted<Recurrence>([
            ['none', 60],
            ['monthly', 20],
            ['quarterly', 15],
            ['halfYearly', 3],
            ['yearly', 2],
          ]);
    const title = `${random.pick(MEASURE_TITLES)}（${id}）`;
    measures.push({ id, title });

    let start: CellValue = null;
    let due: CellValue = null;
    if (random.chance(0.4)) {
      const startDay = dayNumber(options.year, random.int(1, 6), random.int(1, 28));
      const dueDay = Math.min(startDay + random.int(30, 300), dayNumber(options.year, 12, 31));
      start = dateCell(random, startDay);
      due = dateCell(random, dueDay);
    }
    const state = random.weighted([
      ['', 85],
      ['已完成', 8],
      ['已取消', 4],
      ['进行中', 3],
    ] as const);
    const owner = personName(random);
    records.push({
      measureId: id,
      category: category === 'other' && random.chance(0.5) ? '其它' : CATEGORY_LABELS[category],
      title,
      owner,
      ownerEmail: random.chance(0.8) ? `owner${i}@example.org` : null,
      partners: random.sample(partnerIds, random.int(0, 3)).join(random.weighted(LIST_SEPARATORS)) || null,
      metric: metric === 'count' && random.chance(0.3) ? null : METRIC_LABELS[metric],
      target: metric === 'milestone' ? null : targetFor(random, metric, recurrence !== 'none'),
      recurrence: recurrence === 'none' && random.chance(0.6) ? null : RECURRENCE_LABELS[recurrence],
      start,
      due,
      status: state === '' ? null : state,
      doneOn:
        state === '已完成'
          ? dateCell(random, dayNumber(options.year, random.int(1, 9), random.int(1, 28)))
          : null,
      notes: random.chance(0.05) ? '重点事项' : null,
    });
  }
  const order = random.shuffle(COLUMNS.plan.map((c) => c.field));
  return { tab: recordTab('plan', records, order), measures };
}

function activitiesTab(
  random: Random,
  options: GenerateOptions,
  partnerIds: string[],
  measures: GeneratedMeasure[],
): RawTab {
  const firstDay = dayNumber(options.year, 1, 1);
  const daysInYear = dayNumber(options.year + 1, 1, 1) - firstDay;
  const width = Math.max(6, String(options.activities).length);
  const perMeasure = new Map<string, number>();
  const records: FieldValues[] = [];
  for (let i = 1; i <= options.activities; i++) {
    const measure = random.pick(measures);
    const k = (perMeasure.get(measure.id) ?? 0) + 1;
    perMeasure.set(measure.id, k);
    // A few activities fall just outside the plan year (warned, counted for measures, not months).
    const day = random.chance(0.005)
      ? firstDay - random.int(1, 20)
      : firstDay + random.int(0, daysInYear - 1);

    const partnerCount = random.weighted([
      [0, 20],
      [1, 45],
      [2, 25],
      [3, 10],
    ] as const);
    const status = random.weighted([
      [ACTIVITY_STATUS_LABELS.done, 85],
      ['完成', 3],
      [null, 4],
      [ACTIVITY_STATUS_LABELS.planned, 5],
      [ACTIVITY_STATUS_LABELS.cancelled, 3],
    ] as const);

    const participants = random.chance(0.9) ? random.int(0, 200) : null;
    const beneficiaries = random.chance(0.7) ? random.int(0, 500) : null;
    const hours =
      participants !== null && random.chance(0.8)
        ? Math.round(Math.max(participants, 1) * (0.5 + random.next() * 3.5) * 2) / 2
        : null;
    const funds = random.chance(0.5) ? Math.round(random.next() * 2_000_000) / 100 : null;

    records.push({
      activityId: random.chance(0.95) ? `A${pad(i, width)}` : null,
      date: dateCell(random, day),
      measureId: random.chance(0.02) ? fullWidth(measure.id) : measure.id,
      partners: random.sample(partnerIds, partnerCount).join(random.weighted(LIST_SEPARATORS)) || null,
      title: `${measure.title.replace(/（.*）$/, '')}·第${k}场`,
      location: random.pick(LOCATIONS),
      participants: participants === null ? null : numberCell(random, participants),
      beneficiaries: beneficiaries === null ? null : numberCell(random, beneficiaries),
      hours: hours === null ? null : numberCell(random, hours),
      funds: funds === null ? null : numberCell(random, funds),
      status,
      recorder: personName(random),
      evidence: random.chance(0.3) ? `https://example.org/evidence/${i}` : null,
      notes: random.chance(0.02) ? '天气原因改期后补记' : null,
      附件: random.chance(0.01) ? '照片若干' : null,
    });
  }
  const order = random.shuffle(COLUMNS.activities.map((c) => c.field));
  return recordTab('activities', records, order, ['附件']);
}

/** A whole workbook (设置, 共建单位, 计划, 活动), the same for the same options. */
export function generateWorkbook(overrides: Partial<GenerateOptions> = {}): RawWorkbook {
  const options: GenerateOptions = { ...DEFAULT_GENERATE_OPTIONS, ...overrides };
  const random = new Random(options.seed);
  const partners = partnersTab(random, options);
  const plan = planTab(random, options, partners.ids);
  const activities = activitiesTab(random, options, partners.ids, plan.measures);
  return { tabs: [settingsTab(options), partners.tab, plan.tab, activities] };
}

/** Data rows per tab of a generated workbook (settings included). */
export function countRows(workbook: RawWorkbook): number {
  return workbook.tabs.reduce((sum, tab) => sum + tab.rows.length, 0);
}
