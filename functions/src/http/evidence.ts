/**
 * `POST /v1/plans/{planId}/evidence` — the add-on's 上传佐证照片: photos for one activity of the
 * plan, base64 in JSON (shared/api.ts EvidenceRequest), from an editor (the API's authorisation).
 *
 * The same rules as the phone form (SPEC §11): each photo within PHOTO_MAX_BYTES, at most
 * PHOTO_MAX_COUNT, processed (upright, ≤ 2048 px, JPEG, no metadata) one after another; one refused
 * photo refuses the request with its Chinese sentence and nothing is stored. Kept photos are added
 * after the activity's stored ones, durably before the 200, in the store that serves the plan's
 * workbook (Cloud Storage deployed, the folder beside a local workbook); the answer carries the
 * 佐证链接 the row gets, which the add-on writes into the row (the sheet is the add-on's to edit).
 */
import { PHOTO_MAX_BYTES, photoErrorMessage, photoFileName } from '../../../shared/evidence';
import { ApiError, type PlanAnswer, type PlanCall } from './handler';

/** Processes and keeps the photos; answers 200 with the activity's link and the new photos' names. */
export async function uploadEvidence({
  input: body,
  plan,
  deps,
}: PlanCall<'evidence', 'store' | 'photos'>): Promise<PlanAnswer<'evidence'>> {
  const { photos } = deps;
  const location = plan.workbook;
  if (!photos || !location || !photos.serves(location)) {
    throw new ApiError(
      'photos_unavailable',
      '此服务暂不能保存这个计划的照片，请改填佐证链接',
      'This service cannot keep photos for this plan; type an evidence link instead',
    );
  }
  const model = await deps.store.loadModel(plan);
  if (!model.activities.some((activity) => activity.activityId === body.activityId)) {
    throw new ApiError(
      'unknown_activity',
      `计划中没有记录编号为「${body.activityId}」的活动：请先同步，再上传照片`,
      `No activity ${body.activityId} in the plan: sync first, then upload`,
    );
  }
  const files = body.photos.map((photo) => ({ name: photo.name, bytes: Buffer.from(photo.data, 'base64') }));
  const tooLarge = files.filter((file) => file.bytes.length > PHOTO_MAX_BYTES);
  if (tooLarge.length > 0)
    throw invalidPhotos(tooLarge.map((file) => photoErrorMessage('photo_too_large', file.name)));
  // sharp is loaded by the first upload, not by a cold start of the API.
  const { processPhotos } = await import('../../../adapters/photos/intake');
  const outcome = await processPhotos(files);
  if (!outcome.ok) throw invalidPhotos(outcome.errors);
  const first = (await photos.lastNumber(plan.planId, location, body.activityId)) + 1;
  const link = await photos.put(plan.planId, location, body.activityId, outcome.photos, first);
  return {
    status: 200,
    body: {
      planId: plan.planId,
      activityId: body.activityId,
      link,
      added: outcome.photos.map((_, i) => photoFileName(first + i)),
    },
  };
}

function invalidPhotos(sentences: readonly string[]): ApiError {
  return new ApiError(
    'invalid_photo',
    `照片未保存：${sentences.join('；')}`,
    'No photo was kept: a photo could not be used (see the Chinese message)',
  );
}
