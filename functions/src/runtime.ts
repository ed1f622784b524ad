/**
 * The composition root of the deployed (and functions-framework-served) functions: config parsed
 * once, Firestore and the adapters built once, on the first invocation rather than at import, so
 * a cold start that only loads the module does no I/O. Function declarations are module-level by
 * nature (firebase-functions), hence this one memoised root; everything below it takes its
 * dependencies as arguments.
 */

import type { Server } from 'node:http';
import { userInfo } from 'node:os';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import type { WorkbookUpdate, WorkbookUpdateResult } from '../../adapters/workbook/port';
import type { SheetsAuth, SheetsWorkbook } from '../../adapters/workbook/sheets';
import { planMarkerVerdict } from '../../shared/marks';
import type { DistrictRollup } from '../../shared/rollup';
import { type Clock, systemClock } from './clock';
import { type Config, parseConfig, redactConfig } from './config';
import { DistrictRollups, type RollupWriter } from './districts/refresh';
import { createApi, guardServer } from './http/api';
import { createIdentityVerifier } from './http/auth';
import { withEvidencePages } from './http/evidencePage';
import { createFormHandler, type FormDeps, formBasePath, lastForwardedHop } from './http/form';
import type { ApiDeps } from './http/handler';
import type { LedgerJobDeps } from './ledgers/job';
import { cloudLedgerOutput, firstLedgerOutput, localLedgerOutput } from './ledgers/outputs';
import { cloudLog, type Log, logs } from './logs';
import type { MailDeps } from './mail/deps';
import type { MailQueue } from './mail/queue';
import { mailFromAddress, transportFromConfig } from './mail/transport';
import { CloudPhotoStore } from './requests/cloudPhotoStore';
import { firstServing, localFolderPhotoStore } from './requests/evidence';
import { protectRestoredCells } from './requests/restoreCell';
import { createVersionMover, protectSubmitted, type SubmissionRowWriter } from './requests/submit';
import type { GeneratedTabsWriter, RefreshDeps } from './stats/refresh';
import { DistrictStore } from './store/districtStore';
import { PlanStore } from './store/planStore';

/** The adapters of one process, with the clock and the log every one of them is given. */
export interface Runtime extends Clock {
  log: Log;
  config: Config;
  /** The Firestore client: the store's records, the mail queue and the update requests share it. */
  db: Firestore;
  store: PlanStore;
  api: ReturnType<typeof createApi>;
  /** The update-request form (http/form.ts). */
  form: ReturnType<typeof createFormHandler>;
  /** Appends submitted rows to a plan's workbook (requests/submit.ts). */
  writeSubmissionRows: SubmissionRowWriter;
  /** Puts the api's preflight before a functions-framework server's body parsers (local stack). */
  guardApiServer(server: Server): void;
  refresh: RefreshDeps;
  /** Districts (§13) and their coalesced roll-ups. */
  districts: DistrictStore;
  rollups: DistrictRollups;
  /** Where emails are queued, whichever sender delivers them. */
  mailQueue: MailQueue;
  /** What a ledger build needs (ledgers/job.ts, run by triggers/onLedgerRequested.ts). */
  ledgers: LedgerJobDeps;
  /** Our mail sender; absent in production without SMTP_URL, where the Trigger Email extension delivers. */
  mail?: MailDeps;
  /**
   * Resolves once everything written so far survives a crash of whatever runs it: awaited before
   * anything is acknowledged. Deployed, Firestore is durable already (a no-op); the local stack
   * exports its emulator (stack/durability.ts).
   */
  durable(): Promise<void>;
  /** Closes the Firestore client, the mail transport and the firebase-admin app (local stack, tests). */
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

let built: Runtime | undefined;
let builds = 0;

/** The runtime of this process, built on first use. */
export function runtime(): Runtime {
  built ??= buildRuntime(parseConfig(process.env));
  return built;
}

/** Makes a runtime built elsewhere (the local stack, tests) the one the functions use. */
export function installRuntime(installed: Runtime | undefined): void {
  built = installed;
}

/** What a runtime may be given instead of building it (tests; the deployed runtime takes none). */
export interface RuntimeOverrides {
  /** The clock; by default the machine's (tests pin it). */
  clock?: Clock;
  /** Credentials for the Sheets API; by default the service account's. */
  sheetsAuth?: SheetsAuth;
  /**
   * Writes into a local .xlsx (the local stack's one writer of its file); with appendActivities
   * it answers `inWorkbook` once the rows are in the file.
   */
  writeXlsx?: (path: string, update: WorkbookUpdate) => Promise<unknown>;
  /** How far each sync has got (the local stack's progress line). */
  syncProgress?: ApiDeps['syncProgress'];
  /** The form caller's address; by default Cloud Functions' trusted hop (http/form.ts). */
  clientAddress?: FormDeps['clientAddress'];
  /** The durability barrier where Firestore is not durable by itself (the local stack). */
  durable?: () => Promise<void>;
  /** Told when held deletions are confirmed outside a sync (the local stack syncs again). */
  deletionsConfirmed?: ApiDeps['deletionsConfirmed'];
  /** Each plan's own .xlsx (the local stack over a folder of workbooks) instead of GONGJIAN_LOCAL_WORKBOOK. */
  localWorkbookOf?: (planId: string) => string | undefined;
}

/** Builds every adapter from a parsed config (also used by the local stack and tests). */
export function buildRuntime(config: Config, log: Log = cloudLog, overrides: RuntimeOverrides = {}): Runtime {
  log(logs.started(redactConfig(config)));
  // A firebase-admin app of its own: a Firestore client takes settings only once, and the local
  // stack and tests may build a runtime again after stopping one.
  const app = initializeApp({ projectId: config.projectId }, `gongjian-${config.projectId}-${++builds}`);
  const db = getFirestore(app);
  db.settings({
    // Records carry absent optional fields as undefined; Firestore leaves them out.
    ignoreUndefinedProperties: true,
    // The emulator by settings rather than the environment variable: no credentials are looked
    // up (ssl: false makes the client send the emulator's admin token).
    // universeDomain spares a probe of the cloud metadata server that does not exist here.
    ...(config.firestoreEmulatorHost
      ? { host: config.firestoreEmulatorHost, ssl: false, universeDomain: 'googleapis.com' }
      : {}),
  });
  const store = new PlanStore(db);
  const { now, sleep } = overrides.clock ?? systemClock;
  const durable = overrides.durable ?? (async () => {});
  const verifier = createIdentityVerifier({
    audiences: config.audiences,
    devEmail: config.devEmail,
    ...(config.devToken ? { devToken: config.devToken } : {}),
  });
  // One Sheets client per spreadsheet, so its update queue and the service account's token are kept.
  const sheetsWorkbooks = new Map<string, Promise<SheetsWorkbook>>();
  const openSheet = (spreadsheetId: string) => {
    let opened = sheetsWorkbooks.get(spreadsheetId);
    if (!opened) {
      opened = import('../../adapters/workbook/sheets').then(({ createSheetsWorkbook, serviceAccountAuth }) =>
        createSheetsWorkbook({
          spreadsheetId,
          auth: overrides.sheetsAuth ?? serviceAccountAuth(),
          ...(config.sheetsRootUrl ? { rootUrl: config.sheetsRootUrl } : {}),
        }),
      );
      sheetsWorkbooks.set(spreadsheetId, opened);
    }
    return opened;
  };
  // The adapters are loaded on use: exceljs and googleapis are heavy (cold starts).
  const writeGeneratedTabs: GeneratedTabsWriter = async (planId, location, tabs) => {
    if (location.kind === 'xlsx') {
      const writeXlsx = overrides.writeXlsx ?? (await import('../../adapters/workbook/xlsxPort')).updateXlsx;
      await writeXlsx(location.path, tabs);
      return;
    }
    const sheet = await openSheet(location.spreadsheetId);
    // The service account can edit every sheet shared with it: write only where the sheet itself
    // says it belongs to this plan (store/binding.ts).
    const markers = await sheet.planMarkers();
    const verdict = planMarkerVerdict(markers, planId);
    if (verdict !== 'bound') {
      const found = verdict === 'missing' ? '没有计划标记' : `标记的计划是 ${JSON.stringify(markers)}`;
      log(logs.generatedTabsRefused(planId, location.spreadsheetId, found, verdict));
      return;
    }
    await sheet.update(tabs);
  };
  const writeSubmissionRows: SubmissionRowWriter = async (planId, location, rows, records, cells = []) => {
    const update: WorkbookUpdate = {
      ...(rows.length > 0 && { appendActivities: rows }),
      ...(records.length > 0 && { appendRecords: records }),
      ...(cells.length > 0 && { restoreCells: cells }),
    };
    if (location.kind === 'xlsx') {
      const writeXlsx = overrides.writeXlsx ?? (await import('../../adapters/workbook/xlsxPort')).updateXlsx;
      const outcome = (await writeXlsx(location.path, update)) as WorkbookUpdateResult | undefined;
      return {
        inWorkbook: Array.isArray(outcome?.inWorkbook) ? outcome.inWorkbook : [],
        recordsInWorkbook: Array.isArray(outcome?.recordsInWorkbook) ? outcome.recordsInWorkbook : [],
        cellsDone: Array.isArray(outcome?.cellsDone) ? outcome.cellsDone : [],
      };
    }
    const sheet = await openSheet(location.spreadsheetId);
    if (planMarkerVerdict(await sheet.planMarkers(), planId) !== 'bound') {
      throw new Error(
        `Google 表格 ${location.spreadsheetId} 不属于计划 ${planId} / not marked for this plan`,
      );
    }
    const result = await sheet.update(update);
    return {
      inWorkbook: result.inWorkbook ?? [],
      recordsInWorkbook: result.recordsInWorkbook ?? [],
      cellsDone: result.cellsDone ?? [],
    };
  };
  // Deployed (or against the Storage emulator), a Sheets plan's photos go to Cloud Storage behind
  // links the form serves; a local workbook's stay in the folder beside it.
  const cloudPhotos =
    config.formUrl !== undefined && (config.environment === 'production' || config.storageEmulatorHost)
      ? new CloudPhotoStore({
          db,
          formUrl: config.formUrl,
          // firebase-admin/storage (and the Cloud Storage client) load with the first photo, not at a cold start.
          bucket: async () =>
            (await import('firebase-admin/storage'))
              .getStorage(app)
              .bucket(config.storageBucket ?? `${config.projectId}.firebasestorage.app`),
        })
      : undefined;
  const photos = cloudPhotos ? firstServing(localFolderPhotoStore, cloudPhotos) : localFolderPhotoStore;
  // A ledger lands where the plan's photos are: beside a local workbook, or in Cloud Storage.
  const ledgerOutput = cloudPhotos
    ? firstLedgerOutput(localLedgerOutput, cloudLedgerOutput(cloudPhotos))
    : localLedgerOutput;
  const retentionMs = config.mailRetentionDays * DAY_MS;
  const mailQueue: MailQueue = {
    db,
    fromAddress: mailFromAddress(config),
    retentionMs,
    // With the form served, every digest and reminder carries its recipient's update link.
    ...(config.formUrl !== undefined && { links: { formUrl: config.formUrl, now } }),
    // The staff's 待审核 list shows thumbnails of the photos wherever they are kept.
    photos,
  };
  const districts = new DistrictStore(db);
  // The roll-up workbook: an .xlsx (the local stack) or the district's Google Sheet.
  const writeSheet = async (spreadsheetId: string, rollup: DistrictRollup) => {
    const { writeDistrictSheet } = await import('./districts/sheet');
    await writeDistrictSheet(await openSheet(spreadsheetId), spreadsheetId, rollup);
  };
  const writeRollup: RollupWriter = async (district, rollup) => {
    if (district.workbook?.kind === 'sheets') return writeSheet(district.workbook.spreadsheetId, rollup);
    if (district.workbook?.kind !== 'xlsx') return;
    const { rollupWorkbook, writeRollupXlsx } = await import('../../adapters/workbook/rollupXlsx');
    await writeRollupXlsx(district.workbook.path, rollupWorkbook(rollup));
  };
  const rollups = new DistrictRollups({ districts, store, now, writeRollup, log });
  const refresh: RefreshDeps = {
    store,
    db,
    mailQueue,
    now,
    writeGeneratedTabs,
    writeSubmissionRows,
    log,
    summarySaved: (planId) => rollups.planChanged(planId),
  };
  const apiDeps: ApiDeps = {
    districts: {
      store: districts,
      rollups,
      ensureSummary: async (planId) => {
        const { refreshStats } = await import('./stats/refresh');
        await refreshStats(planId, refresh, { force: true });
      },
      writeSheet,
    },
    store,
    verifyIdentity: (header) => verifier.verify(header),
    admins: config.admins,
    maxBodyBytes: config.maxBodyBytes,
    now,
    sleep,
    mailQueue,
    requestEmailsPerDay: config.requestEmailsPerDay,
    log,
    durable,
    keepSubmitted: (planId, inWorkbook, at, tab) => protectSubmitted(db, planId, inWorkbook, at, tab, log),
    pinRestored: (planId, records, at, tab) => protectRestoredCells(db, planId, records, at, tab, log),
    history: { db, moveVersion: createVersionMover(db) },
    photos,
    ledgers: { db, output: ledgerOutput },
    ...(config.environment === 'development' && config.devToken ? { localAuthor: localAuthor() } : {}),
    ...(overrides.syncProgress ? { syncProgress: overrides.syncProgress } : {}),
    ...(overrides.deletionsConfirmed ? { deletionsConfirmed: overrides.deletionsConfirmed } : {}),
    ...(config.environment === 'development' && (overrides.localWorkbookOf || config.localWorkbook)
      ? { localWorkbook: overrides.localWorkbookOf ?? (() => config.localWorkbook) }
      : {}),
  };
  const formHandler = createFormHandler({
    basePath: formBasePath(config.formUrl),
    db,
    store,
    now,
    log,
    writeRows: writeSubmissionRows,
    clientAddress: overrides.clientAddress ?? lastForwardedHop,
    durable,
    photos,
  });
  const configured = transportFromConfig(config);
  // A message and the links in it go out only once the documents behind them are durable: a link
  // in someone's inbox must open after any restart.
  const transport: typeof configured = configured && {
    name: configured.name,
    send: async (mail) => {
      await durable();
      return configured.send(mail);
    },
    close: () => configured.close(),
  };
  return {
    db,
    now,
    sleep,
    log,
    config,
    store,
    api: createApi(apiDeps),
    form: cloudPhotos ? withEvidencePages(cloudPhotos, log, formHandler) : formHandler,
    writeSubmissionRows,
    guardApiServer: (server) => guardServer(server, apiDeps),
    refresh,
    districts,
    rollups,
    mailQueue,
    ledgers: { db, store, mailQueue, now, log, output: ledgerOutput },
    durable,
    ...(transport ? { mail: { transport, now, retentionMs, log } } : {}),
    close: async () => {
      await transport?.close();
      await db.terminate();
      await deleteApp(app);
    },
  };
}

/** The local stack's author in the change log: the OS user and 「（本地）」 (§12). */
function localAuthor(): string {
  try {
    return `${userInfo().username}（本地）`;
  } catch {
    // No passwd entry for this uid (some containers): still say it was the local stack.
    return '本地';
  }
}
