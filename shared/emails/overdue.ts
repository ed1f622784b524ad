/** The overdue notice (§7): a measure is past its due date; the leaders are copied. */
import type { RenderedEmail } from './email';
import { type ReminderInput, renderReminder } from './reminder';

/** A notice to a measure's owner, leaders in cc, that it is overdue. */
export function renderOverdue(input: ReminderInput): RenderedEmail {
  return renderReminder('overdue', input, ({ due, days, progress }) => {
    const late = Math.max(-days, 0);
    return {
      when: `已逾期 ${late} 天`,
      timing: ['逾期天数', { text: `${late} 天`, tone: 'danger' }],
      intro: `您负责的共建事项已于 ${due} 到期，目前逾期 ${late} 天，完成 ${progress}。请尽快推进或说明情况；如已完成，请在台账中登记活动或标记完成。`,
      headline: '共建事项逾期通知',
      copyLeaders: true,
    };
  });
}
