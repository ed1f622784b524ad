/**
 * The Node-side client of the staff API (the local stack's sync, `gongjian request`): a route of
 * the table in shared/api.ts, posted with a bearer token, its answer parsed by the route's schema,
 * and a refusal kept as the server said it (code and both sentences) for the one error boundary.
 */

import type * as z from 'zod';
import { ErrorBody, ROUTES, type RouteAnswer, type RouteName, routeUrl } from '../shared/api';
import { knownErrorCode } from '../shared/apiErrors';
import {
  DISTRICT_ROUTES,
  type DistrictRouteAnswer,
  type DistrictRouteName,
  districtRouteUrl,
} from '../shared/districtApi';
import { ApiRefusalError } from './terminal/errors';

/** The refusal a non-2xx answer of the API carries; an answer outside the contract says its status. */
export function refusalOf(status: number, json: unknown): ApiRefusalError {
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success)
    return new ApiRefusalError(
      'unknown',
      `服务器的回复无法识别（HTTP ${status}）`,
      `Unrecognised answer from the server (HTTP ${status})`,
    );
  const { code, message, messageEn, reason } = parsed.data.error;
  return new ApiRefusalError(knownErrorCode(code) ?? 'unknown', message, messageEn, reason);
}

/** Where the API is and who calls it. */
export interface ApiTarget {
  apiUrl: string;
  token: string;
  planId: string;
}

/**
 * POSTs a route's body and returns its parsed answer; throws the server's refusal as
 * {@link ApiRefusalError}, and whatever fetch throws when nothing answers.
 */
export async function postRoute<R extends Exclude<RouteName, 'stats' | 'history'>>(
  target: ApiTarget,
  route: R,
  body: z.input<(typeof ROUTES)[R]['body']>,
): Promise<RouteAnswer<R>> {
  const response = await postJson(routeUrl(target.apiUrl, target.planId, route), target.token, body);
  return (await answerOf(response, ROUTES[route])) as RouteAnswer<R>;
}

/** GETs a route with a query string and returns its parsed answer, as postRoute does. */
export async function getRoute<R extends 'stats' | 'history'>(
  target: ApiTarget,
  route: R,
  query: Record<string, string | undefined> = {},
): Promise<RouteAnswer<R>> {
  const params = new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
  const url = routeUrl(target.apiUrl, target.planId, route);
  const response = await fetch(params ? `${url}?${params}` : url, {
    headers: { authorization: `Bearer ${target.token}` },
  });
  return (await answerOf(response, ROUTES[route])) as RouteAnswer<R>;
}

/** A JSON body POSTed with the caller's token: how every writing route of either table is called. */
function postJson(url: string, token: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
}

/**
 * The answer of a route, parsed by its entry of the route table (plan or district); any other
 * status, or an answer of another shape, is the server's refusal, thrown.
 */
async function answerOf(response: Response, route: { status: number; answer: z.ZodType }): Promise<unknown> {
  const json: unknown = await response.json().catch(() => undefined);
  if (response.status !== route.status) throw refusalOf(response.status, json);
  const answer = route.answer.safeParse(json);
  if (!answer.success) throw refusalOf(response.status, undefined);
  return answer.data;
}

/** Where the API is and who calls it, for a district's routes. */
export interface DistrictTarget {
  apiUrl: string;
  token: string;
  districtId: string;
}

/** POSTs a district route's body and returns its parsed answer; refusals as in postRoute. */
export async function postDistrictRoute<R extends Exclude<DistrictRouteName, 'districtRollup'>>(
  target: DistrictTarget,
  route: R,
  body: z.input<(typeof DISTRICT_ROUTES)[R]['body']>,
): Promise<DistrictRouteAnswer<R>> {
  const url = districtRouteUrl(target.apiUrl, target.districtId, route);
  const response = await postJson(url, target.token, body);
  return (await answerOf(response, DISTRICT_ROUTES[route])) as DistrictRouteAnswer<R>;
}
