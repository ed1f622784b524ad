/** The update request (§9), sent by staff on demand: a person's link to report activities and progress. */
import { dayOf, partsOf } from '../dates';
import { percent as pct } from '../format';
import type { IsoDate, Measure, PlanModel } from '../model';
import {
  composeEmail,
  type EmailContext,
  emailKey,
  FOOTER,
  type LinkRecipient,
  type RenderedEmail,
  updateButton,
} from './email';
import { type Block, cleanAddresses, oneLine } from './layout';
import { communityOf, dueOf, lookup, statusCell } from './parts';

/** What `renderUpdateRequest` needs besides the context. */
export interface UpdateRequestInput extends EmailContext {
  recipient: LinkRecipient;
  /** The request's own ID: sending again is a new email, the same request retried is not. */
  requestId: string;
  /** The recipient's personal link to the form. */
  updateLink: string;
  /** How many days the link stays valid (设置 → 填报链接有效天数). */
  validDays: number;
  /** The staff's own words, shown as they typed them (escaped). */
  message?: string;
  /** The date to report by, and how to say it (a working-day count, say); absent, no date is asked. */
  due?: { date: IsoDate; label?: string };
}

/** A date as a subject says it: `12月4日`. */
function monthDay(date: IsoDate): string {
  const { month, day } = partsOf(dayOf(date));
  return `${month}月${day}日`;
}

/** The measures a recipient's link covers: an owner's own, or those a partner unit shares. */
export function measuresInScope(model: PlanModel, recipient: LinkRecipient): Measure[] {
  const email = recipient.email.toLowerCase();
  return model.measures.filter((m) =>
    recipient.kind === 'owner'
      ? oneLine(m.ownerEmail ?? '').toLowerCase() === email
      : m.partners.includes(recipient.partnerId),
  );
}

/** The idempotency key of an update request: plan · person · request (§7). */
export function updateRequestKey(planId: string, recipient: LinkRecipient, requestId: string): string {
  const person =
    recipient.kind === 'owner' ? `owner/${recipient.email.toLowerCase()}` : `partner/${recipient.partnerId}`;
  return emailKey('updateRequest', planId, person, requestId);
}

/**
 * A request to an owner (to their address) or a partner unit (to all its addresses) to report
 * activities and progress through their personal link: the staff's message, the date to report
 * by, the measures the link covers, the button.
 */
export function renderUpdateRequest(input: UpdateRequestInput): RenderedEmail {
  const { planId, model, stats, recipient } = input;
  const index = lookup(model, stats);
  const community = communityOf(model);
  const partner = recipient.kind === 'partner' ? index.partners.get(recipient.partnerId) : undefined;
  if (recipient.kind === 'partner' && !partner)
    throw new RangeError(`Unknown partner: ${recipient.partnerId}`);
  const to = partner ? cleanAddresses(partner.emails) : cleanAddresses([recipient.email]);
  const greeting = partner ? oneLine(partner.name) : oneLine(recipient.name) || '您';
  const measures = measuresInScope(model, recipient).filter((m) => m.state !== 'cancelled');
  const due = input.due;
  const dueText = due ? oneLine(due.label ?? due.date) : undefined;
  const message = input.message === undefined ? '' : oneLine(input.message);

  const blocks: Block[] = [
    { type: 'paragraph', text: `${greeting}：您好！` },
    {
      type: 'paragraph',
      text: `${community}邀请您填报近期开展的共建活动、更新负责事项的进展。点击下面的按钮即可在手机上填写，无需登录；提交的内容会直接记入共建台账。`,
    },
  ];
  if (message !== '') blocks.push({ type: 'facts', rows: [['工作人员留言', message]] });
  if (dueText !== undefined) blocks.push({ type: 'paragraph', text: `请于 ${dueText} 前完成填报。` });
  blocks.push(
    ...updateButton(
      input.updateLink,
      `链接 ${input.validDays} 天内有效，为您个人专用，请勿转发；如需停用，请联系社区工作人员。`,
    ),
    { type: 'heading', text: `可填报的共建事项（${measures.length} 项）` },
    {
      type: 'table',
      header: ['编号', '事项', '截止日期', '进度', '状态'],
      numeric: [3],
      nowrap: [0, 2, 4],
      rows: measures.map((measure) => {
        const m = index.stats.get(measure.measureId);
        return [
          measure.measureId,
          measure.title,
          dueOf(measure, model.settings.year),
          m ? pct(m.progress) : '—',
          m ? statusCell(m.status) : '—',
        ];
      }),
      empty: '目前没有由您负责或与贵单位共建的事项；仍可通过链接填报活动。',
    },
  );

  const whom = partner ? ` · ${oneLine(partner.name)}` : '';
  return composeEmail(
    'updateRequest',
    updateRequestKey(planId, recipient, input.requestId),
    to,
    [],
    `【${community}】请填报共建活动和事项进展${due ? `（${monthDay(due.date)}前）` : ''}${whom}`,
    { title: `${community}共建工作填报请求`, blocks, footer: FOOTER },
    { ...(partner && { partnerId: partner.partnerId }), recipient },
  );
}
