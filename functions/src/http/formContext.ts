/**
 * What every request to the update-request form shares, built once per handler (createFormHandler):
 * its dependencies, the rate limiters, and the reads and writes that requests arriving together
 * share — one read of a plan document, one of a plan version's records, one version move and one
 * flush per plan at a time. Each step of the handler (formGate.ts, formCheck.ts, formSubmit.ts)
 * takes this context instead of capturing it, so a step is a module of its own.
 */
import type { IncomingMessage } from 'node:http';
import type { Firestore } from 'firebase-admin/firestore';
import type { PlanModel } from '../../../shared/model';
import type { Log } from '../logs';
import { Coalescer } from '../requests/coalesce';
import type { PhotoStore } from '../requests/evidence';
import type { LinkDeps } from '../requests/links';
import { RateLimiter } from '../requests/rateLimit';
import { createVersionMover, flushSubmissions, type SubmissionRowWriter } from '../requests/submit';
import type { PlanDoc, PlanStore } from '../store/planStore';

export interface FormDeps {
  /**
   * The path of the form's root as people's browsers see it (GONGJIAN_FORM_URL's path, '' at the
   * host's root): pages post to `<basePath>/r/<token>`, path-absolute, so `/r/<token>/` posts
   * where `/r/<token>` does.
   */
  basePath: string;
  db: Firestore;
  store: PlanStore;
  now: () => Date;
  log: Log;
  /** Appends submitted rows to the plan's workbook; absent: they wait for the next flush elsewhere. */
  writeRows?: SubmissionRowWriter;
  /** Resolves once what was written survives a crash (the local stack); awaited before 「已保存」. */
  durable?: () => Promise<void>;
  /** Where photos go (requests/evidence.ts); absent, or not serving a plan's workbook: no photo input. */
  photos?: PhotoStore;
  /** Requests per link and per address in a 10-minute window (defaults 60 and 120). */
  limits?: { perLink?: number; perAddress?: number };
  /**
   * The caller's address as the platform vouches for it, never as the client claims it: on Cloud
   * Functions the last X-Forwarded-For entry (lastForwardedHop), in the local stack the socket's
   * (socketAddress). Rate limits count by it.
   */
  clientAddress: (req: IncomingMessage) => string;
}

export interface FormContext {
  deps: FormDeps;
  perLink: RateLimiter;
  perAddress: RateLimiter;
  linkDeps: LinkDeps;
  /** Where a link's page posts (and a stored submission is sent back to). */
  formPath: (token: string) => string;
  moveVersion: (planId: string, key: string) => Promise<void>;
  planOf: (planId: string) => Promise<PlanDoc | undefined>;
  modelOf: (plan: PlanDoc) => Promise<PlanModel>;
  /** One flush of a plan's submitted rows at a time; absent without a row writer. */
  flushes: Coalescer<undefined, unknown> | undefined;
}

const WINDOW_MS = 10 * 60_000;

/** The context of one form handler. */
export function createFormContext(deps: FormDeps): FormContext {
  const perLink = new RateLimiter(
    deps.db,
    'formLink',
    { limit: deps.limits?.perLink ?? 60, windowMs: WINDOW_MS },
    deps.now,
  );
  const perAddress = new RateLimiter(
    deps.db,
    'formAddress',
    { limit: deps.limits?.perAddress ?? 120, windowMs: WINDOW_MS },
    deps.now,
  );
  // Requests that arrive together share one read of the plan document, as if each had read it a
  // moment earlier: nothing a request writes depends on that read being later.
  const planOf = sharedReads(
    (planId: string) => planId,
    (planId) => deps.store.getPlan(planId),
  );
  // Requests that arrive together for one plan version share one read of its records.
  const modelOf = sharedReads(
    (plan: PlanDoc) => `${plan.planId}@${plan.version}`,
    (plan) => deps.store.loadModel(plan),
  );
  const { writeRows } = deps;
  return {
    deps,
    perLink,
    perAddress,
    linkDeps: { db: deps.db, now: deps.now },
    formPath: (token) => `${deps.basePath}/r/${encodeURIComponent(token)}`,
    // One version move and one flush per plan at a time, shared by the submissions that wait for
    // them: fifty submissions at once take two moves, not fifty transactions on the plan document.
    moveVersion: createVersionMover(deps.db),
    planOf,
    modelOf,
    flushes: writeRows
      ? new Coalescer<undefined, unknown>((planId) =>
          flushSubmissions(
            { db: deps.db, now: deps.now, store: deps.store, writeRows, log: deps.log },
            planId,
          ),
        )
      : undefined,
  };
}

/** A read that callers asking for the same key while it runs share, forgotten once it settles. */
function sharedReads<In, Out>(keyOf: (input: In) => string, read: (input: In) => Promise<Out>) {
  const running = new Map<string, Promise<Out>>();
  return (input: In): Promise<Out> => {
    const key = keyOf(input);
    let reading = running.get(key);
    if (!reading) {
      reading = read(input);
      running.set(key, reading);
      const forget = () => running.delete(key);
      reading.then(forget, forget);
    }
    return reading;
  };
}
