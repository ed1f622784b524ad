/**
 * "Today" in a plan's time zone: one rule for every runtime — the CLI, the functions, the local
 * stack and the add-on (Apps Script's V8 has the Intl time-zone data @date-fns/tz reads). The
 * instant comes from the caller's clock, so shared/ stays without one and a test pins the day.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { DEFAULT_TIMEZONE, type IsoDate } from './model';

/** The calendar date of the instant `now` in a time zone (the plan's; Asia/Shanghai if none given). */
export function todayIn(now: Date, timezone: string = DEFAULT_TIMEZONE): IsoDate {
  return format(new TZDate(now, timezone), 'yyyy-MM-dd');
}
