/**
 * The update-request form as HTML (shared/requestForm.ts): only the link's scope, every value
 * escaped, no script, errors next to their fields with what was typed kept.
 */
import { describe, expect, it } from 'vitest';
import {
  type FormView,
  fieldErrors,
  renderFormPage,
  renderRefusalPage,
  scopedPlan,
} from '../../shared/requestForm';
import { validateActivityRow } from '../../shared/validate';
import { activity, measure, model, partner } from '../support/model';

const HOSTILE = '<script>alert(1)</script>"\'&';

const plan = model({
  partners: [
    partner({ partnerId: 'P1', name: `学校${HOSTILE}` }),
    partner({ partnerId: 'P2', name: '税务局' }),
    partner({ partnerId: 'P3', name: '无关单位' }),
  ],
  measures: [
    measure({
      measureId: 'M1',
      title: `为老服务${HOSTILE}`,
      ownerEmail: 'Owner@Example.cn',
      partners: ['P1'],
    }),
    measure({
      measureId: 'M2',
      title: '加层',
      metric: 'milestone',
      ownerEmail: 'owner@example.cn',
      partners: ['P1'],
    }),
    measure({ measureId: 'M3', title: '别人的事项', ownerEmail: 'other@example.cn', partners: ['P2'] }),
  ],
  activities: [
    activity({ measureId: 'M1', partners: ['P1'], title: '义诊' }),
    activity({ measureId: 'M3', partners: ['P2'], title: '别人的活动' }),
  ],
});

function view(overrides: Partial<FormView> = {}): FormView {
  return {
    community: '幸福社区',
    personName: `王老师${HOSTILE}`,
    scopeLabel: '我负责的事项',
    plan: scopedPlan(plan, { kind: 'owner', ownerEmail: 'owner@example.cn' }),
    stats: new Map(),
    action: './TOKEN',
    guard: 'nonce.sig',
    today: '2026-06-15',
    values: {},
    errors: {},
    submissions: [],
    expiresOn: '2026-07-15',
    review: false,
    ...overrides,
  };
}

describe('scopedPlan', () => {
  it('an owner sees the measures they own (email in any case) and their activities, nothing else', () => {
    const scoped = scopedPlan(plan, { kind: 'owner', ownerEmail: 'OWNER@example.cn' });
    expect(scoped.measures.map((m) => m.measureId)).toEqual(['M1', 'M2']);
    expect(scoped.activities.map((a) => a.title)).toEqual(['义诊']);
    expect(scoped.partners.map((p) => p.partnerId)).toEqual(['P1']);
    expect(scoped.presetPartners).toEqual([]);
  });

  it('a partner unit sees its measures and activities, its own unit preset', () => {
    const scoped = scopedPlan(plan, { kind: 'partner', partnerId: 'P2' });
    expect(scoped.measures.map((m) => m.measureId)).toEqual(['M3']);
    expect(scoped.activities.map((a) => a.title)).toEqual(['别人的活动']);
    expect(scoped.presetPartners).toEqual(['P2']);
  });
});

describe('renderFormPage', () => {
  const html = renderFormPage(view());

  it('escapes every value from the plan and the person; no script, no inline style or handler', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('王老师&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
    expect(html).toContain('为老服务&lt;script&gt;');
    expect(html).not.toMatch(/ on[a-z]+=/i);
    expect(html).not.toMatch(/<style|style=/i);
    expect(html).toContain('<link rel="stylesheet" href="../form.css">');
  });

  it('shows only the scope: the other owner’s measure is not on the page', () => {
    expect(html).not.toContain('别人的事项');
    expect(html).not.toContain('别人的活动');
    expect(html).not.toContain('无关单位');
  });

  it('posts both forms back to its own link with the page’s anti-forgery value', () => {
    expect(html.match(/<form method="post" action="\.\/TOKEN">/g)).toHaveLength(2);
    expect(html.match(/name="guard" value="nonce\.sig"/g)).toHaveLength(2);
    expect(html).toContain('type="date"');
  });

  it('keeps what was typed and puts each Chinese error next to its field', () => {
    const typed = {
      date: '2026-06-12',
      measureId: 'M1',
      title: `义诊${HOSTILE}`,
      participants: '二十',
      partners: ['P1'],
    };
    const checked = validateActivityRow(
      { ...typed, partners: 'P1', status: '已完成' },
      { partners: plan.partners, measures: plan.measures, year: 2026, asOf: '2026-06-15' },
    );
    const errors = fieldErrors(checked.issues);
    expect(errors.participants).toEqual(['「参与人数」不是有效的数字：二十']);
    const page = renderFormPage(view({ values: typed, errors }));
    // The error follows its input, which keeps the value typed (escaped).
    expect(page).toMatch(
      /<input id="f-participants" name="participants" type="text" value="二十"[^>]*aria-invalid="true"[^>]*><p class="msg" id="f-participants-err">「参与人数」不是有效的数字：二十<\/p>/,
    );
    expect(page).toContain('value="义诊&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"');
    expect(page).toMatch(/<option value="M1" selected>/);
    expect(page).toMatch(/name="partners" value="P1" checked/);
  });

  it('a non-http evidence link, a future date and an unknown measure block the form (sheet rows only warn on the link)', () => {
    const checked = validateActivityRow(
      {
        date: '2026-07-01',
        measureId: 'M9',
        title: '活动',
        evidence: 'javascript:alert(1)',
        status: '已完成',
      },
      { partners: plan.partners, measures: plan.measures, year: 2026, asOf: '2026-06-15' },
    );
    const errors = fieldErrors(checked.issues);
    expect(Object.keys(errors).sort()).toEqual(['date', 'evidence', 'measureId']);
    const formulaOnly = validateActivityRow(
      { date: '2026-06-01', measureId: 'M1', title: '=1+1', status: '已完成' },
      { partners: plan.partners, measures: plan.measures, year: 2026, asOf: '2026-06-15' },
    );
    expect(formulaOnly.activity?.title).toBe('=1+1');
    expect(fieldErrors(formulaOnly.issues)).toEqual({});
  });

  it('lists open milestones only in the milestone form', () => {
    const select = /<select id="m-measure"[^>]*>(.*?)<\/select>/.exec(html)?.[1] ?? '';
    expect(select).toContain('<option value="M2">M2 加层</option>');
    expect(select).not.toContain('value="M1"');
  });
});

describe('renderRefusalPage', () => {
  it.each([
    ['expired', '链接已过期'],
    ['revoked', '链接已停用'],
    ['unknown', '链接无效'],
    ['forged', '页面已失效'],
  ] as const)('%s → %s, and no form', (reason, title) => {
    const page = renderRefusalPage(reason);
    expect(page).toContain(`<h1>${title}</h1>`);
    expect(page).not.toContain('<form');
  });
});
