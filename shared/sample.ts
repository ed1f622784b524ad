/**
 * The sample workbook of §8: "xx社区 <year>年共建计划", what `gongjian init` and the local stack's
 * first run write. Everything is literal data in sheet order, so a reader sees exactly what a new
 * user sees. A few rows carry a deliberate, plausible slip (marked `mistake`) so the validation
 * has something to show; SAMPLE_MISTAKES lists them with their sheet row numbers.
 *
 * Dates in the tables are `MM-DD` within the plan year; they become UTC-midnight date cells.
 */
import {
  COLUMNS,
  type ColumnOf,
  type FieldOf,
  type RecordTabKey,
  SETTINGS_COLUMNS,
  type TableTabKey,
} from './columns';
import {
  type ACTIVITY_STATUS_LABELS,
  type CATEGORY_LABELS,
  type Category,
  type MEASURE_STATE_LABELS,
  type METRIC_LABELS,
  type Metric,
  type PARTNER_STATE_LABELS,
  type PARTNER_TYPE_LABELS,
  type PartnerType,
  type RECURRENCE_LABELS,
  type Recurrence,
  TAB_LABELS,
} from './i18n';
import type { IssueCode } from './issues';
import type { IsoDate } from './model';
import type { CellValue, RawTab, RawWorkbook } from './workbook';
import { calendarKnows } from './workdays';

/** One deliberate mistake of the sample: where it is and the issue validation must report. */
export interface SampleMistake {
  tab: RecordTabKey;
  row: number;
  code: IssueCode;
}

type CategoryLabel = (typeof CATEGORY_LABELS)[Category];
type PartnerTypeLabel = (typeof PARTNER_TYPE_LABELS)[PartnerType];
type MetricLabel = (typeof METRIC_LABELS)[Metric];
type RecurrenceLabel = (typeof RECURRENCE_LABELS)[Recurrence];

interface SampleRow {
  /** The issue this row deliberately causes (see SAMPLE_MISTAKES). */
  mistake?: IssueCode;
}

interface PartnerRow extends SampleRow {
  id: string;
  name: string;
  type: PartnerTypeLabel;
  contact: string;
  phone: string;
  emails?: string;
  /** Years before the plan year, and the month-day. */
  paired: [yearsBefore: number, monthDay: string];
  state?: (typeof PARTNER_STATE_LABELS)['inactive'];
}

interface MeasureRow extends SampleRow {
  id: string;
  category: CategoryLabel;
  title: string;
  owner: keyof typeof OWNER_EMAILS;
  partners?: string;
  metric: MetricLabel;
  target: number;
  recurrence?: RecurrenceLabel;
  start?: string;
  due?: string;
  state?: (typeof MEASURE_STATE_LABELS)['done' | 'cancelled'];
  doneOn?: string;
  notes?: string;
}

interface ActivityRow extends SampleRow {
  id?: string;
  date: string;
  measure: string;
  partners?: string;
  title: string;
  location?: string;
  /** A string only for a deliberate typing slip. */
  participants?: number | string;
  beneficiaries?: number;
  hours?: number;
  funds?: number;
  status?: (typeof ACTIVITY_STATUS_LABELS)['planned' | 'cancelled'];
  /** Defaults to the staff member who keeps the records of the measure's chapter (RECORDERS). */
  recorder?: string;
  evidence?: string;
  notes?: string;
}

const COMMUNITY = 'xx社区';

/** Measure owners and their email: the community's secretary, director and four staff members. */
const OWNER_EMAILS = {
  张丽华: 'zhanglihua@example.cn',
  李明: 'liming@example.com',
  王芳: 'wangfang@example.cn',
  陈建国: 'chenjianguo@example.cn',
  刘洋: 'liuyang@example.cn',
  赵敏: 'zhaomin@example.cn',
} as const;

/** Who records the activities of each chapter of the plan (the part of the ID before the dot). */
const RECORDERS: Record<string, string> = {
  '1': '赵敏',
  '2': '刘洋',
  '3': '赵敏',
  '4': '陈建国',
  '5': '王芳',
  '6': '赵敏',
};

/** The partners that sit on the quarterly joint meeting. */
const JOINT_MEETING = 'P01、P02、P03、P04、P06、P09';

// biome-ignore format: a data table reads best one row per line
const PARTNERS: PartnerRow[] = [
  { id: 'P01', name: '区住建局', type: '机关', contact: '周建华', phone: '0571-86001234', emails: 'zhoujianhua@example.cn', paired: [2, '03-15'] },
  { id: 'P02', name: 'xx街道办事处', type: '机关', contact: '吴晓燕', phone: '0571-86002345', emails: 'jiedao@example.cn', paired: [3, '01-10'] },
  { id: 'P03', name: '区民政局', type: '机关', contact: '郑国强', phone: '0571-86003456', emails: 'zhengguoqiang@example.cn', paired: [2, '06-01'] },
  { id: 'P04', name: 'xx供电公司', type: '企业', contact: '冯涛', phone: '138 0000 1234', emails: 'fengtao@example.com、dangban@example.com', paired: [1, '04-20'] },
  { id: 'P05', name: 'xx农商银行', type: '企业', contact: '何静', phone: '138-0000-2345', emails: 'hejing@example.com', paired: [1, '05-08'] },
  { id: 'P06', name: '第一中学', type: '学校', contact: '黄志强', phone: '0571-86006789', emails: 'yizhong@example.cn', paired: [3, '09-01'] },
  // The letter O typed for a zero.
  { id: 'P07', name: '实验小学', type: '学校', contact: '林小红', phone: '0571-86O91235', emails: 'shiyanxiaoxue@example.cn', paired: [2, '09-01'], mistake: 'invalid_phone' },
  // The village committee has no email: it gets no digest.
  { id: 'P08', name: 'xx村', type: '村社', contact: '马德福', phone: '13800003456', paired: [1, '11-12'], mistake: 'no_email' },
  { id: 'P09', name: '区志愿者协会', type: '社会组织', contact: '罗敏', phone: '(0571) 8600 9012', emails: 'zhiyuan@example.cn', paired: [1, '12-05'] },
  { id: 'P10', name: '阳光社工服务中心', type: '社会组织', contact: '梁婷', phone: '13800005678', emails: 'yangguang@example.com', paired: [1, '03-01'] },
  { id: 'P11', name: 'xx物流公司', type: '企业', contact: '谢伟', phone: '13800006789', emails: 'xiewei@example.com', paired: [2, '07-01'], state: '退出' },
];

// biome-ignore format: a data table reads best one row per line
const MEASURES: MeasureRow[] = [
  { id: '1.1', category: '组织保障', title: '成立共建工作领导小组，明确分工和议事规则', owner: '张丽华', partners: 'P02', metric: '里程碑', target: 1, start: '01-01', due: '02-28', state: '已完成', doneOn: '01-20', notes: '社区党委书记任组长，各共建单位分管领导为成员' },
  { id: '1.2', category: '组织保障', title: '建立共建联络员制度，定期召开联络员工作会', owner: '赵敏', metric: '次数', target: 4, notes: '各共建单位各明确一名联络员' },
  { id: '2.1', category: '文明共创', title: '开展文明礼仪进社区、进校园教育', owner: '刘洋', partners: '第一中学、P07、P09', metric: '次数', target: 8 },
  { id: '2.2', category: '文明共创', title: '举办居民文明素养培训班', owner: '刘洋', partners: 'P03、P10', metric: '参与人数', target: 300, start: '03-01', due: '11-30', notes: '全年6期' },
  { id: '2.3', category: '文明共创', title: '开展“文明家庭”“最美楼道”评选', owner: '刘洋', partners: 'P02', metric: '次数', target: 2 },
  { id: '3.1', category: '活动共搞', title: '开展结对共建主题活动', owner: '赵敏', partners: 'P04、P05、P06、P07、P08、P09', metric: '次数', target: 12 },
  { id: '3.2', category: '活动共搞', title: '与共建单位定期交流走访', owner: '李明', partners: 'P01、P02、P03', metric: '次数', target: 2, recurrence: '每半年' },
  { id: '3.3', category: '活动共搞', title: '召开共建联席会议，通报进展、协调问题', owner: '张丽华', partners: JOINT_MEETING, metric: '次数', target: 1, recurrence: '每季度' },
  { id: '3.4', category: '活动共搞', title: '每月“共建志愿服务日”', owner: '刘洋', partners: 'P09', metric: '次数', target: 1, recurrence: '每月' },
  { id: '3.5', category: '活动共搞', title: '举办共建单位职工趣味运动会', owner: '赵敏', partners: 'P04、P05', metric: '次数', target: 1, start: '05-01', due: '05-31', state: '已取消', notes: '老年活动室加层施工，场地不具备条件，经联席会议研究取消' },
  { id: '4.1', category: '实事共办', title: '为社区购置办公电脑及配套设备', owner: '李明', partners: 'P04、P05', metric: '投入资金', target: 30000, start: '03-01', due: '06-30' },
  { id: '4.2', category: '实事共办', title: '社区办公场所布局调整，设置“一站式”服务大厅', owner: '李明', partners: 'P02', metric: '里程碑', target: 1, start: '02-01', due: '06-30', state: '已完成', doneOn: '05-28' },
  { id: '4.3', category: '实事共办', title: '老年活动室加层改造', owner: '陈建国', partners: '区住建局、P02', metric: '里程碑', target: 1, start: '03-01', due: '10-31' },
  { id: '4.4', category: '实事共办', title: '无物业老旧小区（和平里小区）安防设施改造', owner: '陈建国', partners: 'P01、P04', metric: '投入资金', target: 150000, start: '04-01' },
  { id: '5.1', category: '难题共解', title: '困难、残疾家庭结对帮扶', owner: '王芳', partners: 'P03、P05、P10', metric: '受益人数', target: 120 },
  { id: '5.2', category: '难题共解', title: '为老服务：助餐、助洁、健康义诊', owner: '王芳', partners: 'P06、P09、P10', metric: '服务时长', target: 600 },
  // Meant 31 January of the next year, typed in this year.
  { id: '5.3', category: '难题共解', title: '“冬季送温暖”走访慰问困难群众', owner: '王芳', partners: 'P03、P05', metric: '受益人数', target: 50, start: '12-01', due: '01-31', notes: '跨年度开展，至次年1月底', mistake: 'date_range' },
  { id: '6.1', category: '党建共商', title: '驻区单位互惠共建，资源共享、服务共担', owner: '张丽华', partners: 'P01、P04、P05、P06、P07', metric: '次数', target: 6 },
  { id: '6.2', category: '党建共商', title: '共建单位党组织联合开展主题党日活动', owner: '赵敏', partners: 'P02、P04、P05、P06', metric: '次数', target: 4 },
];

/**
 * A year of activities, in the order staff typed them. The first rows carry the IDs the system
 * assigned at an earlier sync. The quarterly joint meeting (3.3) misses the third quarter: it was
 * postponed to October. Measure 5.3 has no activities (its row is rejected).
 */
// biome-ignore format: a data table reads best one row per line
const ACTIVITIES: ActivityRow[] = [
  { id: 'A0001', date: '01-06', measure: '1.1', partners: 'P02', title: '共建工作领导小组成立会议', location: '社区党群服务中心', participants: 15, evidence: 'https://example.cn/album/lingdaoxiaozu-0106', notes: '街道分管领导出席' },
  { id: 'A0002', date: '01-10', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 12, hours: 24 },
  { id: 'A0003', date: '01-15', measure: '3.4', partners: 'P09、P11', title: '1月志愿服务日：迎新春环境大扫除', location: '社区广场', participants: 32, hours: 64 },
  { id: 'A0004', date: '01-18', measure: '1.2', title: '共建联络员工作会（第一次）', location: '社区会议室', participants: 12, notes: '确定各单位联络员名单' },
  { id: 'A0005', date: '01-20', measure: '5.1', partners: 'P03、P05', title: '春节前走访慰问困难、残疾家庭', location: '入户走访', participants: 10, beneficiaries: 18, funds: 9000, evidence: 'https://example.cn/album/weiwen-0120' },
  { id: 'A0006', date: '01-24', measure: '5.2', partners: 'P06', title: '第一中学学生志愿者为老人写春联', location: '社区老年活动室', participants: 20, beneficiaries: 45, hours: 40 },
  { id: 'A0007', date: '01-26', measure: '6.1', partners: 'P04', title: '供电公司上门检修老年户用电线路', location: '和平里小区', participants: 6, beneficiaries: 23, hours: 18 },
  { id: 'A0008', date: '01-28', measure: '3.1', partners: 'P11', title: '物流公司春节前为困难老人送年货', location: '社区党群服务中心', participants: 8, beneficiaries: 30, funds: 3000 },
  { id: 'A0009', date: '02-07', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 13, hours: 24 },
  { id: 'A0010', date: '02-12', measure: '3.4', partners: 'P09、P02', title: '2月志愿服务日：元宵节送汤圆进楼道', location: '社区广场', participants: 28, beneficiaries: 160, hours: 56 },
  { id: 'A0011', date: '02-18', measure: '3.1', partners: 'P06、P07', title: '寒假“小小志愿者”社区实践', location: '社区党群服务中心', participants: 35, hours: 70 },
  { id: 'A0012', date: '02-21', measure: '5.2', partners: 'P09', title: '健康义诊：测血压、血糖', location: '社区卫生站', participants: 6, beneficiaries: 52, hours: 18 },
  { date: '02-25', measure: '4.2', partners: 'P02', title: '办公场所布局调整方案论证会', location: '社区会议室', participants: 9 },
  { date: '02-26', measure: '5.1', partners: 'P10', title: '困难家庭子女寒假学业辅导', location: '社区党群服务中心', participants: 6, beneficiaries: 9, hours: 18 },
  { date: '03-05', measure: '3.4', partners: 'P09、P06', title: '3月志愿服务日：学雷锋便民服务', location: '社区广场', participants: 40, beneficiaries: 210, hours: 120, evidence: 'https://example.cn/album/xueleifeng-0305' },
  { date: '03-08', measure: '6.2', partners: 'P02、P05', title: '“三八”节联合主题党日：巾帼心向党', location: '社区党群服务中心', participants: 36 },
  { date: '03-12', measure: '2.1', partners: 'P06', title: '文明礼仪进校园：第一中学七年级专题课', location: '第一中学', participants: 280 },
  { date: '03-13', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 12, hours: 24 },
  { date: '03-15', measure: '3.1', partners: 'P05', title: '“3·15”消费者权益保护宣传', location: '社区广场', participants: 60 },
  { date: '03-18', measure: '2.2', partners: 'P10', title: '居民文明素养培训班第1期：文明礼仪与邻里相处', location: '社区党群服务中心', participants: 48, evidence: 'https://example.cn/album/peixun-1' },
  { date: '03-20', measure: '3.3', partners: JOINT_MEETING, title: '第一季度共建联席会议', location: '社区会议室', participants: 18, evidence: 'https://example.cn/docs/lianxihuiyi-q1', notes: '审议通过全年共建项目清单' },
  { date: '03-25', measure: '4.3', partners: '区住建局', title: '老年活动室加层结构安全鉴定', location: '社区老年活动室', participants: 5, notes: '鉴定结论：可加建一层' },
  { date: '03-27', measure: '5.2', partners: 'P09', title: '健康义诊：春季流感预防讲座', location: '社区卫生站', participants: 5, beneficiaries: 41, hours: 15 },
  { date: '03-28', measure: '5.1', partners: 'P05', title: '为残疾人家庭送康复辅具', location: '入户走访', participants: 4, beneficiaries: 6, funds: 4800 },
  { date: '04-03', measure: '2.1', partners: 'P07', title: '“文明祭扫”主题教育：实验小学少先队队日', location: '实验小学', participants: 120 },
  { date: '04-08', measure: '4.4', partners: 'P01', title: '和平里小区安防改造居民意见征集会', location: '和平里小区', participants: 48 },
  { date: '04-09', measure: '4.1', partners: 'P04', title: '购置办公电脑10台', location: '社区党群服务中心', funds: 28500, evidence: 'https://example.cn/docs/diannao-fapiao', notes: '供电公司资助' },
  { date: '04-10', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 9, beneficiaries: 12, hours: 27 },
  { date: '04-15', measure: '4.2', partners: 'P02', title: '服务大厅装修改造施工', location: '社区党群服务中心', funds: 18000 },
  { date: '04-16', measure: '3.4', partners: 'P09、P08', title: '4月志愿服务日：助农春耕', location: 'xx村', participants: 26, hours: 78 },
  { date: '04-18', measure: '3.2', partners: 'P01、P02', title: '走访区住建局、街道办事处交流共建项目', location: '区住建局', participants: 6 },
  // "十二" typed in words.
  { date: '04-20', measure: '2.1', partners: 'P07', title: '实验小学“文明小卫士”社区体验', location: '社区广场', participants: '十二', mistake: 'invalid_number' },
  { date: '04-22', measure: '2.2', partners: 'P03', title: '居民文明素养培训班第2期：垃圾分类与绿色生活', location: '社区党群服务中心', participants: 52 },
  { date: '04-24', measure: '5.2', partners: 'P06', title: '第一中学学生陪伴空巢老人', location: '社区老年活动室', participants: 15, beneficiaries: 20, hours: 30 },
  // The same training class entered a second time by a colleague.
  { date: '04-22', measure: '2.2', partners: 'P03', title: '居民文明素养培训班第2期：垃圾分类与绿色生活', location: '社区党群服务中心', participants: 50, recorder: '王芳', mistake: 'duplicate_activity' },
  { date: '04-27', measure: '5.1', partners: 'P03、P10', title: '困难家庭救助政策宣讲与入户登记', location: '入户走访', participants: 5, beneficiaries: 11, hours: 15 },
  { date: '04-29', measure: '3.1', partners: 'P05', title: '金融知识进社区：防范电信网络诈骗', location: '社区广场', participants: 85 },
  { date: '05-08', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 13, hours: 24 },
  { date: '05-12', measure: '4.4', partners: 'P01、P04', title: '安防改造：安装高清监控探头24个', location: '和平里小区', funds: 62000, evidence: 'https://example.cn/docs/anfang-jiankong' },
  { date: '05-14', measure: '3.4', partners: 'P09、P07', title: '5月志愿服务日：防灾减灾宣传', location: '社区广场', participants: 30, hours: 60 },
  { date: '05-16', measure: '1.2', title: '共建联络员工作会（第二次）', location: '社区会议室', participants: 11 },
  { date: '05-19', measure: '4.3', partners: '区住建局', title: '加层设计方案居民议事会', location: '社区会议室', participants: 36 },
  { date: '05-20', measure: '2.1', partners: '第一中学', title: '文明礼仪进社区：中学生文明劝导岗', location: '社区广场', participants: 24, hours: 48 },
  { date: '05-21', measure: '3.5', partners: 'P04、P05', title: '共建单位职工趣味运动会', location: '社区广场', status: '已取消', notes: '场地施工，活动取消' },
  { date: '05-22', measure: '5.2', partners: 'P09', title: '健康义诊：老年人口腔检查', location: '社区卫生站', participants: 6, beneficiaries: 38, hours: 18 },
  { date: '05-26', measure: '5.1', partners: 'P05', title: '“助残日”慰问残疾人家庭', location: '入户走访', participants: 6, beneficiaries: 8, funds: 4000 },
  { date: '05-28', measure: '4.2', partners: 'P02', title: '“一站式”服务大厅投入使用', location: '社区党群服务中心', participants: 30, evidence: 'https://example.cn/album/fuwudating-0528', notes: '布局调整完成' },
  { date: '05-29', measure: '3.1', partners: 'P06、P07', title: '“六一”共建联欢会', location: '实验小学', participants: 160 },
  { date: '06-04', measure: '4.1', partners: 'P05', title: '购置打印机、投影仪等配套设备', location: '社区党群服务中心', funds: 6200 },
  { date: '06-06', measure: '2.2', partners: 'P10', title: '居民文明素养培训班第3期：家庭教育与家风建设', location: '社区党群服务中心', participants: 45 },
  { date: '06-11', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 14, hours: 24 },
  { date: '06-13', measure: '3.4', partners: 'P09、P04', title: '6月志愿服务日：安全用电进家庭', location: '和平里小区', participants: 22, beneficiaries: 86, hours: 44 },
  { date: '06-17', measure: '3.1', partners: 'P07、P09', title: '“我们的节日·端午”包粽子', location: '社区党群服务中心', participants: 55 },
  { date: '06-19', measure: '3.3', partners: JOINT_MEETING, title: '第二季度共建联席会议', location: '社区会议室', participants: 17, evidence: 'https://example.cn/docs/lianxihuiyi-q2' },
  { date: '06-20', measure: '3.2', partners: 'P03', title: '走访区民政局交流为老服务经验', location: '区民政局', participants: 5 },
  { date: '06-24', measure: '5.2', partners: 'P09', title: '健康义诊：防暑降温知识讲座', location: '社区卫生站', participants: 5, beneficiaries: 47, hours: 15 },
  { date: '06-26', measure: '6.1', partners: 'P01、P06', title: '第一中学操场假期向居民开放', location: '第一中学', participants: 12, notes: '签订场地共享协议' },
  { date: '06-28', measure: '5.1', partners: 'P10', title: '困难家庭心理疏导服务', location: '入户走访', participants: 3, beneficiaries: 7, hours: 12 },
  { date: '06-30', measure: '6.2', partners: 'P04、P06', title: '“七一”联合主题党日：重温入党誓词', location: '社区党群服务中心', participants: 54, evidence: 'https://example.cn/album/qiyi-0630' },
  { date: '07-08', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 7, beneficiaries: 13, hours: 21 },
  { date: '07-10', measure: '3.1', partners: 'P06、P09', title: '暑期“四点半课堂”开班', location: '社区党群服务中心', participants: 42, hours: 84, evidence: 'https://example.cn/album/sidianban-0710', notes: '连续开班四周' },
  // No such measure in the plan: the fire drill was never planned.
  { date: '07-12', measure: '9.9', partners: 'P04', title: '社区消防安全演练', location: '社区广场', participants: 60, mistake: 'unknown_measure' },
  { date: '07-15', measure: '3.4', partners: 'P09、P08', title: '7月志愿服务日：助农采摘', location: 'xx村', participants: 24, hours: 72 },
  { date: '07-16', measure: '4.3', partners: 'P01、P02', title: '老年活动室加层工程开工', location: '社区老年活动室', participants: 8 },
  { date: '07-18', measure: '2.1', partners: 'P09', title: '文明礼仪进社区：文明养犬宣传', location: '社区广场', participants: 18, hours: 36 },
  { date: '07-22', measure: '5.2', partners: 'P06', title: '中学生暑期陪伴空巢老人', location: '入户走访', participants: 12, beneficiaries: 15, hours: 36 },
  { date: '07-25', measure: '5.1', partners: 'P03、P05', title: '困难家庭子女“金秋助学”摸底', location: '入户走访', participants: 4, beneficiaries: 10, hours: 8 },
  { date: '07-29', measure: '6.1', partners: 'P05', title: '农商银行开设敬老服务窗口', location: 'xx农商银行', participants: 6, beneficiaries: 35 },
  { date: '08-02', measure: '3.1', partners: 'P06、P07', title: '暑期防溺水安全教育', location: '社区党群服务中心', participants: 70 },
  { date: '08-05', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 13, hours: 24 },
  { date: '08-08', measure: '3.1', partners: 'P04、P09', title: '夏季“送清凉”慰问一线工作者', location: '和平里小区', participants: 20, beneficiaries: 60 },
  { date: '08-12', measure: '4.4', partners: 'P01', title: '安防改造：单元门禁系统安装', location: '和平里小区', funds: 45000, evidence: 'https://example.cn/docs/anfang-menjin' },
  { date: '08-14', measure: '3.4', partners: 'P09', title: '8月志愿服务日：楼道杂物清理', location: '和平里小区', participants: 35, hours: 105 },
  // 区城管局 is not (yet) a registered partner.
  { date: '08-16', measure: '3.1', partners: 'P02、区城管局', title: '联合整治小区乱停车', location: '和平里小区', participants: 14, mistake: 'unknown_partner' },
  { date: '08-19', measure: '1.2', title: '共建联络员工作会（第三次）', location: '社区会议室', participants: 10 },
  { date: '08-21', measure: '5.2', partners: 'P09', title: '健康义诊：中医理疗进社区', location: '社区卫生站', participants: 6, beneficiaries: 44, hours: 18 },
  { date: '08-26', measure: '2.2', partners: 'P10', title: '居民文明素养培训班第4期：网络文明与防诈骗', location: '社区党群服务中心', participants: 56 },
  { date: '08-28', measure: '5.1', partners: 'P05、P10', title: '“金秋助学”助学金发放', location: '社区党群服务中心', participants: 8, beneficiaries: 9, funds: 13500, evidence: 'https://example.cn/docs/zhuxuejin' },
  { date: '09-04', measure: '3.1', partners: 'P06、P07', title: '开学季“护学岗”志愿服务', location: '实验小学', participants: 16, hours: 32 },
  { date: '09-09', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 14, hours: 24 },
  { date: '09-10', measure: '2.1', partners: 'P06、P07', title: '教师节“文明礼仪小标兵”表彰', location: '第一中学', participants: 95 },
  { date: '09-12', measure: '3.4', partners: 'P09、P06', title: '9月志愿服务日：中秋邻里百家宴', location: '社区广场', participants: 38, beneficiaries: 260, hours: 114, evidence: 'https://example.cn/album/baijiayan-0912' },
  { date: '09-16', measure: '3.2', partners: 'P06、P07', title: '走访第一中学、实验小学交流共建', location: '第一中学', participants: 6 },
  { date: '09-19', measure: '6.1', partners: 'P04', title: '供电公司党员服务队“电力进万家”', location: '社区广场', participants: 10, beneficiaries: 120, hours: 30 },
  { date: '09-23', measure: '5.2', partners: 'P09', title: '健康义诊：老年人跌倒预防', location: '社区卫生站', participants: 5, beneficiaries: 39, hours: 15 },
  { date: '09-25', measure: '4.3', partners: 'P01', title: '老年活动室加层主体结构封顶', location: '社区老年活动室', participants: 10, evidence: 'https://example.cn/album/fengding-0925' },
  { date: '09-27', measure: '5.1', partners: 'P03', title: '中秋、国庆走访慰问困难家庭', location: '入户走访', participants: 8, beneficiaries: 16, funds: 6400 },
  { date: '09-28', measure: '6.2', partners: 'P02、P05', title: '“喜迎国庆”联合主题党日', location: '社区党群服务中心', participants: 40 },
  { date: '09-29', measure: '2.3', partners: 'P02', title: '“最美楼道”评选', location: '和平里小区', participants: 60 },
  { date: '10-10', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 13, hours: 24 },
  { date: '10-11', measure: '5.2', partners: 'P06、P09', title: '重阳节敬老文艺演出', location: '社区广场', participants: 50, beneficiaries: 180, hours: 100, evidence: 'https://example.cn/album/chongyang-1011' },
  { date: '10-14', measure: '2.1', partners: 'P09', title: '文明礼仪进社区：文明出行宣传', location: '社区广场', participants: 20, hours: 40 },
  { date: '10-16', measure: '3.3', partners: JOINT_MEETING, title: '第三季度共建联席会议（延期召开）', location: '社区会议室', participants: 16, notes: '原定9月召开，因加层施工推迟' },
  { date: '10-17', measure: '3.4', partners: 'P09', title: '10月志愿服务日：秋季环境整治', location: '和平里小区', participants: 29, hours: 58 },
  // An "=" typed first, as if starting a formula.
  { date: '10-20', measure: '2.1', partners: 'P09', title: '=文明餐桌“光盘行动”倡议', location: '社区党群服务中心', participants: 25, mistake: 'formula_like' },
  { date: '10-21', measure: '2.2', partners: 'P03、P10', title: '居民文明素养培训班第5期：老年人智能手机使用', location: '社区党群服务中心', participants: 62, evidence: 'https://example.cn/album/peixun-5' },
  { date: '10-24', measure: '3.1', partners: 'P05', title: '“丰收节”便民金融服务', location: '社区广场', participants: 45 },
  { date: '10-28', measure: '5.1', partners: 'P10', title: '困难、残疾家庭康复护理培训', location: '社区党群服务中心', participants: 5, beneficiaries: 12, hours: 20 },
  { date: '10-30', measure: '6.1', partners: 'P07', title: '实验小学图书室向社区儿童开放', location: '实验小学', participants: 8, beneficiaries: 65 },
  { date: '11-06', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 14, hours: 24 },
  { date: '11-07', measure: '1.2', title: '共建联络员工作会（第四次）', location: '社区会议室', participants: 11 },
  { date: '11-11', measure: '2.2', partners: 'P10', title: '居民文明素养培训班第6期：消防安全与应急避险', location: '社区党群服务中心', participants: 58 },
  { date: '11-13', measure: '3.4', partners: 'P09、P04', title: '11月志愿服务日：冬季消防安全检查', location: '和平里小区', participants: 24, hours: 72 },
  { date: '11-14', measure: '3.2', partners: 'P01、P03', title: '年末走访区住建局、区民政局', location: '区住建局', participants: 5 },
  { date: '11-18', measure: '4.4', partners: 'P01、P04', title: '安防改造：道路照明补盲', location: '和平里小区', funds: 28000 },
  { date: '11-19', measure: '4.3', partners: 'P01', title: '老年活动室加层室内装修', location: '社区老年活动室', participants: 12, notes: '预计次年1月投入使用' },
  { date: '11-20', measure: '5.2', partners: 'P09', title: '健康义诊：冬季心脑血管疾病预防', location: '社区卫生站', participants: 6, beneficiaries: 50, hours: 18 },
  { date: '11-21', measure: '3.1', partners: 'P06', title: '第一中学师生书画作品进社区展览', location: '社区党群服务中心', participants: 40 },
  { date: '11-25', measure: '6.2', partners: 'P02、P06', title: '联合主题党日：党史学习教育', location: '社区党群服务中心', participants: 48 },
  { date: '11-27', measure: '5.1', partners: 'P05、P10', title: '困难、残疾家庭冬衣发放', location: '社区党群服务中心', participants: 6, beneficiaries: 14, funds: 5600 },
  { date: '11-28', measure: '2.3', partners: 'P02', title: '“文明家庭”评选表彰', location: '社区党群服务中心', participants: 80, evidence: 'https://example.cn/album/wenmingjiating-1128' },
  // Meant 12-01: a 3 typed for a 2.
  { date: '13-01', measure: '2.1', partners: 'P09', title: '文明礼仪进社区：交通安全日宣传', location: '社区广场', participants: 16, hours: 32, mistake: 'invalid_date' },
  { date: '12-04', measure: '2.1', partners: 'P07', title: '实验小学“国家宪法日”主题班会', location: '实验小学', participants: 110 },
  { date: '12-05', measure: '3.4', partners: 'P09', title: '12月志愿服务日：国际志愿者日集中服务', location: '社区广场', participants: 45, hours: 135 },
  { date: '12-09', measure: '5.2', partners: 'P10', title: '老年助餐助洁上门服务', location: '和平里小区', participants: 8, beneficiaries: 13, hours: 24 },
  { date: '12-11', measure: '6.1', partners: 'P04、P05', title: '驻区单位认领困难家庭“微心愿”', location: '社区党群服务中心', participants: 15, beneficiaries: 20, funds: 4000 },
  { date: '12-15', measure: '4.4', partners: 'P01', title: '安防改造工程竣工验收', location: '和平里小区', status: '计划中' },
  { date: '12-18', measure: '3.3', partners: JOINT_MEETING, title: '第四季度共建联席会议暨年度工作总结', location: '社区会议室', status: '计划中' },
  { date: '12-23', measure: '5.2', partners: 'P09', title: '健康义诊：冬季养生讲座', location: '社区卫生站', status: '计划中' },
  { date: '12-26', measure: '3.1', partners: 'P04、P05、P06、P07、P09', title: '共建单位新年联谊会', location: '社区党群服务中心', status: '计划中' },
];

/** The sample plan's title, as emails and the CLI name it: "xx社区 2026年共建计划". */
export function samplePlanTitle(year: number): string {
  return `${COMMUNITY} ${year}年共建计划`;
}

/**
 * The sample workbook of §8 for a plan year: settings, partners, plan and activities tabs. Given
 * the date it is written on, activities after it are still planned (计划中), as they would be.
 */
export function sampleWorkbook(year: number, writtenOn?: IsoDate): RawWorkbook {
  return {
    tabs: [
      settingsTab(year),
      recordTab(
        'partners',
        PARTNERS.map((p) => partnerCells(p, year)),
      ),
      recordTab(
        'plan',
        MEASURES.map((m) => measureCells(m, year)),
      ),
      recordTab(
        'activities',
        ACTIVITIES.map((a) => activityCells(a, year, writtenOn)),
      ),
      // For a year the shipped calendar does not know, an empty 节假日 tab where the office types
      // the State Council's days once announced (校验 says so: unknown_calendar). No rows: any
      // day written here before the announcement would be invented.
      ...(calendarKnows(year) ? [] : [recordTab('holidays', [])]),
    ],
  };
}

/**
 * Each deliberate mistake of the sample, by tab and sheet row, with the issue code it causes: all
 * that validation reports for an as-of date on or after 31 December of the sample's year (earlier,
 * done activities dated later in the year add `future_done` warnings).
 */
export const SAMPLE_MISTAKES: readonly SampleMistake[] = [
  ...mistakesOf('partners', PARTNERS),
  ...mistakesOf('plan', MEASURES),
  ...mistakesOf('activities', ACTIVITIES),
];

function mistakesOf(tab: RecordTabKey, rows: readonly SampleRow[]): SampleMistake[] {
  return rows.flatMap((row, index) =>
    row.mistake === undefined ? [] : [{ tab, row: index + 2, code: row.mistake }],
  );
}

function settingsTab(year: number): RawTab {
  const values: [key: string, value: CellValue][] = [
    ['社区名称', COMMUNITY],
    ['计划年度', year],
    ['时区', 'Asia/Shanghai'],
    ['领导邮箱', `${OWNER_EMAILS.张丽华}、${OWNER_EMAILS.李明}`],
    ['编辑人员', [OWNER_EMAILS.王芳, OWNER_EMAILS.陈建国, OWNER_EMAILS.刘洋, OWNER_EMAILS.赵敏].join('、')],
    ['发件人', `${COMMUNITY}居委会`],
    ['摘要频率', '每月'],
    ['失联天数', 30],
    ['提醒天数', 7],
  ];
  return {
    name: TAB_LABELS.settings.zh,
    header: [SETTINGS_COLUMNS.key.zh, SETTINGS_COLUMNS.value.zh],
    rows: values.map(([key, value], index) => ({ row: index + 2, cells: [key, value] })),
  };
}

/**
 * A row of the sample as staff would type it: a cell for every field of the tab's record, so a
 * column added to the model fails to compile here until the sample says what its rows hold.
 */
type SampleCells<T extends TableTabKey> = Record<FieldOf<T>, CellValue | undefined>;

/** A record tab with every column of COLUMNS, in that order; absent fields are empty cells. */
function recordTab<T extends TableTabKey>(tab: T, records: SampleCells<T>[]): RawTab {
  const columns = COLUMNS[tab];
  return {
    name: TAB_LABELS[tab].zh,
    header: columns.map((column) => column.zh),
    rows: records.map((record, index) => ({
      row: index + 2,
      cells: columns.map((column: ColumnOf<T>) => record[column.field] ?? null),
    })),
  };
}

function partnerCells(p: PartnerRow, year: number): SampleCells<'partners'> {
  const [yearsBefore, monthDay] = p.paired;
  return {
    partnerId: p.id,
    name: p.name,
    type: p.type,
    contact: p.contact,
    phone: p.phone,
    emails: p.emails,
    pairedOn: dateCell(year - yearsBefore, monthDay),
    active: p.state ?? '在册',
  };
}

function measureCells(m: MeasureRow, year: number): SampleCells<'plan'> {
  return {
    measureId: m.id,
    category: m.category,
    title: m.title,
    owner: m.owner,
    ownerEmail: OWNER_EMAILS[m.owner],
    partners: m.partners,
    metric: m.metric,
    target: m.target,
    recurrence: m.recurrence ?? '无',
    start: m.start === undefined ? undefined : dateCell(year, m.start),
    due: m.due === undefined ? undefined : dateCell(year, m.due),
    status: m.state,
    doneOn: m.doneOn === undefined ? undefined : dateCell(year, m.doneOn),
    notes: m.notes,
  };
}

function activityCells(a: ActivityRow, year: number, writtenOn?: IsoDate): SampleCells<'activities'> {
  const date = dateCell(year, a.date);
  const future =
    writtenOn !== undefined && date instanceof Date && date.toISOString().slice(0, 10) > writtenOn;
  const status = a.status ?? (future ? '计划中' : '已完成');
  // Every done activity shows its evidence (设置 → 佐证要求 defaults to 提醒): the photo album's
  // link where the list names none.
  const evidence =
    a.evidence ??
    (status === '已完成' ? `https://example.cn/album/${year}-${a.date}-${a.measure}` : undefined);
  return {
    activityId: a.id,
    date,
    measureId: a.measure,
    partners: a.partners,
    title: a.title,
    location: a.location,
    participants: a.participants,
    beneficiaries: a.beneficiaries,
    hours: a.hours,
    funds: a.funds,
    status,
    recorder: a.recorder ?? RECORDERS[a.measure.split('.')[0] ?? ''] ?? '刘洋',
    evidence,
    notes: a.notes,
  };
}

/**
 * A UTC-midnight date cell for `MM-DD` in a year. A month-day that is no calendar date stays the
 * text a person would have typed (`2026-13-01`): that is how the sample's invalid date is made.
 */
function dateCell(year: number, monthDay: string): CellValue {
  const [month, day] = monthDay.split('-').map(Number);
  if (month === undefined || day === undefined) return `${year}-${monthDay}`;
  const date = new Date(Date.UTC(year, month - 1, day));
  const valid = date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return valid ? date : `${year}-${monthDay}`;
}
