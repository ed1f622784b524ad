/**
 * Queuing an email that shows inline thumbnails (the staff's 待审核 list, §7, §11): the planner
 * (shared/emails/plan.ts) names each listed activity's Content-ID; this reads the activity's first
 * photo through the PhotoStore port (the folder beside a local workbook, or Cloud Storage),
 * makes a small JPEG of it with sharp (adapters/photos/process.ts `thumbnailOf`) and queues the
 * email rendered with the sizes made, each thumbnail attached under its Content-ID.
 *
 * Guarantees, and why they hold:
 *   - Never a full photo in a mail: only `thumbnailOf`'s output (≤ 240 px, no metadata) is attached.
 *   - The mail document fits Firestore's 1 MiB: at most PENDING_LISTED thumbnails, and they are
 *     added only while their base64 text stays within THUMBNAILS_BASE64_BUDGET (a thumbnail past
 *     it is left out, its row drawn with the placeholder). Ten worst-case thumbnails (pure noise,
 *     about 28.5 KB each, 38 KB in base64) take about 380,000 characters, inside the budget (458,752)
 *     and so the queue's MAX_ATTACHMENT_BASE64; the rest of the document (ten rows of HTML and
 *     text) is under 40 KB — the worst document about 420 KB, well under 1 MiB.
 *   - An `<img>` never names a part the message lacks: the email is rendered only after the
 *     thumbnails are made, with exactly those that were.
 *   - One missing or unreadable photo costs its thumbnail, never the mail.
 *   - Idempotent like every queued email (the document ID is the key, plan · day); a look first, so
 *     a day's runs after the first (the hourly schedule, each sync of the local stack) decode nothing.
 */

import type { ThumbnailSize } from '../../../shared/emails/pendingReview';
import type { PlannedEmail } from '../../../shared/emails/plan';
import { type Log, logs } from '../logs';
import { mailCollection } from '../store/paths';
import type { PlanDoc } from '../store/planStore';
import type { MailAttachment } from './message';
import { mailDocId } from './message';
import { enqueueMail, type MailQueue } from './queue';

/** The most base64 text a mail's thumbnails may take: half the queue's attachment limit. */
export const THUMBNAILS_BASE64_BUDGET = 448 * 1024;

/** The thumbnails of a plan's activities: their sizes by Content-ID, and the attachments carrying them. */
export interface MadeThumbnails {
  sizes: Map<string, ThumbnailSize>;
  attachments: MailAttachment[];
}

/** Makes the thumbnail of each activity's first photo that the store has, within the budget. */
export async function makeThumbnails(
  queue: Pick<MailQueue, 'photos'>,
  plan: Pick<PlanDoc, 'planId' | 'workbook'>,
  cids: ReadonlyMap<string, string>,
  log?: Log,
): Promise<MadeThumbnails> {
  const made: MadeThumbnails = { sizes: new Map(), attachments: [] };
  const { photos } = queue;
  const location = plan.workbook;
  if (photos === undefined || location === undefined || !photos.serves(location) || cids.size === 0)
    return made;
  // Loaded on use: sharp is no part of a cold start.
  const { thumbnailOf } = await import('../../../adapters/photos/process');
  let used = 0;
  for (const [activityId, cid] of cids) {
    try {
      const photo = await photos.firstPhoto(plan.planId, location, activityId);
      if (photo === undefined) continue;
      const thumbnail = await thumbnailOf(photo);
      if (thumbnail === undefined) continue;
      const content = thumbnail.jpeg.toString('base64');
      if (used + content.length > THUMBNAILS_BASE64_BUDGET) continue;
      used += content.length;
      made.sizes.set(cid, { width: thumbnail.width, height: thumbnail.height });
      made.attachments.push({
        filename: `${cid.split('@')[0] ?? 'thumb'}.jpg`,
        content,
        encoding: 'base64',
        contentType: 'image/jpeg',
        cid,
      });
    } catch (error) {
      // A photo deleted between listing and reading, a storage hiccup: the row shows 无照片.
      log?.(logs.thumbnailFailed(plan.planId, activityId, error));
    }
  }
  return made;
}

/** Queues a planned email with its thumbnails, unless its key was queued before (then nothing is read). */
export async function enqueueWithThumbnails(
  queue: MailQueue,
  planned: Pick<PlannedEmail, 'key' | 'thumbnails' | 'render'>,
  plan: Pick<PlanDoc, 'planId' | 'workbook'>,
  senderName: string | undefined,
  now: Date,
  log?: Log,
): Promise<'queued' | 'duplicate'> {
  if ((await mailCollection(queue.db).doc(mailDocId(planned.key)).get()).exists) return 'duplicate';
  const { sizes, attachments } = await makeThumbnails(queue, plan, planned.thumbnails ?? new Map(), log);
  const email = planned.render(undefined, sizes);
  return enqueueMail(
    queue,
    { ...email, planId: plan.planId, senderName, ...(attachments.length > 0 && { attachments }) },
    now,
  );
}
