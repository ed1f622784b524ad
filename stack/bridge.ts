/**
 * Firestore triggers in the local stack.
 *
 * The same firebase-functions v2 declarations that deploy (`onDocumentWritten(pattern, handler)`)
 * run locally, fired by the Cloud Firestore emulator itself:
 *
 *   1. `startTriggerBridge({ projectId, triggers })` listens on 127.0.0.1 (this file).
 *   2. `startFirestoreEmulator({ projectId, functionsEmulator: bridge.hostPort })` (emulator.ts)
 *      tells the JVM where to deliver events.
 *   3. `emulator.registerTrigger(name, triggerSpecOf(fn))` for every trigger: the pattern and
 *      event type come from the function's own `__endpoint`, exactly what deploy registers.
 *   4. On every matching write the emulator POSTs to
 *      `/functions/projects/<p>/triggers/<name>` a binary-mode CloudEvent: headers
 *      `ce-specversion: 1.0`, `ce-type`, `ce-source`, `ce-id`, `ce-subject: documents/<path>`,
 *      `ce-time`, `ce-datacontenttype: application/protobuf`, `ce-dataschema`, `ce-location`,
 *      `ce-project`, `ce-database`, `ce-namespace`, `ce-document: <path>`, and
 *      `content-type: application/protobuf` — but the body is the DocumentEventData protobuf
 *      **base64-encoded as text**, not the raw bytes Eventarc sends.
 *   5. The bridge rebuilds the event the way functions-framework does in production (every `ce-*`
 *      header becomes an attribute, `traceparent` too, `data` is a Buffer of the protobuf bytes)
 *      and calls `fn(event)`. firebase-functions then decodes the protobuf itself (because
 *      `datacontenttype` says protobuf / `data` is a Buffer), builds `event.data.before/after`
 *      and takes `event.params` from matching the `document` attribute against its pattern.
 *   6. It answers 202 as soon as the event is accepted and runs the handler alongside (see
 *      below why); a handler that throws is logged and counted. 404 for an unknown trigger.
 *
 * How the emulator delivers (measured with the google-cloud-cli jar): writes return at once and
 * events follow asynchronously, one at a time in write order — the next POST waits for the
 * previous answer; it gives up on an answer after 20 s (read timeout) and never retries a 500 or
 * a timeout, it only logs a warning. `reset()` fires a delete event for every document it
 * removes. Its `ce-source` doubles the prefix (`//firestore.googleapis.com/projects/projects/<p>/…`);
 * the bridge restores the production form.
 *
 * Snapshots built by firebase-functions belong to the firebase-admin app it is given (the local
 * stack gives it one with the project, stack.ts; without one it builds its own from
 * FIREBASE_CONFIG/GCLOUD_PROJECT). Handlers write through the store the composition root gives
 * them, not through `snapshot.ref`.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from 'firebase-functions/v2';
import { systemClock } from '../functions/src/clock';
import { type Log, lineLog, logs } from '../functions/src/logs';
import type { TriggerSpec } from './emulator';

/** A firebase-functions v2 CloudFunction, or anything else that takes the raw CloudEvent. */
export type TriggerFunction = (event: CloudEvent<unknown>) => unknown;

export interface TriggerBridgeOptions {
  projectId: string;
  /** Trigger name (as registered with the emulator) → function. */
  triggers: Record<string, TriggerFunction>;
  /** 0 or undefined: any free port. */
  port?: number | undefined;
  /** Where failures and rejected requests are reported; default stderr. */
  log?: Log | undefined;
  /** The time an event without `ce-time` is stamped with; default the machine's clock. */
  now?: (() => Date) | undefined;
}

export interface TriggerBridge {
  readonly url: string;
  /** `127.0.0.1:<port>`, the emulator's `--functions_emulator` value. */
  readonly hostPort: string;
  /** Events whose handler finished without throwing. */
  readonly delivered: number;
  /** Events whose handler threw (logged; the emulator was already answered). */
  readonly failed: number;
  /** Requests that were not an event for a known trigger (answered 4xx). */
  readonly rejected: number;
  /** Events accepted so far, by trigger name (function invocations, as the platform bills them). */
  invocations(name: string): number;
  /** Resolves once every accepted event's handler has finished. */
  idle(): Promise<void>;
  /** Stops accepting events and waits for the handlers still running. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** A Firestore document is at most 1 MiB; an event holds two, base64 adds a third. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Starts the HTTP endpoint the emulator delivers trigger events to. */
export async function startTriggerBridge(options: TriggerBridgeOptions): Promise<TriggerBridge> {
  const { projectId, triggers } = options;
  const now = options.now ?? systemClock.now;
  const log = options.log ?? lineLog((line) => process.stderr.write(`${line}\n`));
  const counts = { delivered: 0, failed: 0, rejected: 0 };
  const invocations = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const prefix = `/functions/projects/${projectId}/triggers/`;

  const reject = (res: ServerResponse, status: number, message: string) => {
    counts.rejected++;
    log(logs.triggerBridge(String(status), message));
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://bridge').pathname;
    if (req.method !== 'POST') return reject(res, 405, `${req.method} ${path}: only POST is accepted`);
    const name = path.startsWith(prefix) ? decodeURIComponent(path.slice(prefix.length)) : undefined;
    const trigger =
      name === undefined ? undefined : Object.hasOwn(triggers, name) ? triggers[name] : undefined;
    if (name === undefined || trigger === undefined) return reject(res, 404, `no trigger at ${path}`);
    const body = await readBody(req);
    if (body === undefined)
      return reject(res, 413, `event for ${name} is larger than ${MAX_BODY_BYTES} bytes`);
    const event = cloudEventFrom(req, body, now);
    if (event === undefined) return reject(res, 400, `${path}: not a binary-mode CloudEvent (ce-* headers)`);
    // Eventarc delivers events concurrently; the emulator one at a time, each waiting for the
    // previous answer. Answering as soon as the event is accepted and running the handler
    // alongside keeps production's concurrency (and the emulator never retries a failed
    // delivery anyway).
    res.writeHead(202).end();
    invocations.set(name, (invocations.get(name) ?? 0) + 1);
    const run = (async () => {
      try {
        await trigger(event);
        counts.delivered++;
      } catch (error) {
        counts.failed++;
        const where = typeof event.document === 'string' ? event.document : (event.subject ?? '?');
        log(logs.triggerFailed(name, where, event.id, describe(error)));
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  /** Resolves once no handler is running (handlers started meanwhile are waited for too). */
  const idle = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(logs.triggerBridgeFailed(describe(error)));
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', rejectListen);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    hostPort: `${HOST}:${port}`,
    get delivered() {
      return counts.delivered;
    },
    get failed() {
      return counts.failed;
    },
    get rejected() {
      return counts.rejected;
    },
    invocations: (name) => invocations.get(name) ?? 0,
    idle,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The emulator keeps its connection alive; close() alone would wait for it forever.
        server.closeAllConnections();
      }).then(idle);
      return stopping;
    },
  };
}

/**
 * What the emulator registers for a firebase-functions v2 Firestore trigger, read from the
 * function's `__endpoint` so the local registration cannot drift from what deploy creates.
 */
export function triggerSpecOf(fn: { __endpoint?: unknown }): TriggerSpec {
  const trigger = (fn.__endpoint as { eventTrigger?: EndpointTrigger } | undefined)?.eventTrigger;
  const document = trigger?.eventFilterPathPatterns?.document ?? trigger?.eventFilters?.document;
  if (!trigger || typeof trigger.eventType !== 'string' || typeof document !== 'string') {
    throw new Error('Not a firebase-functions v2 Firestore trigger with a literal document path');
  }
  const database = trigger.eventFilters?.database;
  const namespace = trigger.eventFilters?.namespace;
  return {
    eventType: trigger.eventType,
    document,
    database: typeof database === 'string' ? database : undefined,
    namespace: typeof namespace === 'string' ? namespace : undefined,
  };
}

interface EndpointTrigger {
  eventType?: unknown;
  eventFilters?: Record<string, unknown>;
  eventFilterPathPatterns?: Record<string, unknown>;
}

type RawEvent = CloudEvent<unknown> & Record<string, unknown>;

/**
 * The raw CloudEvent as functions-framework hands it to a function in production (binary content
 * mode: every `ce-*` header is an attribute, the body is `data`), with the emulator's quirks
 * undone: base64 text instead of protobuf bytes, and the doubled `projects/` in `source`.
 */
function cloudEventFrom(req: IncomingMessage, body: Buffer, now: () => Date): RawEvent | undefined {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    // The emulator sends raw UTF-8 in header values (a Chinese document ID); Node reads headers as
    // Latin-1, so undo that, or the trigger's params and paths come out garbled.
    if (name.startsWith('ce-') && typeof value === 'string') {
      attributes[name.slice(3)] = Buffer.from(value, 'latin1').toString('utf8');
    }
  }
  const { specversion, id, source, type, time } = attributes;
  if (specversion !== '1.0' || !id || !source || !type) return undefined;
  const traceparent = req.headers.traceparent;
  const contentType = attributes.datacontenttype ?? req.headers['content-type'] ?? '';
  return {
    ...attributes,
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
    specversion,
    id,
    type,
    time: time ?? now().toISOString(),
    source: source.replace(
      '//firestore.googleapis.com/projects/projects/',
      '//firestore.googleapis.com/projects/',
    ),
    datacontenttype: contentType,
    data: eventData(body, contentType),
  };
}

function eventData(body: Buffer, contentType: string): unknown {
  if (contentType.includes('json')) return JSON.parse(body.toString('utf8'));
  if (contentType.includes('protobuf')) {
    // Raw DocumentEventData starts with a field tag byte (0x0a, 0x12) that is never a base64
    // character, so base64 text from the emulator and raw bytes from elsewhere cannot be confused.
    const text = body.toString('latin1').trim();
    if (text.length % 4 === 0 && BASE64.test(text)) return Buffer.from(text, 'base64');
  }
  return body;
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
