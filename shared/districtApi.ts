/**
 * The HTTP contract of the district routes (§13), under /v1/districts/{districtId}/: a table of
 * their own beside the plan routes (shared/api.ts), because who may call them is decided by the
 * district (its viewers and admins), never by a plan. The table's entries are shared/routes.ts
 * RouteDefs, as the plan routes' are.
 */
import * as z from 'zod';
import type { DistrictRollup } from './rollup';
import { type RouteTable, routesUnder } from './routes';

/** A district ID: letters, digits, `_` and `-`, as a plan's. */
export const DISTRICT_ID = /^(?!__.*__$)[A-Za-z0-9_-]{1,64}$/;

const Email = z.string().trim().toLowerCase().min(3).max(200).includes('@');

/** The body of district create: its name, people and time zone. */
export const DistrictCreateRequest = z.object({
  name: z.string().trim().min(1).max(100),
  timezone: z.string().min(1).max(64).default('Asia/Shanghai'),
  viewers: z.array(Email).max(200).default([]),
  admins: z.array(Email).max(50).default([]),
});
export type DistrictCreateRequest = z.infer<typeof DistrictCreateRequest>;

/** The body of district plans/add and plans/remove. */
export const DistrictPlanRequest = z.object({ planId: z.string().regex(/^(?!__.*__$)[A-Za-z0-9_-]{1,64}$/) });
export type DistrictPlanRequest = z.infer<typeof DistrictPlanRequest>;

/**
 * The body of district people: viewers and admins to add and to remove (each list optional, at
 * least one email in all; one email not both added and removed in the same role).
 */
export const DistrictPeopleRequest = z
  .object({
    addViewers: z.array(Email).max(200).default([]),
    removeViewers: z.array(Email).max(200).default([]),
    addAdmins: z.array(Email).max(50).default([]),
    removeAdmins: z.array(Email).max(50).default([]),
  })
  .refine(
    (b) => b.addViewers.length + b.removeViewers.length + b.addAdmins.length + b.removeAdmins.length > 0,
  )
  .refine(
    (b) =>
      !b.addViewers.some((e) => b.removeViewers.includes(e)) &&
      !b.addAdmins.some((e) => b.removeAdmins.includes(e)),
  );
export type DistrictPeopleRequest = z.infer<typeof DistrictPeopleRequest>;

/** The body of district sheet: the Google Sheet its roll-up is written into (its ID, from its link). */
export const DistrictSheetRequest = z.object({ spreadsheetId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });
export type DistrictSheetRequest = z.infer<typeof DistrictSheetRequest>;

/** The answer of every district admin route: the district as stored now. */
export const DistrictResponse = z.object({
  districtId: z.string(),
  name: z.string(),
  timezone: z.string(),
  plans: z.array(z.string()),
  viewers: z.array(z.string()),
  admins: z.array(z.string()),
  /** The Google Sheet the roll-up is written into, once bound (district sheet). */
  spreadsheetId: z.string().optional(),
});
export type DistrictResponse = z.infer<typeof DistrictResponse>;

/** The 200 answer of rollup: the district's roll-up over its member plans' summaries. */
export const DistrictRollupResponse = z.object({
  districtId: z.string(),
  name: z.string(),
  /** Member plans with no statistics yet: not in the roll-up until their first sync. */
  pending: z.array(z.string()),
  rollup: z.custom<DistrictRollup>((value) => typeof value === 'object' && value !== null),
});
export type DistrictRollupResponse = z.infer<typeof DistrictRollupResponse>;

/** What plans/add and plans/remove say their body needs. */
const PLAN_HINT = ['须有 planId', 'needs planId'] as const;

/**
 * Every district route, under /v1/districts/{districtId}/ (each entry as in shared/api.ts ROUTES):
 * `rollup` for the district's viewers (and admins), the rest for its admins (create: the service's
 * admins).
 */
export const DISTRICT_ROUTES = {
  districtRollup: {
    method: 'GET',
    path: 'rollup',
    body: undefined,
    status: 200,
    answer: DistrictRollupResponse,
    writes: false,
  },
  districtCreate: {
    method: 'POST',
    path: 'create',
    body: DistrictCreateRequest,
    hint: [
      '须有 name（名称），可有 timezone、viewers、admins',
      'needs name; timezone, viewers and admins are optional',
    ],
    status: 201,
    answer: DistrictResponse,
    writes: true,
  },
  districtAddPlan: {
    method: 'POST',
    path: 'plans/add',
    body: DistrictPlanRequest,
    hint: PLAN_HINT,
    status: 200,
    answer: DistrictResponse,
    writes: true,
  },
  districtRemovePlan: {
    method: 'POST',
    path: 'plans/remove',
    body: DistrictPlanRequest,
    hint: PLAN_HINT,
    status: 200,
    answer: DistrictResponse,
    writes: true,
  },
  districtPeople: {
    method: 'POST',
    path: 'people',
    body: DistrictPeopleRequest,
    hint: [
      '须有 addViewers、removeViewers、addAdmins、removeAdmins 中至少一个邮箱，且同一邮箱不能既加入又移出',
      'needs at least one email in addViewers, removeViewers, addAdmins or removeAdmins, none both added and removed',
    ],
    status: 200,
    answer: DistrictResponse,
    writes: true,
  },
  districtSheet: {
    method: 'POST',
    path: 'sheet',
    body: DistrictSheetRequest,
    hint: [
      '须有 spreadsheetId（Google 表格链接中 /d/ 与 /edit 之间的 ID）',
      'needs spreadsheetId (the ID between /d/ and /edit in the sheet’s link)',
    ],
    status: 200,
    answer: DistrictResponse,
    writes: true,
  },
} as const satisfies RouteTable;
export type DistrictRouteName = keyof typeof DISTRICT_ROUTES;
/** The success answer of a district route, typed by its schema. */
export type DistrictRouteAnswer<R extends DistrictRouteName> = z.infer<(typeof DISTRICT_ROUTES)[R]['answer']>;

const DISTRICT_PATHS = routesUnder('districts', 'districtId', DISTRICT_ROUTES);
/** The URL of a district route, under the API's base URL. */
export const districtRouteUrl = DISTRICT_PATHS.url;
/** The district route and district ID a request path names (a trailing slash allowed), or undefined. */
export const matchDistrictRoute = DISTRICT_PATHS.match;
