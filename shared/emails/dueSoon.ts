/** The due-soon reminder (§7): a measure's due date (default 31 Dec) is near. */

import { calendarOf, dueCountdown, workdaysBetween } from '../workdays';
import type { RenderedEmail } from './email';
import { type ReminderInput, renderReminder } from './reminder';

/** A reminder to a measure's owner that its due date (default 31 Dec) is near. */
export function renderDueSoon(input: ReminderInput): RenderedEmail {
  return renderReminder('dueSoon', input, ({ model, due, asOf, days, progress }) => {
    const calendar = calendarOf(model.settings);
    const when = dueCountdown(due, asOf, calendar);
    const { days: workdays, estimated } = workdaysBetween(asOf, due, calendar);
    return {
      when,
      timing: ['剩余时间', days >= 0 ? `${estimated ? '约 ' : ''}${workdays} 个工作日（${days} 天）` : when],
      intro: `您负责的共建事项将于 ${due} 到期（${when}），目前完成 ${progress}。请抓紧推进，并及时在台账中登记相关活动。`,
      headline: '共建事项到期提醒',
      copyLeaders: false,
    };
  });
}
