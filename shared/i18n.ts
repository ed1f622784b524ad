/**
 * The one table of Chinese labels: enumerations, statuses, tab names. English keys are the code's
 * words; the Chinese labels are what staff type and read.
 */

export const CATEGORY_LABELS = {
  partyBuilding: '党建共商',
  practicalMatters: '实事共办',
  civility: '文明共创',
  problemSolving: '难题共解',
  jointActivities: '活动共搞',
  organization: '组织保障',
  other: '其他',
} as const;
export type Category = keyof typeof CATEGORY_LABELS;
/** Categories in the order of the spec (the order of the by-category table). */
export const CATEGORIES = Object.keys(CATEGORY_LABELS) as Category[];

export const PARTNER_TYPE_LABELS = {
  agency: '机关',
  enterprise: '企业',
  school: '学校',
  village: '村社',
  socialOrg: '社会组织',
  other: '其他',
} as const;
export type PartnerType = keyof typeof PARTNER_TYPE_LABELS;

export const PARTNER_STATE_LABELS = { active: '在册', inactive: '退出' } as const;
export type PartnerState = keyof typeof PARTNER_STATE_LABELS;

export const METRIC_LABELS = {
  count: '次数',
  participants: '参与人数',
  beneficiaries: '受益人数',
  hours: '服务时长',
  funds: '投入资金',
  milestone: '里程碑',
} as const;
export type Metric = keyof typeof METRIC_LABELS;

export const RECURRENCE_LABELS = {
  none: '无',
  monthly: '每月',
  quarterly: '每季度',
  halfYearly: '每半年',
  yearly: '每年',
} as const;
export type Recurrence = keyof typeof RECURRENCE_LABELS;

/** A measure's status as typed in the sheet (empty = automatic). */
export const MEASURE_STATE_LABELS = { auto: '进行中', done: '已完成', cancelled: '已取消' } as const;
export type MeasureState = keyof typeof MEASURE_STATE_LABELS;

/** pending (待审核): a row reported through an update request, awaiting staff review; counts nowhere. */
export const ACTIVITY_STATUS_LABELS = {
  done: '已完成',
  planned: '计划中',
  cancelled: '已取消',
  pending: '待审核',
} as const;
export type ActivityStatus = keyof typeof ACTIVITY_STATUS_LABELS;

export const DIGEST_FREQUENCY_LABELS = { weekly: '每周', monthly: '每月' } as const;

/** 设置 → 佐证要求 (SPEC §3, §11): whether a done activity without evidence is let pass, warned, or refused. */
export const EVIDENCE_RULE_LABELS = { none: '无', warn: '提醒', require: '必须' } as const;
export type EvidenceRule = keyof typeof EVIDENCE_RULE_LABELS;

/** A day of the 节假日 tab: 休 a day off, 班 a make-up working day (调休). */
export const HOLIDAY_KIND_LABELS = { off: '休', work: '班' } as const;
export type HolidayKind = keyof typeof HOLIDAY_KIND_LABELS;
export type DigestFrequency = keyof typeof DIGEST_FREQUENCY_LABELS;

/** A measure's computed status (§4), in the order the tables show them. */
export const STATUS_LABELS = {
  done: '已完成',
  overdue: '已逾期',
  behind: '进度滞后',
  onTrack: '正常推进',
  notStarted: '未开始',
  cancelled: '已取消',
} as const;
export type MeasureStatus = keyof typeof STATUS_LABELS;
export const MEASURE_STATUSES = Object.keys(STATUS_LABELS) as MeasureStatus[];

/** What needs attention (§6 关注事项), in the tab's order: the 类型 cell of each kind of row. */
export const ATTENTION_LABELS = {
  overdue: STATUS_LABELS.overdue,
  behind: STATUS_LABELS.behind,
  dueSoon: '即将到期',
  stalePartner: '失联单位',
} as const;
export type AttentionKind = keyof typeof ATTENTION_LABELS;
export const ATTENTION_KINDS = Object.keys(ATTENTION_LABELS) as AttentionKind[];

/** Short forms staff type for enumerations (§3 Normalisation), mapped to the English key. */
export const ENUM_SHORT_FORMS = {
  measureState: { 完成: 'done', 取消: 'cancelled', 进行中: 'auto' },
  activityStatus: { 完成: 'done', 取消: 'cancelled', 计划: 'planned', 审核: 'pending', 待审: 'pending' },
  recurrence: {
    每季: 'quarterly',
    季度: 'quarterly',
    每月: 'monthly',
    月度: 'monthly',
    半年: 'halfYearly',
    每年: 'yearly',
    年度: 'yearly',
    一次性: 'none',
  },
  partnerType: {
    机关单位: 'agency',
    事业单位: 'agency',
    公司: 'enterprise',
    村: 'village',
    社区: 'village',
    其它: 'other',
  },
  metric: { 人数: 'participants', 小时: 'hours', 时长: 'hours', 资金: 'funds', 元: 'funds' },
  category: { 其它: 'other' },
  partnerState: {},
  digestFrequency: {},
  evidenceRule: {
    不要求: 'none',
    不需要: 'none',
    警告: 'warn',
    warning: 'warn',
    必需: 'require',
    必填: 'require',
    required: 'require',
  },
  holidayKind: {
    休息: 'off',
    放假: 'off',
    假: 'off',
    holiday: 'off',
    上班: 'work',
    补班: 'work',
    调休上班: 'work',
    workday: 'work',
  },
} as const;

export const TAB_LABELS = {
  settings: { zh: '设置', en: 'Settings' },
  partners: { zh: '共建单位', en: 'Partners' },
  plan: { zh: '计划', en: 'Plan' },
  activities: { zh: '活动', en: 'Activities' },
  holidays: { zh: '节假日', en: 'Holidays' },
} as const;

/** The generated tabs of §6: Chinese name first, English second. */
export const GENERATED_TAB_LABELS = {
  overview: { zh: '汇总', en: 'Overview' },
  byCategory: { zh: '按类别', en: 'By category' },
  byPartner: { zh: '按单位', en: 'By partner' },
  byMonth: { zh: '按月', en: 'By month' },
  attention: { zh: '关注事项', en: 'Attention' },
  validation: { zh: '校验', en: 'Validation' },
  history: { zh: '变更记录', en: 'History' },
} as const;
export type GeneratedTab = keyof typeof GENERATED_TAB_LABELS;

/** The generated tabs of the district roll-up (§13, 街道汇总.xlsx): Chinese name first, English second. */
export const ROLLUP_TAB_LABELS = {
  communities: { zh: '社区总览', en: 'Communities' },
  byCategory: { zh: '按类别', en: 'By category' },
  attention: { zh: '关注事项', en: 'Attention' },
  byMonth: { zh: '按月', en: 'By month' },
} as const;
export type RollupTab = keyof typeof ROLLUP_TAB_LABELS;
/** The roll-up's tabs in workbook order. */
export const ROLLUP_TABS = Object.keys(ROLLUP_TAB_LABELS) as RollupTab[];

export const SEVERITY_LABELS = { error: '错误', warning: '警告' } as const;

/** A yes/no cell of a generated tab (按单位 失联). */
export const YES_NO_LABELS = { yes: '是', no: '否' } as const;

/** Who wrote a change (§12), as the 变更记录 tab and the CLI show it. */
export const CHANGE_SOURCE_LABELS = {
  sync: '同步',
  form: '填报',
  restore: '恢复',
  api: '接口',
} as const;

/** What a change did to its record (§12). */
export const CHANGE_OP_LABELS = { created: '新增', updated: '修改', deleted: '删除' } as const;
