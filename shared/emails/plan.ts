/**
 * The planning of §7: which email goes to whom on which day. A scheduled run on a date plans the
 * digests of its digest periods, the due-soon reminders, the overdue notices and the staff's
 * 待审核 list, each known by
 * its key and recipient before it is rendered (by its kind's module, through EMAIL_KINDS), and
 * counts what it left out. Pure: dates are arguments, sending is the functions' job.
 */
import { dayOf, isoOf, partsOf } from '../dates';
import type { IsoDate } from '../model';
import { calendarKnows, calendarOf, isWorkday, type WorkCalendar, workdayOnOrBefore } from '../workdays';
import {
  type EmailContext,
  type EmailKind,
  emailKey,
  type LinkRecipient,
  ownerRecipient,
  partnerRecipient,
  type RenderedEmail,
} from './email';
import { EMAIL_KINDS } from './kinds';
import { cleanAddresses } from './layout';
import { dueOf } from './parts';
import {
  pendingActivities,
  pendingReviewKey,
  pendingReviewRecipients,
  pendingThumbnailCids,
  type ReviewWorkbook,
  type ThumbnailSize,
} from './pendingReview';
import { type DigestPeriod, digestPeriodsOn } from './periods';

/** What `plannedEmails` needs besides the context. */
export interface PlannedEmailsInput extends EmailContext {
  /** The day of the run, in the plan's time zone; `stats` should be computed as of it. */
  date: IsoDate;
  /** The plan's owner: with 设置 → 编辑人员, who gets the 待审核 list (pendingReview.ts says why). */
  owner?: string;
  /** Where the plan's workbook is, for the 待审核 list's link (absent: the list says 台账 in words). */
  workbook?: ReviewWorkbook;
}

/** What a run left out, and why. */
export interface SkippedCounts {
  inactivePartners: number;
  partnersWithoutEmail: number;
  measuresWithoutOwnerEmail: number;
}

/** The emails of a run and what it skipped. */
export interface PlannedEmails {
  emails: RenderedEmail[];
  skipped: SkippedCounts;
  /**
   * Years whose holiday arrangement neither the calendar package nor the plan's 节假日 tab gives
   * and that this run's decisions read (the run's day, the due dates it reminded of): their
   * working days were estimated (workdays.ts), which the caller should log.
   */
  unknownCalendarYears: number[];
}

/**
 * One email a run would queue, known by its key and recipient before it is rendered: the queue
 * mints the recipient's update link only for a key it has not queued yet, then renders with it.
 */
export interface PlannedEmail {
  kind: EmailKind;
  key: string;
  /** Who the email's update link would be for; absent for the leader summary. */
  recipient?: LinkRecipient;
  /**
   * The inline thumbnails it would show, each listed activity's Content-ID by 记录编号 (the 待审核
   * list): whoever queues it reads each activity's first photo, makes the thumbnail, renders with
   * the sizes it made and attaches them under these IDs. Absent: an email without pictures.
   */
  thumbnails?: ReadonlyMap<string, string>;
  /** The email, with the update-link button when a link is given, and the thumbnails at hand by Content-ID. */
  render(updateLink?: string, thumbnails?: ReadonlyMap<string, ThumbnailSize>): RenderedEmail;
}

/** A run's emails before rendering, what it skipped, and the years its calendar had to estimate. */
export interface PlannedRun extends Omit<PlannedEmails, 'emails'> {
  emails: PlannedEmail[];
}

/**
 * The first day a due-soon reminder may go out: `reminderDays` calendar days before the due date,
 * or the last working day before that when it is a day off (§7), so a measure due on the third
 * day of a holiday is reminded on the working day before the holiday, not during it — and a
 * window of days off only (reminder days 2, due on the last of a week off) starts on the working
 * day before it, rather than holding no day a reminder may go out on.
 */
function dueSoonFrom(due: IsoDate, reminderDays: number, calendar: WorkCalendar): IsoDate {
  return workdayOnOrBefore(isoOf(dayOf(due) - reminderDays), calendar);
}

/** Whether a digest period overlaps the plan year (no digests of the year before or after it). */
function overlapsPlanYear(period: DigestPeriod, year: number): boolean {
  return period.end >= `${year}-01-01` && period.start <= `${year}-12-31`;
}

/**
 * Everything a scheduled run on `date` would queue, on the plan's calendar (the package's data and
 * its 节假日 tab): on a digest day (the 1st, or a Monday for weekly digests; a day off moves it to
 * the next working day) a digest for every active partner with an email and the leader summary
 * when there are leader emails; on working days, due-soon reminders for measures not done or
 * cancelled due within the reminder days (from the working day on or before the first of them),
 * and overdue notices for measures whose status is overdue — a measure falling overdue on a day
 * off is told on the first working day after — when the owner has an email. What is left out is
 * counted; and on working days, while reported rows wait as 待审核, the staff's list of them (one a
 * day: its key is plan · day). The keys of the others do not depend on the day a reminder, notice
 * or digest goes out, so moving it never sends it twice.
 */
export function plannedEmails(input: PlannedEmailsInput): PlannedEmails {
  const run = planEmails(input);
  return { ...run, emails: run.emails.map((email) => email.render()) };
}

/** What `plannedEmails` renders, each email still to render (with or without an update link). */
export function planEmails(input: PlannedEmailsInput): PlannedRun {
  const { planId, model, stats, date } = input;
  const { settings } = model;
  const emails: PlannedEmail[] = [];
  const skipped: SkippedCounts = {
    inactivePartners: 0,
    partnersWithoutEmail: 0,
    measuresWithoutOwnerEmail: 0,
  };

  const calendar = calendarOf(settings);
  const unknown = new Set<number>();
  const consult = (day: IsoDate) => {
    const year = partsOf(dayOf(day)).year;
    if (!calendarKnows(year, calendar)) unknown.add(year);
  };
  consult(date);

  for (const period of digestPeriodsOn(settings.digestFrequency, date, calendar)) {
    if (!overlapsPlanYear(period, settings.year)) continue;
    for (const partner of model.partners) {
      if (!partner.active) skipped.inactivePartners += 1;
      else if (cleanAddresses(partner.emails).length === 0) skipped.partnersWithoutEmail += 1;
      else {
        const digestInput = { planId, model, stats, partnerId: partner.partnerId, period };
        const recipient = partnerRecipient(partner);
        emails.push({
          kind: 'partnerDigest',
          key: emailKey('partnerDigest', planId, partner.partnerId, period.id),
          ...(recipient && { recipient }),
          render: (updateLink) =>
            EMAIL_KINDS.partnerDigest.render(
              updateLink === undefined ? digestInput : { ...digestInput, updateLink },
            ),
        });
      }
    }
    if (cleanAddresses(settings.leaderEmails).length > 0) {
      emails.push({
        kind: 'leaderSummary',
        key: emailKey('leaderSummary', planId, period.id),
        render: () => EMAIL_KINDS.leaderSummary.render({ planId, model, stats, period }),
      });
    }
  }

  const today = dayOf(date);
  const workday = isWorkday(date, calendar);
  const statsById = new Map(stats.measures.map((m) => [m.measureId, m]));
  const reminders: PlannedEmail[] = [];
  const notices: PlannedEmail[] = [];
  for (const measure of model.measures) {
    const status = statsById.get(measure.measureId)?.status;
    if (status === undefined) continue;
    const due = dueOf(measure, settings.year);
    const dueSoon =
      workday &&
      status !== 'done' &&
      status !== 'cancelled' &&
      today <= dayOf(due) &&
      today >= dayOf(dueSoonFrom(due, settings.reminderDays, calendar));
    // Overdue notices follow working days as reminders do (§7): the status stays overdue, so the
    // first working day's run sends what a day off held back, under the same key.
    const overdue = workday && status === 'overdue';
    if (!dueSoon && !overdue) continue;
    const recipient = ownerRecipient(measure);
    if (recipient === undefined) {
      skipped.measuresWithoutOwnerEmail += 1;
      continue;
    }
    const reminderInput = { planId, model, stats, measureId: measure.measureId, asOf: date };
    const planned = (kind: 'dueSoon' | 'overdue'): PlannedEmail => ({
      kind,
      key: emailKey(kind, planId, measure.measureId, due),
      recipient,
      render: (updateLink) =>
        EMAIL_KINDS[kind].render(updateLink === undefined ? reminderInput : { ...reminderInput, updateLink }),
    });
    if (dueSoon) {
      consult(due);
      reminders.push(planned('dueSoon'));
    }
    if (overdue) notices.push(planned('overdue'));
  }
  emails.push(...reminders, ...notices);

  // The staff's 待审核 list: on working days, while any reported row waits — whatever 填报需审核
  // says now, since a row that landed as 待审核 waits until someone sets it (§7).
  if (workday && pendingActivities(input).length > 0 && pendingReviewRecipients(input).length > 0) {
    const reviewInput = {
      planId,
      model,
      stats,
      date,
      ...(input.owner !== undefined && { owner: input.owner }),
      ...(input.workbook !== undefined && { workbook: input.workbook }),
    };
    emails.push({
      kind: 'pendingReview',
      key: pendingReviewKey(planId, date),
      thumbnails: pendingThumbnailCids(input),
      render: (_updateLink, thumbnails) =>
        EMAIL_KINDS.pendingReview.render(
          thumbnails === undefined ? reviewInput : { ...reviewInput, thumbnails },
        ),
    });
  }
  return { emails, skipped, unknownCalendarYears: [...unknown].sort((a, b) => a - b) };
}
