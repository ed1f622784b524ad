/** The email that carries the year-end summary, on request. */
import { percent as pct } from '../format';
import { reportTitle, type YearReport } from '../report';
import { composeEmail, type EmailContext, emailKey, FOOTER, type RenderedEmail } from './email';
import { type Block, cleanAddresses } from './layout';
import { communityOf, num } from './parts';

/** What `renderReportEmail` needs besides the context. */
export interface ReportEmailInput extends EmailContext {
  report: YearReport;
  /** Who asked: the summary goes to them. */
  to: string[];
  /** Copied (设置 → 总结抄送领导: the leaders). */
  cc?: string[];
  /** The request's own ID: asking again is a new email, the same request retried is not. */
  requestId: string;
}

/** The email that carries the year-end summary (the .docx is attached by the caller). */
export function renderReportEmail(input: ReportEmailInput): RenderedEmail {
  const { planId, model, stats, report } = input;
  const community = communityOf(model);
  const title = reportTitle(report);
  const { plan } = stats;
  const blocks: Block[] = [
    { type: 'paragraph', text: '您好：' },
    {
      type: 'paragraph',
      text: `附件是共建助手根据台账生成的《${title}》（Word 文档，统计截至 ${stats.asOf}）。文中数字均来自台账；“五、下一步打算”、原因分析和成文日期等黄色底纹处需要工作人员填写，核对后即可按公文格式报送。`,
    },
    {
      type: 'facts',
      rows: [
        ['事项总数', `${plan.measures} 项`],
        ['已完成', `${plan.done} 项（完成率 ${pct(plan.completionRate)}）`],
        ['活动次数', `${num(plan.activities)} 次`],
        ['参与 / 受益', `${num(plan.participants)} / ${num(plan.beneficiaries)} 人次`],
        ['志愿服务', `${num(plan.hours)} 小时`],
        ['投入资金', `${num(plan.funds)} 元`],
      ],
    },
  ];
  return composeEmail(
    'report',
    emailKey('report', planId, String(report.year), input.requestId),
    cleanAddresses(input.to),
    cleanAddresses(input.cc ?? []),
    `【${community}】${report.year}年共建工作总结（附 Word 文档）`,
    { title, blocks, footer: FOOTER },
    {},
  );
}
