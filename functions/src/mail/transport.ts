/**
 * Where a claimed mail goes: the MailTransport port and its two adapters — SMTP through
 * nodemailer's pool (deployed, or locally when SMTP_URL is set) and an outbox folder of .eml files
 * with an .html preview each (the local stack otherwise). Both build the message with nodemailer
 * from the same options, so what the outbox shows is what SMTP would carry; and those options are
 * the mail document's fields, taken as the Trigger Email extension takes them (types.ts), so what
 * either sender sends is the same email.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type SendMailOptions } from 'nodemailer';
import { escapeHtml } from '../../../shared/markup';
import type { Config } from '../config';
import { DEFAULT_SENDER_NAME, type MailAttachment } from './message';
import type { DeliveryInfo, StoredMail } from './types';

/** A mail as the sender hands it to a transport: a mail document's email, and the document's ID. */
export interface OutgoingMail extends Omit<StoredMail, 'delivery'> {
  /** The mail document's ID: names the outbox files. */
  id: string;
}

export interface MailTransport {
  /** For logs: `smtp://host:port` (never the credentials) or `outbox:<dir>`. */
  readonly name: string;
  /** Resolves once the receiving side has taken the message; rejects with the reason otherwise. */
  send(mail: OutgoingMail): Promise<DeliveryInfo>;
  /** Closes pooled connections; sends after close are not supported. */
  close(): Promise<void>;
}

/**
 * Timeouts well inside the sender's lease (60 s by default, deliver.ts): an attempt that could
 * outlive its lease would be taken over while still running, and the message sent twice.
 * nodemailer's defaults (2 min to connect, 10 min of socket inactivity) are far longer.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as const;

/**
 * The message of a mail document, built as the Trigger Email extension builds it: the document's
 * `from` (or the transport's own address when it has none, as the extension falls back to its
 * default From), `replyTo`, `to`, `cc`, `bcc`, `headers`, subject, text and html — nothing added.
 */
function mailOptions(mail: OutgoingMail, fromAddress: string): SendMailOptions {
  return {
    from: mail.from ?? { name: DEFAULT_SENDER_NAME, address: fromAddress },
    ...(mail.replyTo !== undefined && { replyTo: mail.replyTo }),
    to: [...mail.to],
    cc: [...mail.cc],
    bcc: [...mail.bcc],
    headers: { ...mail.headers },
    subject: mail.subject,
    // A document written by hand in the extension's schema may have only one of the two.
    ...(mail.text !== '' && { text: mail.text }),
    ...(mail.html !== '' && { html: mail.html }),
    ...(mail.attachments !== undefined && {
      attachments: mail.attachments.map((a) => ({
        filename: a.filename,
        content: a.content,
        encoding: a.encoding,
        contentType: a.contentType,
        // Inline (multipart/related), as the extension hands the same field to nodemailer.
        ...(a.cid !== undefined && { cid: a.cid }),
      })),
    }),
    // The content comes from sheets; nothing in it may make nodemailer read a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export interface SmtpTransportOptions {
  /** `smtp://user:pass@host:port` (STARTTLS when offered) or `smtps://…` (TLS from the start). */
  smtpUrl: string;
  /** The envelope sender and From address (MAIL_FROM). */
  from: string;
  /** Connections the pool keeps open; few, since mail servers throttle parallel connections. */
  maxConnections?: number;
}

/** SMTP through a nodemailer connection pool. */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  const port = url.port === '' ? (secure ? 465 : 587) : Number(url.port);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const transporter = createTransport({
    pool: true,
    host,
    port,
    secure,
    ...(user !== '' && { auth: { user, pass: decodeURIComponent(url.password) } }),
    maxConnections: options.maxConnections ?? 2,
    // Retries belong to the delivery state machine (counted, backed off, under a lease); the pool
    // silently re-sending on another connection would escape all three.
    maxRequeues: 0,
    ...TIMEOUTS,
  });
  return {
    name: `${url.protocol}//${url.host}`,
    async send(mail) {
      const info = await transporter.sendMail(mailOptions(mail, options.from));
      return {
        messageId: String(info.messageId ?? ''),
        accepted: addressesOf(info.accepted),
        rejected: addressesOf(info.rejected),
        pending: addressesOf((info as { pending?: unknown }).pending),
        response: String(info.response ?? ''),
      };
    },
    async close() {
      transporter.close();
    },
  };
}

function addressesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((entry) =>
    typeof entry === 'string' ? entry : String((entry as { address?: unknown }).address ?? entry),
  );
}

export interface OutboxTransportOptions {
  dir: string;
  from: string;
}

/** Writes `<dir>/<id>.eml` (the whole message) and `<dir>/<id>.html` (its HTML, to open in a browser). */
export function createOutboxTransport(options: OutboxTransportOptions): MailTransport {
  // CRLF as on the wire, so the .eml is exactly what an SMTP server would have received.
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    name: `outbox:${options.dir}`,
    async send(mail) {
      const info = await composer.sendMail(mailOptions(mail, options.from));
      // The links in these messages are bearer tokens: the folder and files are the owner's alone.
      await mkdir(options.dir, { recursive: true, mode: 0o700 });
      const base = join(options.dir, fileNameOf(mail.id));
      await writeAtomically(`${base}.eml`, info.message as Buffer);
      await writeAtomically(
        `${base}.html`,
        mail.html !== '' ? withInlineImages(mail.html, mail.attachments) : textPreview(mail.text),
      );
      return {
        messageId: String(info.messageId ?? ''),
        accepted: [...mail.to, ...mail.cc, ...mail.bcc],
        rejected: [],
        pending: [],
        response: `250 written to ${base}.eml`,
      };
    },
    async close() {},
  };
}

/**
 * The HTML with each inline image it shows (`cid:`, a part of the .eml) as a data: URL, so the
 * preview opened alone in a browser shows the pictures a mail reader shows. Only a base64 image
 * of a plain image type is put in: a hand-written document's odd content type or content stays
 * out of the attribute.
 */
function withInlineImages(html: string, attachments: readonly MailAttachment[] = []): string {
  let shown = html;
  for (const { cid, contentType, content } of attachments) {
    if (cid === undefined || !/^image\/(jpeg|png|gif|webp)$/.test(contentType)) continue;
    if (!/^[A-Za-z0-9+/=]*$/.test(content)) continue;
    shown = shown.split(`src="cid:${escapeHtml(cid)}"`).join(`src="data:${contentType};base64,${content}"`);
  }
  return shown;
}

function textPreview(text: string): string {
  return `<!doctype html><meta charset="utf-8"><pre>${escapeHtml(text)}</pre>`;
}

/** A whole file or none: someone may open the outbox while it is being written. */
async function writeAtomically(path: string, data: string | Buffer): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data, { mode: 0o600 });
  await rename(temporary, path);
}

/**
 * Document IDs may contain characters some file systems refuse (`:` `*` `?` … on Windows); those
 * are %-escaped like docIdOf escapes `/`, so the name still reads as the ID.
 */
export function fileNameOf(docId: string): string {
  return docId.replace(/[<>:"\\|?*\p{Cc}]/gu, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The From address of our emails: MAIL_FROM; else the SMTP user when it is an address (servers
 * often insist From is the account's); else, locally without SMTP, a made-up one. Undefined in
 * production without MAIL_FROM where SMTP_URL is not mounted (only the sending functions get it).
 */
export function mailFromAddress(config: Config): string | undefined {
  if (config.mailFrom !== undefined) return config.mailFrom;
  if (config.smtpUrl !== undefined) {
    const user = decodeURIComponent(new URL(config.smtpUrl).username);
    return user.includes('@') ? user : undefined;
  }
  return config.environment === 'development' ? 'noreply@gongjian.local' : undefined;
}

/**
 * The transport a runtime should use: SMTP when SMTP_URL is set; otherwise, in development, the
 * outbox folder (GONGJIAN_OUTBOX_DIR, default local/outbox). In production without SMTP_URL there
 * is none: the Trigger Email extension is expected to deliver, and our sender must stay out of
 * its way rather than write files nobody reads.
 */
export function transportFromConfig(config: Config): MailTransport | undefined {
  const from = mailFromAddress(config);
  if (config.smtpUrl !== undefined) {
    if (from === undefined) throw new Error('MAIL_FROM must be set when SMTP_URL is (the From address)');
    return createSmtpTransport({ smtpUrl: config.smtpUrl, from });
  }
  if (config.environment === 'development' && from !== undefined) {
    return createOutboxTransport({ dir: config.outboxDir ?? join('local', 'outbox'), from });
  }
  return undefined;
}

export type SmtpFailure = 'temporary' | 'permanent';

const TEMPORARY_CODES = new Set([
  // nodemailer's own codes for a connection that failed, timed out or closed mid-conversation
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  // Node's, when they come through unwrapped
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // Wrong or missing credentials are our configuration's fault, not the message's: once an
  // operator fixes SMTP_URL, the retries still pending go out.
  'EAUTH',
  'ENOAUTH',
]);

/**
 * Whether trying the same message again later may succeed. A server's 4xx says so (RFC 5321), as
 * does a connection that failed or dropped; 5xx is a refusal to be respected — except 503, "bad
 * sequence of commands", which is about the session, not the message (nodemailer agrees).
 * Anything unrecognised counts as temporary: the cap on attempts still ends it in ERROR.
 */
export function classifySmtpError(error: unknown): SmtpFailure {
  const { code, originalCode, responseCode } = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    originalCode?: unknown;
    responseCode?: unknown;
  };
  if (code === 'EAUTH' || code === 'ENOAUTH') return 'temporary';
  if (typeof responseCode === 'number') {
    if (responseCode >= 500 && responseCode < 600 && responseCode !== 503) return 'permanent';
    return 'temporary';
  }
  if (typeof code === 'string' && TEMPORARY_CODES.has(code)) return 'temporary';
  if (typeof originalCode === 'string' && TEMPORARY_CODES.has(originalCode)) return 'temporary';
  // A message nodemailer cannot even build, or an envelope without recipients, fails the same way
  // every time.
  if (code === 'EENVELOPE' || code === 'EMESSAGE' || code === 'EMAXRECIPIENTS') return 'permanent';
  return 'temporary';
}

/** The error as recorded in `delivery.error`: the server's words and the code, bounded in size. */
export function describeSmtpError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 2000);
  const { code, responseCode, originalCode } = error as {
    code?: unknown;
    responseCode?: unknown;
    originalCode?: unknown;
  };
  const tags = [code, originalCode, responseCode].filter((tag) => tag !== undefined && tag !== null);
  const text = tags.length > 0 ? `${error.message} [${tags.join(' ')}]` : error.message;
  return text.slice(0, 2000);
}
