/**
 * The staff's daily 待审核 list (§7, §11): activities reported through an update-request link
 * that wait as 待审核 (pending) until staff set them to 已完成 in the sheet. One short mail a
 * working day while any wait: each of the first PENDING_LISTED with its name, date, partners, who
 * reported it and a small thumbnail of its first photo, then how many more there are, and where the
 * workbook is. Pure: which thumbnails exist is the caller's to find out (it reads the photos); this
 * module names the Content-ID each would have (`pendingThumbnailCids`) and draws those it is given.
 *
 * Who gets it: the people who can act on it — the plan's owner (who first synced it, the account
 * the add-on and API know as the plan's owner) and 设置 → 编辑人员, exactly whom the API lets sync
 * (http/auth.ts `authorizeEditor`): approving a row is editing the sheet and syncing it. Not the
 * leaders (they read summaries, not rows) and not measure owners (they report, they do not review).
 */
import type { Activity, IsoDate } from '../model';
import { composeEmail, type EmailContext, emailKey, FOOTER, type RenderedEmail } from './email';
import { type Block, cleanAddresses, type InlineImage } from './layout';
import { communityOf, lookup, partnerNames } from './parts';

/** At most this many submissions are listed (and get a thumbnail); the rest are counted. */
export const PENDING_LISTED = 10;

/** A thumbnail's display size in CSS pixels on its long side: half its pixels, sharp on a phone's 2× screen. */
export const THUMBNAIL_DISPLAY_EDGE = 120;

/** Where the plan's workbook is: a Google Sheet (opened by its URL) or a local .xlsx (named by its path). */
export type ReviewWorkbook = { kind: 'sheets'; spreadsheetId: string } | { kind: 'xlsx'; path: string };

/** A thumbnail the caller made: its size in pixels (drawn at half that, see THUMBNAIL_DISPLAY_EDGE). */
export interface ThumbnailSize {
  width: number;
  height: number;
}

/** What `renderPendingReview` needs besides the context. */
export interface PendingReviewInput extends EmailContext {
  /** The working day of the run, in the plan's time zone: the key's day. */
  date: IsoDate;
  /** The plan's owner, besides 设置 → 编辑人员. */
  owner?: string;
  workbook?: ReviewWorkbook;
  /** The thumbnails at hand by Content-ID (`pendingThumbnailCids`); a listed row without one gets a placeholder. */
  thumbnails?: ReadonlyMap<string, ThumbnailSize>;
}

/** The activities waiting for review, in sheet order (the order they were reported in). */
export function pendingActivities(input: Pick<EmailContext, 'model'>): Activity[] {
  return input.model.activities.filter((a) => a.status === 'pending').sort((a, b) => a.row - b.row);
}

/** Who gets the list: the plan's owner and its editors, cleaned and without duplicates. */
export function pendingReviewRecipients(input: Pick<PendingReviewInput, 'model' | 'owner'>): string[] {
  return cleanAddresses([
    ...(input.owner === undefined ? [] : [input.owner]),
    ...input.model.settings.editors,
  ]);
}

/**
 * The Content-ID of each listed submission's thumbnail, by its 记录编号 (listed rows without one
 * cannot have photos): plain ASCII chosen here, never from the sheet, so it is always safe in
 * `cid:` and in a MIME header.
 */
export function pendingThumbnailCids(input: Pick<EmailContext, 'model'>): Map<string, string> {
  const cids = new Map<string, string>();
  for (const [i, activity] of pendingActivities(input).slice(0, PENDING_LISTED).entries()) {
    if (activity.activityId !== undefined) cids.set(activity.activityId, `thumb${i + 1}@gongjian.local`);
  }
  return cids;
}

/** The Google Sheet's address, the one its owner shares. */
export function sheetUrl(spreadsheetId: string): string {
  return `https://docs.google.com/spreadsheets/d/${encodeURIComponent(spreadsheetId)}/edit`;
}

/** The display size of a thumbnail of `size` pixels: fitted to THUMBNAIL_DISPLAY_EDGE on its long side. */
function displaySize(size: ThumbnailSize): { width: number; height: number } {
  const scale = THUMBNAIL_DISPLAY_EDGE / Math.max(size.width, size.height, 1);
  return {
    width: Math.max(1, Math.round(size.width * Math.min(scale, 1))),
    height: Math.max(1, Math.round(size.height * Math.min(scale, 1))),
  };
}

/** Where to review: a button to the Google Sheet, or the local workbook's path in words. */
function workbookBlocks(workbook: ReviewWorkbook | undefined): Block[] {
  if (workbook?.kind === 'sheets') {
    return [{ type: 'button', label: '打开共建台账', url: sheetUrl(workbook.spreadsheetId) }];
  }
  if (workbook?.kind === 'xlsx') {
    return [
      {
        type: 'facts',
        rows: [['台账位置', `${workbook.path}（本机上的 Excel 工作簿，请在这台电脑上打开）`]],
      },
    ];
  }
  return [{ type: 'paragraph', text: '请打开本计划的共建台账（活动工作表）进行审核。' }];
}

/**
 * The day's list of submissions waiting for review, to the owner and editors: the first
 * PENDING_LISTED in sheet order, each with its thumbnail when the caller has one, the number of the
 * rest, and where the workbook is. The caller plans it only when some wait (`planEmails`).
 */
export function renderPendingReview(input: PendingReviewInput): RenderedEmail {
  const { planId, model, date } = input;
  const community = communityOf(model);
  const pending = pendingActivities(input);
  const listed = pending.slice(0, PENDING_LISTED);
  const cids = pendingThumbnailCids(input);
  const { partners } = lookup(model, input.stats);
  const rest = pending.length - listed.length;

  const figures: Block[] = listed.map((activity) => {
    const cid = activity.activityId === undefined ? undefined : cids.get(activity.activityId);
    const size = cid === undefined ? undefined : input.thumbnails?.get(cid);
    const image: InlineImage | undefined =
      cid !== undefined && size !== undefined
        ? { cid, alt: activity.title, ...displaySize(size) }
        : undefined;
    return {
      type: 'figure',
      ...(image && { image }),
      boxWidth: THUMBNAIL_DISPLAY_EDGE,
      placeholder: '无照片',
      facts: [
        ['活动', activity.title],
        ['日期', activity.date],
        ['共建单位', partnerNames(activity.partners, partners)],
        ['填报人', activity.recorder ?? '—'],
        ['记录编号', activity.activityId ?? `第 ${activity.row} 行`],
      ],
    };
  });

  const blocks: Block[] = [
    { type: 'paragraph', text: '您好：' },
    {
      type: 'paragraph',
      text: `截至 ${date}，${community}共建台账中有 ${pending.length} 条通过填报链接提交的活动等待审核。核实后，请在「活动」工作表中把状态由「待审核」改为「已完成」（不予采纳的改为「已取消」）并同步；待审核的活动不计入任何统计。`,
    },
    ...figures,
    ...(rest > 0
      ? [{ type: 'paragraph' as const, text: `还有 ${rest} 条待审核的活动未列出，请在台账中查看。` }]
      : []),
    ...workbookBlocks(input.workbook),
  ];

  return composeEmail(
    'pendingReview',
    pendingReviewKey(planId, date),
    pendingReviewRecipients(input),
    [],
    `【待审核】${community}有 ${pending.length} 条填报活动待审核（${date}）`,
    { title: `${community}待审核填报提醒`, blocks, footer: FOOTER },
    {},
  );
}

/** The list's idempotency key: plan · day. */
export function pendingReviewKey(planId: string, date: IsoDate): string {
  return emailKey('pendingReview', planId, date);
}
