/**
 * The form's post, checked (SPEC §9): its fields read into a row — an activity, or a milestone's
 * report —, validated by the same rules as a sheet row, and its photos processed only once the
 * fields are in order. A post with anything wrong is answered here with the same page again (422),
 * its values kept and its page value (so its idempotency key) unchanged; nothing is written but
 * the link's use log. What passes is the record to store, with the photos to keep beside it.
 */
import type { ServerResponse } from 'node:http';
import { evidenceFolderLink, PHOTO_MAX_COUNT, photoErrorMessage } from '../../../shared/evidence';
import {
  ACTIVITY_FORM_FIELDS,
  type ActivityFormValues,
  creditedPartners,
  type FormView,
  fieldErrors,
  scopedPlan,
} from '../../../shared/requestForm';
import { todayIn } from '../../../shared/today';
import { validateActivityRow } from '../../../shared/validate';
import type { CellValue } from '../../../shared/workbook';
import { logLinkUse } from '../requests/links';
import {
  type Submission,
  type SubmittedActivity,
  submissionKey,
  submittedActivityId,
} from '../requests/submit';
import type { PlanDoc } from '../store/planStore';
import { refusePage, sendPage } from './formAnswer';
import type { MultipartPost } from './formBody';
import type { FormContext } from './formContext';
import type { Admitted } from './formGate';
import { formPage } from './formPage';

/** A post whose fields are in order: the record to store under its key, and its photos. */
export interface CheckedPost {
  plan: PlanDoc;
  key: string;
  kind: Submission['kind'];
  activity: SubmittedActivity;
  /** The processed photos to keep in the record's folder (none without an upload). */
  kept: Buffer[];
  /** What was typed, for the page shown again should the key hold other content. */
  values: ActivityFormValues;
  milestone: { measureId: string; note: string };
}

/** Checks a post: the record to store, or undefined once the post has been answered. */
export async function checkPost(
  ctx: FormContext,
  { link, token, address, planRead }: Admitted,
  nonce: string,
  { fields, upload }: { fields: URLSearchParams; upload?: MultipartPost },
  res: ServerResponse,
): Promise<CheckedPost | undefined> {
  const { deps } = ctx;
  const plan = await planRead;
  if (!plan) {
    refusePage(res, 'gone');
    return undefined;
  }
  const key = submissionKey(link.tokenHash, nonce);
  const model = await ctx.modelOf(plan);
  const scoped = scopedPlan(model, link.scope);
  const asOf = todayIn(deps.now(), plan.settings.timezone);
  const kind = fields.get('kind') === 'milestone' ? 'milestone' : 'activity';
  const values: ActivityFormValues = {};
  for (const field of ACTIVITY_FORM_FIELDS) {
    const value = fields.get(field);
    if (value !== null) values[field] = value;
  }
  values.partners = fields.getAll('partners');
  let cells: Partial<Record<string, CellValue>>;
  const milestoneInput = { measureId: fields.get('milestone') ?? '', note: fields.get('note') ?? '' };
  let errors: FormView['errors'] = {};
  if (kind === 'milestone') {
    const measure = scoped.measures.find(
      (m) => m.measureId === milestoneInput.measureId && m.metric === 'milestone',
    );
    if (!measure) errors.milestone = ['请选择本链接下的里程碑事项'];
    if (milestoneInput.note.trim() === '') errors.note = ['请填写完成情况说明'];
    cells = {
      date: asOf,
      measureId: milestoneInput.measureId,
      partners: scoped.presetPartners.join(','),
      title: `里程碑完成：${measure?.title ?? ''}`.slice(0, 200),
      notes: milestoneInput.note,
    };
  } else {
    cells = {
      ...Object.fromEntries(ACTIVITY_FORM_FIELDS.map((f) => [f, values[f] ?? null])),
      // A partner link's own unit is always credited, whatever was ticked (shared/requestForm.ts).
      partners: creditedPartners(scoped, values.partners).join(','),
    };
  }
  // Photos are the row's evidence (佐证要求): their folder's link, where no link was typed.
  const photoLink =
    (upload?.photos.length ?? 0) > 0 && plan.workbook && deps.photos?.serves(plan.workbook)
      ? await deps.photos.linkOf(link.planId, plan.workbook, submittedActivityId(key))
      : evidenceFolderLink(submittedActivityId(key));
  if (kind === 'activity' && (upload?.photos.length ?? 0) > 0 && !cells.evidence) cells.evidence = photoLink;
  // The same rules as a sheet row; the row is reported as done (status set on storing). A
  // milestone report has no evidence field: under 必须 the sheet asks staff for it, not the form.
  const checked = validateActivityRow(
    { ...cells, status: '已完成' },
    {
      partners: scoped.partners,
      measures: scoped.measures,
      year: plan.settings.year,
      asOf,
      evidenceRule: kind === 'milestone' ? 'warn' : plan.settings.evidenceRule,
    },
  );
  if (kind === 'activity' && cells.title === null && cells.date === null && cells.measureId === null) {
    errors = { ...errors, title: ['「活动名称」不能为空'] };
  }
  errors = { ...fieldErrors(checked.issues), ...errors };
  // Photos are processed only for a post whose fields are in order: a refused page is sent again
  // anyway, and a browser never refills a file input.
  const photos = Object.keys(errors).length === 0 ? await takePhotos(ctx, plan, upload) : { photos: [] };
  if ('errors' in photos) errors = { ...errors, photos: photos.errors };
  else if (upload && upload.photos.length > 0 && Object.keys(errors).length > 0)
    errors = {
      ...errors,
      photos: [`刚才选择的 ${upload.photos.length} 张照片未保存，请改正后重新选择照片`],
    };
  if (kind === 'milestone' && Object.keys(errors).length > 0 && !errors.milestone && !errors.note) {
    errors = { form: Object.values(errors).flat() as string[] };
  }
  if (Object.keys(errors).length > 0 || !checked.activity) {
    const page = await formPage(ctx, link, token, {
      values,
      errors,
      milestone: milestoneInput,
      // The same page again: its value (and so its idempotency key) stays.
      guard: fields.get('guard') ?? '',
    });
    if (!page) refusePage(res, 'gone');
    else {
      await logLinkUse({ db: deps.db, now: deps.now }, link, { kind: 'rejected', address });
      sendPage(res, 422, page);
    }
    return undefined;
  }
  const { activityId: _id, status: _status, recorder: _recorder, row: _row, ...typed } = checked.activity;
  const kept = 'photos' in photos ? photos.photos : [];
  // With photos, 佐证链接 is their folder (the ID derives from the key, before anything is
  // stored); a link typed beside them is kept in the notes rather than lost.
  const activity =
    kept.length === 0
      ? typed
      : {
          ...typed,
          evidence: photoLink,
          ...(typed.evidence && typed.evidence !== photoLink
            ? { notes: [typed.notes, `佐证链接：${typed.evidence}`].filter(Boolean).join('\n') }
            : {}),
        };
  return {
    plan,
    key,
    kind,
    activity: activity as SubmittedActivity,
    kept,
    values,
    milestone: milestoneInput,
  };
}

/** The post's photos processed, or the Chinese sentences of those refused (nothing kept then). */
async function takePhotos(
  { deps }: FormContext,
  plan: PlanDoc,
  upload: MultipartPost | undefined,
): Promise<{ photos: Buffer[] } | { errors: string[] }> {
  if (!upload || (upload.photos.length === 0 && upload.tooLarge.length === 0 && !upload.tooMany))
    return { photos: [] };
  if (!deps.photos?.serves(plan.workbook)) return { errors: ['此计划暂不能上传照片，请改填佐证链接'] };
  const refused = [
    ...(upload.tooMany ? [photoErrorMessage('photo_too_many')] : []),
    ...upload.tooLarge.map((name) => photoErrorMessage('photo_too_large', name)),
  ];
  if (refused.length > 0) return { errors: refused };
  if (upload.photos.length > PHOTO_MAX_COUNT) return { errors: [photoErrorMessage('photo_too_many')] };
  // sharp is loaded by the first post with photos, not by a cold start.
  const { processPhotos } = await import('../../../adapters/photos/intake');
  const outcome = await processPhotos(upload.photos);
  return outcome.ok ? { photos: outcome.photos } : { errors: outcome.errors };
}
