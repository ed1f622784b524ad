/**
 * Every route's input of the wrong shape, through the runtime's own API on the Firestore emulator:
 * refused 400 `invalid_body` with the route's two sentences, written out here word for word (the
 * add-on and the CLI show them as they are) — and only once the caller may use the route, so a
 * caller with no part in a plan or district learns nothing from its body's refusal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { DistrictRollups } from '../../../functions/src/districts/refresh';
import { createApi } from '../../../functions/src/http/api';
import { AuthError } from '../../../functions/src/http/auth';
import { DistrictStore } from '../../../functions/src/store/districtStore';
import { PlanStore } from '../../../functions/src/store/planStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import type { RouteName } from '../../../shared/api';
import type { DistrictRouteName } from '../../../shared/districtApi';
import { sampleWorkbook } from '../../../shared/sample';
import { useFirestoreEmulator } from '../../support/firestore';
import { type Answer, answerOf, apiRequest } from '../../support/http';

const handle = useFirestoreEmulator('inputs');
const OWNER = 'owner@example.cn';
const ADMIN = 'admin@example.cn';
const VIEWER = 'viewer@example.cn';
const STRANGER = 'stranger@example.cn';
const PLAN = 'inputs-2026';
const DISTRICT = 'inputs-district';
const NOW = new Date('2026-06-30T04:00:00Z');

/**
 * The API as the runtime builds it, with what a refusal of the input may need. Tokens are "Bearer
 * <email>" here (the verifier is tested in auth.test.ts); nothing past the refusal is called.
 */
function api() {
  const db = handle.firestore();
  const store = new PlanStore(db);
  const districts = new DistrictStore(db);
  return createApi({
    store,
    verifyIdentity: async (header) => {
      const email = /^Bearer (\S+@\S+)$/.exec(header ?? '')?.[1];
      if (!email) throw new AuthError('missing_token');
      return { email, viaDevToken: false };
    },
    admins: [ADMIN],
    maxBodyBytes: 1 << 20,
    now: () => NOW,
    sleep: systemClock.sleep,
    mailQueue: { db, retentionMs: 86_400_000 },
    history: { db, moveVersion: async () => {} },
    districts: {
      store: districts,
      rollups: new DistrictRollups({
        districts,
        store,
        now: () => NOW,
        writeRollup: async () => {},
        log: () => {},
      }),
      ensureSummary: async () => {},
    },
  });
}

beforeAll(async () => {
  const synced = await syncPlan(
    sampleWorkbook(2026, '2026-06-30'),
    { planId: PLAN, caller: OWNER, now: NOW, existing: undefined, clock: systemClock },
    new PlanStore(handle.firestore()),
  );
  expect(synced.applied).toBe(true);
  const created = await call('POST', `/v1/districts/${DISTRICT}/create`, ADMIN, {
    name: '校验街道',
    viewers: [VIEWER],
  });
  expect(created.status).toBe(201);
});

function call(
  method: string,
  path: string,
  caller: string,
  body?: unknown,
  query?: unknown,
): Promise<Answer> {
  return answerOf(api(), apiRequest(method, path, { body, query, caller }));
}

const body = (zh: string, en: string) => [`请求内容格式不正确：${zh}`, `Bad request body: ${en}`] as const;

/** Each plan route's refusal of an input of the wrong shape: its two sentences (none: it takes no input). */
const PLAN_SENTENCES: Record<RouteName, readonly [string, string] | undefined> = {
  sync: ['请求内容格式不正确（根）', 'The request body does not have the expected shape (at root)'],
  validate: ['请求内容格式不正确（根）', 'The request body does not have the expected shape (at root)'],
  stats: undefined,
  report: body(
    '需要 requestId（8–64 位字母、数字、_ 或 -），year 可选',
    'needs a requestId (8–64 letters, digits, _ or -) and an optional year',
  ),
  requests: body(
    'to 为责任人邮箱或共建单位编号的列表，message、due（YYYY-MM-DD）和 requestId 可选',
    'to is a list of owner emails or partner IDs; message, due (YYYY-MM-DD) and requestId are optional',
  ),
  revoke: body('需要 email（要撤销链接的人的邮箱）', 'needs email (whose links to revoke)'),
  confirmDeletions: body(
    '可选的 tab（partners、plan 或 activities）与 token',
    'an optional tab (partners, plan or activities) and token',
  ),
  history: [
    '查询参数不正确：row 为记录编号，tab 为 partners、plan 或 activities，since 为日期（YYYY-MM-DD），limit 为 1–5000 的整数',
    'Bad query: row is a record ID, tab partners, plan or activities, since a date (YYYY-MM-DD), limit a whole number 1–5000',
  ],
  restore: body(
    'ids 为要恢复的记录编号列表（活动、共建单位或计划事项）；给出 field 时只能有一个编号',
    'ids is a list of the IDs to restore (activities, partners or measures); one ID with field',
  ),
  evidence: body(
    '需要 activityId（记录编号）和 1–6 张照片（name、data 为 base64，每张不超过 12 MB）',
    'needs an activityId and 1–6 photos ({name, data: base64}), each within the size limit',
  ),
  ledger: body(
    'from、to 为可选日期（YYYY-MM-DD，from 不晚于 to），partner 为可选的共建单位编号或名称',
    'from and to are optional dates (YYYY-MM-DD, from not after to); partner an optional partner unit ID or name',
  ),
};

/** The same for the district routes. */
const DISTRICT_SENTENCES: Record<DistrictRouteName, readonly [string, string] | undefined> = {
  districtRollup: undefined,
  districtCreate: body(
    '须有 name（名称），可有 timezone、viewers、admins',
    'needs name; timezone, viewers and admins are optional',
  ),
  districtAddPlan: body('须有 planId', 'needs planId'),
  districtRemovePlan: body('须有 planId', 'needs planId'),
  districtPeople: body(
    '须有 addViewers、removeViewers、addAdmins、removeAdmins 中至少一个邮箱，且同一邮箱不能既加入又移出',
    'needs at least one email in addViewers, removeViewers, addAdmins or removeAdmins, none both added and removed',
  ),
  districtSheet: body(
    '须有 spreadsheetId（Google 表格链接中 /d/ 与 /edit 之间的 ID）',
    'needs spreadsheetId (the ID between /d/ and /edit in the sheet’s link)',
  ),
};

const PLAN_PATHS: Record<RouteName, string> = {
  sync: 'sync',
  validate: 'validate',
  stats: 'stats',
  report: 'report',
  requests: 'requests',
  revoke: 'requests/revoke',
  confirmDeletions: 'deletions/confirm',
  history: 'history',
  restore: 'restore',
  evidence: 'evidence',
  ledger: 'ledger',
};

const DISTRICT_PATHS: Record<DistrictRouteName, string> = {
  districtRollup: 'rollup',
  districtCreate: 'create',
  districtAddPlan: 'plans/add',
  districtRemovePlan: 'plans/remove',
  districtPeople: 'people',
  districtSheet: 'sheet',
};

/** A refusal's code and sentences. */
const refusal = (answer: Answer) => {
  const { code, message, messageEn } = answer.body.error as Record<string, string>;
  return [answer.status, code, message, messageEn];
};

/** Inputs no route takes: a JSON array, and a text body that is not JSON at all. */
const WRONG_BODIES: unknown[] = [[], '{"to": ['];

describe('an input of the wrong shape', () => {
  for (const [name, sentences] of Object.entries(PLAN_SENTENCES)) {
    if (!sentences) continue;
    it(`plan route ${name}: 400 invalid_body with its own sentences`, async () => {
      const path = `/v1/plans/${PLAN}/${PLAN_PATHS[name as RouteName]}`;
      if (name === 'history') {
        const answer = await call('GET', path, OWNER, undefined, { limit: '0' });
        expect(refusal(answer)).toEqual([400, 'invalid_body', ...sentences]);
        return;
      }
      for (const wrong of name === 'sync' || name === 'validate' ? [[]] : WRONG_BODIES) {
        expect(refusal(await call('POST', path, OWNER, wrong))).toEqual([400, 'invalid_body', ...sentences]);
      }
    });
  }

  for (const [name, sentences] of Object.entries(DISTRICT_SENTENCES)) {
    if (!sentences) continue;
    it(`district route ${name}: 400 invalid_body with its own sentences`, async () => {
      const path = `/v1/districts/${DISTRICT}/${DISTRICT_PATHS[name as DistrictRouteName]}`;
      for (const wrong of WRONG_BODIES) {
        expect(refusal(await call('POST', path, ADMIN, wrong))).toEqual([400, 'invalid_body', ...sentences]);
      }
    });
  }

  it('is refused only once the caller may use the route: anyone else learns nothing from it', async () => {
    const code = (answer: Answer) => [answer.status, (answer.body.error as { code: string }).code];
    expect(code(await call('POST', `/v1/plans/${PLAN}/report`, STRANGER, []))).toEqual([403, 'not_editor']);
    const people = `/v1/districts/${DISTRICT}/people`;
    expect(code(await call('POST', people, VIEWER, []))).toEqual([403, 'not_district_admin']);
    expect(code(await call('POST', `/v1/districts/${DISTRICT}/create`, VIEWER, []))).toEqual([
      403,
      'not_district_admin',
    ]);
    // A district that does not exist is that, whatever the body.
    const unknown = await call('POST', '/v1/districts/no-such-district/people', ADMIN, []);
    expect(code(unknown)).toEqual([404, 'unknown_district']);
  });
});
