/**
 * The shape the due-soon reminder and the overdue notice share: a letter to a measure's owner
 * with the measure's facts and the update button. Each kind words its timing, intro and headline
 * in its own module (dueSoon.ts, overdue.ts).
 */
import { dayOf } from '../dates';
import { percent as pct } from '../format';
import { CATEGORY_LABELS } from '../i18n';
import type { IsoDate, Measure, PlanModel } from '../model';
import type { MeasureStats } from '../stats-types';
import {
  composeEmail,
  type EmailContext,
  emailKey,
  FOOTER,
  ownerRecipient,
  type RenderedEmail,
  updateButton,
} from './email';
import { type Block, type BlockCell, cleanAddresses, oneLine } from './layout';
import {
  achievedText,
  communityOf,
  dueOf,
  type Lookup,
  lookup,
  partnerNames,
  shorten,
  statusCell,
} from './parts';

/** What `renderDueSoon` and `renderOverdue` need besides the context. */
export interface ReminderInput extends EmailContext {
  measureId: string;
  /** The day the reminder is written (days left / overdue are counted from it). */
  asOf: IsoDate;
  /** The owner's update link (§9); absent, the reminder has no button. */
  updateLink?: string;
}

/** One row of a reminder's facts: a label and its value. */
export type Fact = [label: string, value: BlockCell];

/** What a reminder kind reads to word itself. */
export interface ReminderSituation {
  model: PlanModel;
  due: IsoDate;
  asOf: IsoDate;
  /** Calendar days from the as-of date to the due date (negative once it has passed). */
  days: number;
  /** The measure's progress as the reminder writes it. */
  progress: string;
}

/** How a reminder kind says its situation: the timing in the subject, the opening, the headline, who is copied. */
export interface ReminderWording {
  when: string;
  intro: string;
  headline: string;
  timing: Fact;
  /** Whether the leaders are copied (overdue notices). */
  copyLeaders: boolean;
}

/** The facts of a reminder: the measure, its owner and due date, how far it is (`timing`), its progress. */
function reminderFacts(
  measure: Measure,
  m: MeasureStats | undefined,
  due: IsoDate,
  timing: Fact,
  index: Lookup,
) {
  const facts: Fact[] = [
    ['事项编号', measure.measureId],
    ['事项名称', measure.title],
    ['类别', CATEGORY_LABELS[measure.category]],
    ['责任人', measure.owner ?? '—'],
    ['截止日期', due],
    timing,
    ['完成情况', m ? achievedText(measure, m) : '—'],
    ['进度', m ? pct(m.progress) : '—'],
    ['当前状态', m ? statusCell(m.status) : '—'],
    ['共建单位', partnerNames(measure.partners, index.partners)],
  ];
  if (m && m.missedPeriods.length > 0) facts.push(['未达标周期', m.missedPeriods.join('、')]);
  return facts;
}

/** A reminder of the given kind to a measure's owner, worded by that kind. */
export function renderReminder(
  kind: 'dueSoon' | 'overdue',
  input: ReminderInput,
  word: (situation: ReminderSituation) => ReminderWording,
): RenderedEmail {
  const { planId, model, stats, measureId, asOf } = input;
  const index = lookup(model, stats);
  const measure = index.measures.get(measureId);
  if (!measure) throw new RangeError(`Unknown measure: ${measureId}`);
  const m = index.stats.get(measureId);
  const community = communityOf(model);
  const due = dueOf(measure, model.settings.year);
  const days = dayOf(due) - dayOf(asOf);
  const progress = m ? pct(m.progress) : '0%';
  const owner = oneLine(measure.owner ?? '') || '责任人';
  const { when, intro, headline, timing, copyLeaders } = word({ model, due, asOf, days, progress });

  const to = cleanAddresses(measure.ownerEmail === undefined ? [] : [measure.ownerEmail]);
  const cc = copyLeaders ? cleanAddresses(model.settings.leaderEmails, to) : [];
  const blocks: Block[] = [
    { type: 'paragraph', text: `${owner}：您好！` },
    { type: 'paragraph', text: intro },
    ...updateButton(input.updateLink),
    { type: 'heading', text: '事项情况' },
    { type: 'facts', rows: reminderFacts(measure, m, due, timing, index) },
  ];
  return composeEmail(
    kind,
    emailKey(kind, planId, measureId, due),
    to,
    cc,
    `【${community}】${headline} · ${oneLine(measure.measureId)} ${shorten(measure.title, 30)}（${when}）`,
    { title: `${community}${headline}`, blocks, footer: FOOTER },
    { measureId, recipient: ownerRecipient(measure) },
  );
}
