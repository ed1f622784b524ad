/**
 * What every route of the API shares (api.ts dispatches; report.ts, requests.ts and the rest handle
 * their routes): the request and response, the runtime's dependencies, the refusal, and what a plan
 * route's handler is given and answers. Apart from api.ts so that the route handlers, which api.ts
 * loads on use, do not import the module that imports them.
 */
import type { Firestore } from 'firebase-admin/firestore';
import type { ROUTES, RouteName } from '../../../shared/api';
import { API_ERRORS, type ApiErrorCode } from '../../../shared/apiErrors';
import type { RecordTabKey } from '../../../shared/columns';
import { GongjianError } from '../../../shared/errors';
import type { DistrictRollup } from '../../../shared/rollup';
import type { RouteInput, RouteSuccess } from '../../../shared/routes';
import type { Clock } from '../clock';
import type { DistrictRollups } from '../districts/refresh';
import type { LedgerOutput } from '../ledgers/outputs';
import type { Log } from '../logs';
import type { MailQueue } from '../mail/queue';
import type { PhotoStore } from '../requests/evidence';
import type { DistrictStore } from '../store/districtStore';
import type { PlanDoc, PlanStore } from '../store/planStore';
import type { RecordDoc } from '../store/records';
import type { SyncProgress } from '../sync/syncPlan';
import type { Identity } from './auth';

/** The parts of an HTTP request the API reads (express's, as functions-framework passes it). */
export interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
  rawBody?: Buffer;
  /** The parsed query string (express's); GET history reads it. */
  query?: unknown;
  get(name: string): string | undefined;
}

/** The parts of an HTTP response the API writes. */
export interface ApiResponse {
  status(code: number): ApiResponse;
  json(body: unknown): unknown;
  /** Sets a header (express's `set`); Retry-After on a 429. */
  set?(field: string, value: string): unknown;
}

/** What the history routes need besides the store: the log's database and the form's version mover. */
export interface HistoryDeps {
  db: Firestore;
  /** Moves the plan's version after a restore, coalesced like the form's (requests/submit.ts). */
  moveVersion: (planId: string, key: string) => Promise<void>;
}

/** What the API needs from its runtime; the clock dates validation and a sync's claim. */
export interface ApiDeps extends Clock {
  store: PlanStore;
  /** Resolves the caller from the Authorization header; throws AuthError. */
  verifyIdentity: (authorization: string | undefined) => Promise<Identity>;
  /** Who may create a plan by its first sync, and bind a plan to another spreadsheet. */
  admins: readonly string[];
  maxBodyBytes: number;
  /**
   * Development only: the .xlsx a synced plan's generated tabs go to — the local stack's one
   * workbook, or with `--district` each plan's own.
   */
  localWorkbook?: (planId: string) => string | undefined;
  /** How far each sync has got (the local stack's progress line). */
  syncProgress?: (planId: string, progress: SyncProgress) => void;
  /** The submitted or restored records of a tab a sync must keep (requests/submit.ts protectSubmitted). */
  keepSubmitted?: (
    planId: string,
    inWorkbook: ReadonlySet<string>,
    now: Date,
    tab?: RecordTabKey,
  ) => Promise<ReadonlySet<string>>;
  /** The records whose restored field value a sync keeps (requests/restoreCell.ts protectRestoredCells). */
  pinRestored?: (
    planId: string,
    records: readonly RecordDoc[],
    now: Date,
    tab: RecordTabKey,
  ) => Promise<ReadonlyMap<string, RecordDoc>>;
  /** Districts and their roll-ups (districts.ts); without them the district routes answer 404. */
  districts?: {
    store: DistrictStore;
    rollups: DistrictRollups;
    /** Recomputes a plan's statistics so that its roll-up summary exists (a plan synced before districts). */
    ensureSummary: (planId: string) => Promise<void>;
    /**
     * Writes a roll-up into a Google Sheet, refusing (DistrictRefusal) one the service account cannot
     * edit or a plan's (districts/sheet.ts); absent where no Sheets API is configured.
     */
    writeSheet?: (spreadsheetId: string, rollup: DistrictRollup) => Promise<void>;
  };
  /** Where the year-end summary's email is queued (report.ts). */
  mailQueue?: MailQueue;
  /** Update-request emails one editor may queue per day (requests.ts; config default 200). */
  requestEmailsPerDay?: number;
  log?: Log;
  /**
   * Told when held deletions were confirmed outside a sync: the local stack then syncs its workbook
   * again, which applies them (deployed, the add-on confirms within its sync instead).
   */
  deletionsConfirmed?: (planId: string) => void;
  /** The change log's database and the version mover a restore needs (history.ts); absent: 503. */
  history?: HistoryDeps;
  /**
   * Who the change log names for a request made with the local stack's development token:
   * 「<OS user>（本地）」 (§12). Everyone else is named by their verified email.
   */
  localAuthor?: string;
  /** Resolves once what was written survives a crash (the local stack); awaited before a mutating answer. */
  durable?: () => Promise<void>;
  /** Where an activity's photos are kept (requests/evidence.ts); absent: the evidence route answers 503. */
  photos?: PhotoStore;
  /** Where ledger jobs are written and what builds them (ledger.ts); absent: the ledger route answers 503. */
  ledgers?: { db: Firestore; output: LedgerOutput };
}

/** A refusal: a code of the contract (its HTTP status comes from API_ERRORS) and its two sentences. */
export class ApiError extends GongjianError<ApiErrorCode> {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    code: ApiErrorCode,
    messageZh: string,
    messageEn: string,
    /** A finer code where the client may act on it (why a workbook is unusable). */
    readonly reason?: string,
    /** Seconds until a refused request may succeed: sent as Retry-After (429). */
    readonly retryAfterS?: number,
  ) {
    super(code, messageZh, messageEn);
    this.status = API_ERRORS[code];
  }
}

/** A plan route's success: its status and answer, typed by its entry of the route table. */
export type PlanAnswer<R extends RouteName = RouteName> = RouteSuccess<typeof ROUTES, R>;

/**
 * What a plan route's handler is given once the plan is found and the caller authorised (api.ts):
 * the route's input as its table entry parses it (input.ts), the plan, the caller, and the parts
 * `D` of the runtime it uses.
 */
export interface PlanCall<R extends RouteName, D extends keyof ApiDeps = keyof ApiDeps> {
  input: RouteInput<(typeof ROUTES)[R]>;
  plan: PlanDoc;
  identity: Identity;
  deps: Pick<ApiDeps, D>;
}

/** Who the change log names for this caller (§12): the local stack's OS user, or the verified email. */
export function authorOf(identity: Identity, deps: Pick<ApiDeps, 'localAuthor'>): string {
  return identity.viaDevToken && deps.localAuthor ? deps.localAuthor : identity.email;
}
