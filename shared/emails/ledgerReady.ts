/**
 * The email that answers 生成活动台账 (§7, §11): the ledger is built (a .docx with photos is too big
 * to attach) — its download link and what it holds —, or the build failed and why, briefly. One
 * email per build whichever way it ends: both variants share the key plan · job, so a redelivered
 * build event queues nothing more.
 */
import { fullDate } from '../document';
import type { PlanModel } from '../model';
import { composeEmail, emailKey, FOOTER, type RenderedEmail } from './email';
import { type Block, cleanAddresses } from './layout';
import { communityOf, num } from './parts';

/** How the ledger build ended. */
export type LedgerOutcome =
  | {
      ok: true;
      from: string;
      to: string;
      /** The partner unit's name when the ledger is of one unit. */
      partner?: string | undefined;
      activities: number;
      photos: number;
      /** Files left out: not JPEG photos that could be read. */
      skipped: number;
      /**
       * Where it is: an http(s) download link (deployed), or the file's path on the office's own
       * computer (the local stack writes it beside the workbook).
       */
      where: { kind: 'url'; url: string } | { kind: 'file'; path: string };
    }
  | { ok: false; reason: string };

/** What `renderLedgerReady` needs. */
export interface LedgerReadyInput {
  planId: string;
  model: PlanModel;
  /** The build's job ID (the email's key). */
  jobId: string;
  /** The editor who asked. */
  to: string[];
  outcome: LedgerOutcome;
}

/** The ledger's download link and counts, or a short Chinese failure notice. */
export function renderLedgerReady(input: LedgerReadyInput): RenderedEmail {
  const community = communityOf(input.model);
  const { outcome } = input;
  const key = emailKey('ledgerReady', input.planId, input.jobId);
  const to = cleanAddresses(input.to);
  if (!outcome.ok) {
    return composeEmail(
      'ledgerReady',
      key,
      to,
      [],
      `【${community}】活动台账未能生成`,
      {
        title: '活动台账未能生成',
        blocks: [
          { type: 'paragraph', text: '您好：' },
          { type: 'paragraph', text: `您请求的活动台账未能生成：${outcome.reason}` },
          {
            type: 'paragraph',
            text: '请稍后在表格中再次点击「生成活动台账」；若仍失败，请联系社区的系统管理员。',
          },
        ],
        footer: FOOTER,
      },
      {},
    );
  }
  const period = `${fullDate(outcome.from)}至${fullDate(outcome.to)}`;
  const blocks: Block[] = [
    { type: 'paragraph', text: '您好：' },
    {
      type: 'paragraph',
      text: `您请求的活动台账已生成（Word 文档，${period}${outcome.partner ? `，共建单位：${outcome.partner}` : ''}）。每次已完成的活动一张活动记录表，后附佐证照片；表中空白处请工作人员补填。`,
    },
    {
      type: 'facts',
      rows: [
        ['时间范围', period],
        ['活动', `${num(outcome.activities)} 次`],
        ['照片', `${num(outcome.photos)} 张`],
        ...(outcome.skipped > 0
          ? ([['未放入', `${num(outcome.skipped)} 个文件不是可读取的 JPEG 照片`]] as [string, string][])
          : []),
      ],
    },
  ];
  if (outcome.where.kind === 'url') {
    blocks.push({
      type: 'button',
      label: '下载活动台账',
      url: outcome.where.url,
      note: '持有此链接的人都能下载，请勿转发；计划删除后链接失效。',
    });
  } else {
    blocks.push({ type: 'paragraph', text: `文件已保存在本机工作簿旁：${outcome.where.path}` });
  }
  return composeEmail(
    'ledgerReady',
    key,
    to,
    [],
    `【${community}】活动台账已生成（${period}）`,
    { title: `${community}活动台账`, blocks, footer: FOOTER },
    {},
  );
}
