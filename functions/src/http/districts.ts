/**
 * The district routes of the API (shared/districtApi.ts DISTRICT_ROUTES), dispatched by api.ts once
 * the caller is authenticated, admitted here (admitDistrictCall) and the input read (http/input.ts):
 *   GET  /v1/districts/{id}/rollup         the roll-up, for the district's viewers and admins
 *   POST /v1/districts/{id}/create         a new district, for the service's admins
 *   POST /v1/districts/{id}/plans/add      a member plan more, for the district's admins
 *   POST /v1/districts/{id}/plans/remove   a member plan less, for the district's admins
 *   POST /v1/districts/{id}/people         viewers and admins added or removed, for its admins
 *   POST /v1/districts/{id}/sheet          its roll-up bound to a Google Sheet, for its admins
 * Who may call is decided by the district alone: being a plan's editor grants nothing here, and
 * being a district's viewer grants nothing on any plan (api.ts authorises plan routes by the plan).
 * The roll-up answered is computed from the members' summaries as stored now (districts/refresh.ts
 * computeRollup): figures and measure titles, no record, no contact.
 */
import type { DISTRICT_ROUTES, DistrictResponse, DistrictRouteName } from '../../../shared/districtApi';
import type { RouteCall, RouteSuccess } from '../../../shared/routes';
import { computeRollup } from '../districts/refresh';
import { type DistrictDoc, unknownDistrict } from '../store/districtStore';
import { AuthError, type Identity } from './auth';
import { type ApiDeps, ApiError } from './handler';

/** A district route's success: its status and answer, typed by its entry of the route table. */
export type DistrictAnswer<R extends DistrictRouteName = DistrictRouteName> = RouteSuccess<
  typeof DISTRICT_ROUTES,
  R
>;

/** A district call its caller may make: the service's districts, the district (none before create). */
export interface AdmittedCall {
  districts: NonNullable<ApiDeps['districts']>;
  district: DistrictDoc | undefined;
  districtId: string;
  identity: Identity;
}

const has = (emails: readonly string[], identity: Identity) => emails.includes(identity.email.toLowerCase());

/**
 * Whether the caller may make this call, decided before its body is read (api.ts): the service's
 * admins create a district, its viewers and admins read its roll-up, its admins change it.
 */
export async function admitDistrictCall(
  deps: ApiDeps,
  route: DistrictRouteName,
  districtId: string,
  identity: Identity,
): Promise<AdmittedCall> {
  const districts = deps.districts;
  if (!districts) {
    throw new ApiError('not_found', '本服务没有启用街道汇总', 'District roll-ups are not enabled here');
  }
  const serviceAdmin = has(deps.admins, identity);
  if (route === 'districtCreate') {
    if (!serviceAdmin) throw notAdmin();
    return { districts, district: undefined, districtId, identity };
  }
  const district = await districts.store.getDistrict(districtId);
  // A caller with no part in a district learns nothing of it, not even that it exists.
  const admin = serviceAdmin || (district !== undefined && has(district.admins, identity));
  const viewer = admin || (district !== undefined && has(district.viewers, identity));
  if (route === 'districtRollup') {
    if (!viewer) throw notViewer();
  } else if (!admin) throw notAdmin();
  return { districts, district: existing(district), districtId, identity };
}

/** Handles one district route of an admitted caller, its input read from the route table. */
export async function handleDistrictRoute(
  call: RouteCall<typeof DISTRICT_ROUTES>,
  { districts, district, districtId, identity }: AdmittedCall,
  deps: ApiDeps,
): Promise<DistrictAnswer> {
  switch (call.route) {
    case 'districtCreate': {
      const created = await districts.store.create(districtId, call.input, identity.email, deps.now());
      return { status: 201, body: shown(created) };
    }
    case 'districtRollup': {
      const found = existing(district);
      const { rollup, pending } = await computeRollup(found, deps.store);
      return { status: 200, body: { districtId, name: found.name, pending, rollup } };
    }
    case 'districtAddPlan':
    case 'districtRemovePlan': {
      const { planId } = call.input;
      const adding = call.route === 'districtAddPlan';
      const updated = adding
        ? await districts.store.addPlan(districtId, planId)
        : await districts.store.removePlan(districtId, planId);
      // A plan synced before districts existed has statistics but no summary: made now, once.
      if (adding && (await deps.store.summaries([planId]))[0] === undefined) {
        await districts.ensureSummary(planId);
      }
      await districts.rollups.changed(districtId);
      return { status: 200, body: shown(updated) };
    }
    case 'districtPeople':
      return { status: 200, body: shown(await districts.store.changePeople(districtId, call.input)) };
    case 'districtSheet': {
      const found = existing(district);
      const { spreadsheetId } = call.input;
      if (!districts.writeSheet) {
        throw new ApiError(
          'not_found',
          '本服务没有配置 Google 表格',
          'No Google Sheets API is configured here',
        );
      }
      // Written before the binding is kept (districts/sheet.ts says why): a sheet the service
      // account cannot edit, or a plan's, is refused here with nothing bound.
      await districts.writeSheet(spreadsheetId, (await computeRollup(found, deps.store)).rollup);
      const updated = await districts.store.bindSheet(districtId, spreadsheetId);
      // A member's recomputation between the write and the binding wrote no sheet: one more now.
      await districts.rollups.changed(districtId);
      return { status: 200, body: shown(updated) };
    }
    default:
      return call satisfies never;
  }
}

function existing(district: DistrictDoc | undefined): DistrictDoc {
  if (!district) throw unknownDistrict();
  return district;
}

function shown(district: DistrictDoc): DistrictResponse {
  const { districtId, name, timezone, plans, viewers, admins, workbook } = district;
  return {
    districtId,
    name,
    timezone,
    plans,
    viewers,
    admins,
    ...(workbook?.kind === 'sheets' ? { spreadsheetId: workbook.spreadsheetId } : {}),
  };
}

function notViewer(): AuthError {
  return new AuthError('not_district_viewer', 'not a viewer or admin of the district');
}

function notAdmin(): AuthError {
  return new AuthError('not_district_admin', 'not an admin of the district');
}
