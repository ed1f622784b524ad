/**
 * A link's form page as it stands now (SPEC §9): the plan's measures in the link's scope with
 * their statistics, what this link submitted so far, and the state of this post (values typed,
 * what was wrong, a notice). Undefined when the plan is gone. The one place that renders it: for
 * the GET, a refused post and a page submitted before with other content alike.
 */
import { type FormView, renderFormPage, scopedPlan } from '../../../shared/requestForm';
import { todayIn } from '../../../shared/today';
import { pageGuard } from '../requests/formGuard';
import type { StoredLink } from '../requests/links';
import { submissionsOfLink } from '../requests/submit';
import type { FormContext } from './formContext';

/** What a post leaves on the page it is shown again. */
export type PageState = Pick<FormView, 'values' | 'errors'> &
  Partial<Pick<FormView, 'notice' | 'milestone' | 'guard'>>;

export async function formPage(
  ctx: FormContext,
  link: StoredLink,
  token: string,
  state: PageState,
): Promise<string | undefined> {
  const { deps } = ctx;
  const plan = await ctx.planOf(link.planId);
  if (!plan) return undefined;
  const [model, stats, submissions] = await Promise.all([
    ctx.modelOf(plan),
    deps.store.getStats(link.planId),
    submissionsOfLink(deps.db, link),
  ]);
  const scoped = scopedPlan(model, link.scope);
  const scopeLabel =
    link.scope.kind === 'owner'
      ? '我负责的事项'
      : `${model.partners.find((p) => p.partnerId === (link.scope as { partnerId: string }).partnerId)?.name ?? ''} 的事项和活动`;
  return renderFormPage({
    community: plan.settings.community,
    personName: link.name,
    scopeLabel,
    plan: scoped,
    stats: new Map((stats?.stats.measures ?? []).map((m) => [m.measureId, m])),
    action: ctx.formPath(token),
    guard: state.guard ?? pageGuard(link),
    today: todayIn(deps.now(), plan.settings.timezone),
    values: state.values,
    errors: state.errors,
    ...(state.milestone ? { milestone: state.milestone } : {}),
    ...(state.notice ? { notice: state.notice } : {}),
    submissions: submissions.map((s) => ({
      activityId: s.activityId,
      date: s.activity.date,
      title: s.activity.title,
      written: s.state === 'written',
      pending: s.activity.status === 'pending',
    })),
    expiresOn: todayIn(new Date(link.expiresAt), plan.settings.timezone),
    review: plan.settings.reviewReports === true,
    photos: deps.photos?.serves(plan.workbook) === true,
  });
}
