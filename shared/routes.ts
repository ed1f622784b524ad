/**
 * What a route table is: the plan routes (shared/api.ts ROUTES) and the district routes
 * (shared/districtApi.ts DISTRICT_ROUTES) are each one table of these entries, and everything else
 * follows from an entry — the URL a client calls, the route a request path names, how the server
 * reads the route's input and the sentences it refuses a wrong one with
 * (functions/src/http/input.ts), the types of the input and the answer.
 */
import type * as z from 'zod';

/**
 * What a route's input needs, said when one of the wrong shape is refused (400 invalid_body): one
 * sentence in Chinese, one in English. The person reads it in the add-on or the CLI as it is.
 */
export type InputHint = readonly [zh: string, en: string];

interface RouteBase {
  /** Under /v1/{collection}/{id}/. */
  path: string;
  /** The status of a success, and the schema of its answer. */
  status: number;
  answer: z.ZodType;
  /** A success acknowledges a write: the server makes it durable before answering. */
  writes: boolean;
}

/**
 * One route. Its input is nothing (a GET); a query (a GET) or a small JSON body, each parsed by its
 * schema and refused with its `hint`; or a workbook (`workbook: true`), read under the service's
 * body limit and refused naming where its shape breaks, since no one sentence says what a workbook
 * needs. A body with neither a hint nor `workbook` does not compile.
 */
export type RouteDef = RouteBase &
  (
    | { method: 'GET'; body: undefined; query?: undefined }
    | { method: 'GET'; body: undefined; query: z.ZodType; hint: InputHint }
    | { method: 'POST'; body: z.ZodType; hint: InputHint }
    | { method: 'POST'; body: z.ZodType; workbook: true }
  );

/** A table of routes by name. */
export type RouteTable = Readonly<Record<string, RouteDef>>;

/** A route's input as its schema gives it: the parsed body, the parsed query, or nothing. */
export type RouteInput<D extends RouteDef> = D extends { body: z.ZodType }
  ? z.output<D['body']>
  : D extends { query: z.ZodType }
    ? z.output<D['query']>
    : undefined;

/** A call of one route of a table with its parsed input: switching on `route` narrows `input`. */
export type RouteCall<T extends RouteTable> = {
  [N in keyof T & string]: { route: N; input: RouteInput<T[N]> };
}[keyof T & string];

/** A route's success: its status and its answer, typed by its entry (one per route of a union). */
export type RouteSuccess<T extends RouteTable, N extends keyof T & string> = N extends unknown
  ? { status: T[N]['status']; body: z.output<T[N]['answer']> }
  : never;

/**
 * A table's URLs and the matching of request paths, for routes under /v1/{collection}/{id}/; a
 * match names the ID `idKey` (planId, districtId).
 */
export function routesUnder<T extends { readonly [N in keyof T]: RouteDef }, K extends string>(
  collection: string,
  idKey: K,
  routes: T,
) {
  type Name = keyof T & string;
  const byPath = new Map((Object.keys(routes) as Name[]).map((name) => [routes[name].path, name]));
  const pattern = new RegExp(`^/v1/${collection}/([^/]+)/(.+?)/?$`);
  return {
    /** The URL of a route for one ID, under the API's base URL. */
    url: (apiUrl: string, id: string, route: Name): string =>
      `${apiUrl.replace(/\/+$/, '')}/v1/${collection}/${encodeURIComponent(id)}/${routes[route].path}`,
    /** The route and ID a request path names (a trailing slash allowed), or undefined. */
    match: (path: string): ({ route: Name } & Record<K, string>) | undefined => {
      const match = pattern.exec(path);
      const route = match?.[2] === undefined ? undefined : byPath.get(match[2]);
      if (match?.[1] === undefined || route === undefined) return undefined;
      return { route, [idKey]: match[1] } as { route: Name } & Record<K, string>;
    },
  };
}
