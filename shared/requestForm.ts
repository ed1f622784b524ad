/**
 * The update-request form (SPEC §9) as HTML: pure rendering, no I/O. A phone-first page of plain
 * HTML forms without script — the person's measures with progress and due dates, "add an
 * activity", "a milestone is done", and what was submitted through this link. Every value that
 * came from a person or the plan goes through the one HTML escaper (escapeHtml); nothing typed
 * ever becomes markup. The stylesheet is served as its own file (FORM_CSS) so the Content
 * Security Policy allows no inline style or script.
 */

import type { LinkField } from './columns';
import { type EntryControl, type EntryField, entryFields } from './entry';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from './evidence';
import { percent } from './format';
import { STATUS_LABELS } from './i18n';
import type { Issue } from './issues';
import { escapeHtml } from './markup';
import type { Activity, Measure, Partner, PlanModel } from './model';
import type { MeasureStats } from './stats-types';

/** Who a link is for and what it shows (requests/links.ts stores it as the link's scope). */
export type FormScope = { kind: 'owner'; ownerEmail: string } | { kind: 'partner'; partnerId: string };

/** The measures and activities a scope may see, and the partners its form may name. */
export interface ScopedPlan {
  measures: Measure[];
  activities: Activity[];
  partners: Partner[];
  /** Preset in the activity form's partner list. */
  presetPartners: string[];
}

/** What one link's scope shows of a plan: an owner's measures, or a partner unit's measures and activities. */
export function scopedPlan(model: PlanModel, scope: FormScope): ScopedPlan {
  const measures =
    scope.kind === 'owner'
      ? model.measures.filter((m) => m.ownerEmail?.toLowerCase() === scope.ownerEmail.toLowerCase())
      : model.measures.filter((m) => m.partners.includes(scope.partnerId));
  const measureIds = new Set(measures.map((m) => m.measureId));
  const activities =
    scope.kind === 'owner'
      ? model.activities.filter((a) => measureIds.has(a.measureId))
      : model.activities.filter((a) => a.partners.includes(scope.partnerId));
  const partnerIds = new Set(measures.flatMap((m) => m.partners));
  if (scope.kind === 'partner') partnerIds.add(scope.partnerId);
  return {
    measures,
    activities,
    partners: model.partners.filter((p) => partnerIds.has(p.partnerId)),
    presetPartners: scope.kind === 'partner' ? [scope.partnerId] : [],
  };
}

/**
 * The partners an activity posted through a link is credited to: those ticked, and always the
 * link's own unit first — a partner's liaison reports what their unit did, so a post that names
 * only another unit, or none, still counts for the unit whose link it came through (and can never
 * credit another unit alone).
 */
export function creditedPartners(plan: ScopedPlan, ticked: readonly string[]): string[] {
  return [...new Set([...plan.presetPartners, ...ticked])];
}

/** A submission made through the link, as listed on the page. */
export interface SubmissionLine {
  activityId: string;
  date: string;
  title: string;
  /** True once the row is in the workbook. */
  written: boolean;
  pending: boolean;
}

/** The activity fields the phone form has inputs for: the link's entry fields but the partner ticks (partnersHtml). */
const FORM_FIELDS = entryFields('link').filter((entry) => entry.control !== 'partners');
/** A field of the activity form with an input of its own. */
export type ActivityFormField = Exclude<LinkField, 'partners'>;
/** The activity form's input fields, in the columns' order (entry.ts: the columns with an entry by anyone). */
// entryFields('link') keeps exactly the columns LinkField names, so the cast only restores the literal type.
export const ACTIVITY_FORM_FIELDS = FORM_FIELDS.map((entry) => entry.field) as readonly ActivityFormField[];
/** The fields of the activity form, as typed (strings; partners a list). */
export type ActivityFormValues = Partial<Record<ActivityFormField, string>> & { partners?: string[] };

/** Everything one page shows. */
export interface FormView {
  community: string | undefined;
  personName: string;
  scopeLabel: string;
  plan: ScopedPlan;
  stats: ReadonlyMap<string, MeasureStats>;
  /** The form's own address (relative), where both forms post. */
  action: string;
  /** The per-page anti-forgery value. */
  guard: string;
  today: string;
  values: ActivityFormValues;
  /** Errors by field, in Chinese. */
  errors: Partial<
    Record<ActivityFormField | 'partners' | 'photos' | 'form' | 'milestone' | 'note', string[]>
  >;
  milestone?: { measureId?: string; note?: string };
  /** A sentence shown at the top after a submission. */
  notice?: string;
  submissions: SubmissionLine[];
  expiresOn: string;
  /** Rows land as 待审核 (设置 → 填报需审核). */
  review: boolean;
  /** The activity form takes photos (the plan's photo store serves its workbook): multipart, a file input. */
  photos?: boolean;
}

const DOCTYPE = '<!doctype html>';

function page(title: string, body: string): string {
  return `${DOCTYPE}
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="../form.css">
</head><body><main>
${body}
</main></body></html>
`;
}

/** The form's stylesheet, served at <form root>/form.css (pages link it as ../form.css): system fonts, 16 px inputs (no zoom on focus), 48 px touch targets. */
export const FORM_CSS = `*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:#1f2937;background:#f3f4f6}
main{max-width:640px;margin:0 auto;padding:12px}
h1{font-size:20px;margin:8px 0}h2{font-size:18px;margin:20px 0 8px}
section{background:#fff;border-radius:8px;padding:12px;margin:12px 0}
.meta{color:#6b7280;font-size:14px}
.notice{background:#ecfdf5;border:1px solid #10b981;padding:12px;border-radius:8px}
.problem{background:#fef2f2;border:1px solid #ef4444;padding:12px;border-radius:8px}
.problem p{margin:0}
section>h2:first-child{margin-top:0}
ul.list{list-style:none;padding:0;margin:0}ul.list li{padding:8px 0;border-bottom:1px solid #e5e7eb}
.bar{height:8px;background:#e5e7eb;border-radius:4px;overflow:hidden;margin-top:4px}.bar span{display:block;height:8px;background:#2563eb}
.bar .p0{width:0}.bar .p1{width:10%}.bar .p2{width:20%}.bar .p3{width:30%}.bar .p4{width:40%}.bar .p5{width:50%}.bar .p6{width:60%}.bar .p7{width:70%}.bar .p8{width:80%}.bar .p9{width:90%}.bar .p10{width:100%}
label{display:block;margin:12px 0 4px;font-weight:600}
input,select,textarea{width:100%;min-height:48px;font:inherit;padding:8px 10px;border:1px solid #9ca3af;border-radius:6px;background:#fff}
textarea{min-height:96px}
.check{display:flex;align-items:center;gap:8px;min-height:48px;font-weight:400;margin:0}.check input{width:24px;min-height:24px}
.err input,.err select,.err textarea{border:2px solid #dc2626}
.msg{color:#b91c1c;font-size:14px;margin:4px 0 0}
button{width:100%;min-height:52px;margin-top:16px;font:inherit;font-weight:600;color:#fff;background:#2563eb;border:0;border-radius:8px}
`;

function errorsOf(messages: string[] | undefined, id: string): string {
  if (!messages || messages.length === 0) return '';
  return messages.map((m) => `<p class="msg" id="${id}-err">${escapeHtml(m)}</p>`).join('');
}

/** The phone's input for each control: exhaustive, so a control added in entry.ts must be given one here. */
const PHONE_INPUTS: Record<
  Exclude<EntryControl, 'partners'>,
  { type: 'date' | 'text' | 'url' | 'textarea' | 'select'; inputmode?: 'numeric' | 'decimal' }
> = {
  date: { type: 'date' },
  measure: { type: 'select' },
  line: { type: 'text' },
  lines: { type: 'textarea' },
  integer: { type: 'text', inputmode: 'numeric' },
  decimal: { type: 'text', inputmode: 'decimal' },
  url: { type: 'url' },
  choice: { type: 'select' },
};

function measureOptions(measures: Measure[], selected: string | undefined, blank: string): string {
  return [
    `<option value="">${escapeHtml(blank)}</option>`,
    ...measures.map(
      (m) =>
        `<option value="${escapeHtml(m.measureId)}"${m.measureId === selected ? ' selected' : ''}>${escapeHtml(`${m.measureId} ${m.title}`)}</option>`,
    ),
  ].join('');
}

function choiceOptions(options: readonly string[], selected: string | undefined): string {
  return [
    `<option value="">请选择</option>`,
    ...options.map(
      (o) => `<option value="${escapeHtml(o)}"${o === selected ? ' selected' : ''}>${escapeHtml(o)}</option>`,
    ),
  ].join('');
}

function fieldHtml(entry: EntryField, view: FormView): string {
  const field = entry.field as ActivityFormField;
  const input = entry.control === 'partners' ? undefined : PHONE_INPUTS[entry.control];
  const id = `f-${field}`;
  const value = view.values[field] ?? '';
  const errors = view.errors[field];
  const described = errors?.length ? ` aria-invalid="true" aria-describedby="${id}-err"` : '';
  const required = entry.required ? ' required' : '';
  const label = entry.hint ? `${entry.label}（${entry.hint}）` : entry.label;
  let control: string;
  if (input?.type === 'select') {
    const options =
      entry.control === 'measure'
        ? measureOptions(view.plan.measures, value, '请选择事项')
        : choiceOptions(entry.options ?? [], value);
    control = `<select id="${id}" name="${field}"${required}${described}>${options}</select>`;
  } else if (input?.type === 'textarea') {
    control = `<textarea id="${id}" name="${field}" maxlength="2000"${described}>${escapeHtml(value)}</textarea>`;
  } else {
    const mode = input?.inputmode ? ` inputmode="${input.inputmode}"` : '';
    const max = input?.type === 'date' ? '' : ' maxlength="500"';
    control = `<input id="${id}" name="${field}" type="${input?.type ?? 'text'}" value="${escapeHtml(value)}"${mode}${max}${required}${described}>`;
  }
  return `<div${errors?.length ? ' class="err"' : ''}><label for="${id}">${escapeHtml(label)}${entry.required ? ' *' : ''}</label>${control}${errorsOf(errors, id)}</div>`;
}

function partnersHtml(view: FormView): string {
  if (view.plan.partners.length === 0) return '';
  const own = new Set(view.plan.presetPartners);
  const chosen = new Set(creditedPartners(view.plan, view.values.partners ?? []));
  // The link's own unit is always credited (creditedPartners): shown ticked and fixed.
  const boxes = view.plan.partners
    .map(
      (p) =>
        `<label class="check"><input type="checkbox" name="partners" value="${escapeHtml(p.partnerId)}"${chosen.has(p.partnerId) ? ' checked' : ''}${own.has(p.partnerId) ? ' disabled' : ''}>${escapeHtml(p.name)}${own.has(p.partnerId) ? '（本单位）' : ''}</label>`,
    )
    .join('');
  const errors = view.errors.partners;
  return `<fieldset${errors?.length ? ' class="err"' : ''}><legend>共建单位</legend>${boxes}${errorsOf(errors, 'f-partners')}</fieldset>`;
}

/**
 * The photo input (SPEC §11): a plain file input, so it works without script, in WeChat's browser
 * and old Android ones; the browser cannot refill it after an error, so its errors say to choose again.
 */
function photosHtml(view: FormView): string {
  if (!view.photos) return '';
  const errors = view.errors.photos;
  const described = errors?.length ? ' aria-invalid="true" aria-describedby="f-photos-err"' : '';
  return `<div${errors?.length ? ' class="err"' : ''}><label for="f-photos">活动照片（最多 ${PHOTO_MAX_COUNT} 张，每张不超过 ${PHOTO_MAX_BYTES / 1024 / 1024} MB）</label><input id="f-photos" name="photos" type="file" accept="image/*" multiple${described}><p class="meta">照片中的位置等信息不会保存。</p>${errorsOf(errors, 'f-photos')}</div>`;
}

function progressBar(fraction: number): string {
  const tenth = Math.max(0, Math.min(10, Math.round(fraction * 10)));
  return `<div class="bar"><span class="p${tenth}"></span></div>`;
}

function measuresHtml(view: FormView): string {
  if (view.plan.measures.length === 0) return '<p class="meta">这个链接下没有事项。</p>';
  const items = view.plan.measures.map((m) => {
    const s = view.stats.get(m.measureId);
    const progress = s ? Math.min(s.progress, 1) : 0;
    const status = s ? STATUS_LABELS[s.status] : '';
    const due = m.due ?? '';
    return `<li><strong>${escapeHtml(m.measureId)} ${escapeHtml(m.title)}</strong><div class="meta">进度 ${escapeHtml(percent(progress))} · ${escapeHtml(status)}${due ? ` · 截止 ${escapeHtml(due)}` : ''}</div>${progressBar(progress)}</li>`;
  });
  return `<ul class="list">${items.join('')}</ul>`;
}

function activitiesHtml(view: FormView): string {
  const recent = [...view.plan.activities].sort((a, b) => (a.date < b.date ? 1 : -1)).slice(0, 20);
  if (recent.length === 0) return '<p class="meta">还没有活动。</p>';
  return `<ul class="list">${recent
    .map(
      (a) =>
        `<li>${escapeHtml(a.date)} ${escapeHtml(a.title)}<div class="meta">${escapeHtml(a.measureId)}${a.status === 'pending' ? ' · 待审核' : ''}</div></li>`,
    )
    .join('')}</ul>`;
}

function submissionsHtml(view: FormView): string {
  if (view.submissions.length === 0) return '<p class="meta">还没有通过此链接提交的内容。</p>';
  return `<ul class="list">${view.submissions
    .map((s) => {
      const state = `${s.written ? '已写入表格' : '等待写入表格'}${s.pending ? ' · 待审核' : ''}`;
      return `<li>${escapeHtml(s.date)} ${escapeHtml(s.title)}<div class="meta">编号 ${escapeHtml(s.activityId)} · ${state}</div></li>`;
    })
    .join('')}</ul>`;
}

function milestoneHtml(view: FormView): string {
  const open = view.plan.measures.filter(
    (m) => m.metric === 'milestone' && m.state === 'auto' && view.stats.get(m.measureId)?.status !== 'done',
  );
  if (open.length === 0) return '';
  const chosen = view.milestone?.measureId;
  const measureErrors = view.errors.milestone;
  const noteErrors = view.errors.note;
  return `<section><h2>里程碑事项已完成</h2>
<form method="post" action="${escapeHtml(view.action)}">
<input type="hidden" name="guard" value="${escapeHtml(view.guard)}">
<input type="hidden" name="kind" value="milestone">
<div${measureErrors?.length ? ' class="err"' : ''}><label for="m-measure">事项 *</label><select id="m-measure" name="milestone" required>${measureOptions(open, chosen, '请选择里程碑事项')}</select>${errorsOf(measureErrors, 'm-measure')}</div>
<div${noteErrors?.length ? ' class="err"' : ''}><label for="m-note">完成情况说明 *</label><textarea id="m-note" name="note" maxlength="2000" required>${escapeHtml(view.milestone?.note ?? '')}</textarea>${errorsOf(noteErrors, 'm-note')}</div>
<button type="submit">提交完成情况</button>
<p class="meta">工作人员核实后在计划表中将事项标为已完成。</p>
</form></section>`;
}

/** The form page of one link. */
export function renderFormPage(view: FormView): string {
  const heading = `${view.community ? `${view.community} · ` : ''}填报活动 / 更新进展`;
  const notice = view.notice ? `<p class="notice" role="status">${escapeHtml(view.notice)}</p>` : '';
  const problem = view.errors.form?.length
    ? `<p class="problem" role="alert">${view.errors.form.map(escapeHtml).join('<br>')}</p>`
    : '';
  const review = view.review ? '<p class="meta">提交的活动经工作人员审核后计入统计。</p>' : '';
  const body = `<h1>${escapeHtml(heading)}</h1>
<p class="meta">${escapeHtml(view.personName)} · ${escapeHtml(view.scopeLabel)} · 链接有效至 ${escapeHtml(view.expiresOn)}</p>
${notice}${problem}
<section><h2>我的事项</h2>${measuresHtml(view)}</section>
<section><h2>新增活动</h2>${review}
<form method="post" action="${escapeHtml(view.action)}"${view.photos ? ' enctype="multipart/form-data"' : ''}>
<input type="hidden" name="guard" value="${escapeHtml(view.guard)}">
<input type="hidden" name="kind" value="activity">
${FORM_FIELDS.map((entry) => fieldHtml(entry, view)).join('\n')}
${photosHtml(view)}
${partnersHtml(view)}
<button type="submit">提交活动</button>
</form></section>
${milestoneHtml(view)}
<section><h2>通过此链接提交的记录</h2>${submissionsHtml(view)}</section>
<section><h2>相关活动</h2>${activitiesHtml(view)}</section>`;
  return page(heading, body);
}

/** Why a link opens no form. */
export type LinkRefusal =
  | 'unknown'
  | 'expired'
  | 'revoked'
  | 'forged'
  | 'limited'
  | 'gone'
  | 'tooLarge'
  | 'unreadable';

const REFUSALS: Record<LinkRefusal, { title: string; text: string }> = {
  unknown: {
    title: '链接无效',
    text: '这个填报链接不存在。请检查链接是否完整，或联系社区工作人员重新发送。',
  },
  expired: { title: '链接已过期', text: '这个填报链接已过期。请联系社区工作人员重新发送填报请求。' },
  revoked: { title: '链接已停用', text: '这个填报链接已被停用。如仍需填报，请联系社区工作人员。' },
  forged: {
    title: '页面已失效',
    text: '提交的表单无法验证，内容未保存。请重新打开邮件中的链接再填写。',
  },
  limited: { title: '操作太频繁', text: '提交过于频繁，请稍后再试。' },
  gone: { title: '计划不存在', text: '这个链接所属的计划已不存在。请联系社区工作人员。' },
  tooLarge: {
    title: '提交内容过大',
    text: '提交的内容超过了表单允许的大小，内容未保存。请缩短备注等文字后重新提交。',
  },
  unreadable: {
    title: '无法读取提交的内容',
    text: '提交的内容无法读取，内容未保存。请重新打开邮件中的链接，用手机或电脑自带的浏览器填写。',
  },
};

/** The page shown instead of the form: a clear sentence in Chinese, and nothing else. */
export function renderRefusalPage(reason: LinkRefusal): string {
  const { title, text } = REFUSALS[reason];
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><section class="problem"><p>${escapeHtml(text)}</p></section>`,
  );
}

/**
 * Which validation issues keep a form submission from being saved: every error, and the warnings
 * a person at the form can fix (a sheet row keeps them as warnings for staff to see).
 */
export function blocksSubmission(issue: Issue): boolean {
  // missing_evidence is a reminder under 提醒 (an error, so blocking, only under 必须).
  return (
    issue.severity === 'error' ||
    (issue.code !== 'formula_like' &&
      issue.code !== 'duplicate_activity' &&
      issue.code !== 'missing_evidence')
  );
}

/** The validation issues as messages next to their fields. */
export function fieldErrors(issues: Issue[]): FormView['errors'] {
  const errors: FormView['errors'] = {};
  for (const issue of issues.filter(blocksSubmission)) {
    const field =
      (ACTIVITY_FORM_FIELDS as readonly string[]).includes(issue.field) || issue.field === 'partners'
        ? (issue.field as ActivityFormField | 'partners')
        : 'form';
    const list = errors[field] ?? [];
    list.push(issue.message);
    errors[field] = list;
  }
  return errors;
}
