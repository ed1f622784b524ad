/**
 * The email of a mail document — its ID, addresses, headers and content — as the queue writes it
 * (queue.ts) and the CLI's digest renders it. Apart from the Firestore queue, so that rendering an
 * email loads no Firebase SDK: the offline CLI runs without firebase-admin.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { EmailKind, RenderedEmail } from '../../../shared/emails/email';
import { oneLine } from '../../../shared/emails/layout';
import { isEmail } from '../../../shared/normalize';
import { docIdOf } from '../store/docIds';

/**
 * A file attached to a mail, in nodemailer's attachment fields — what the extension hands to
 * nodemailer as they are: the content travels inside the mail document as base64 text, so the
 * whole document must stay under Firestore's 1 MiB limit (MAX_ATTACHMENT_BASE64, queue.ts).
 */
export interface MailAttachment {
  filename: string;
  content: string;
  encoding: 'base64';
  contentType: string;
  /**
   * A Content-ID (without angle brackets) makes it an inline part of a multipart/related message
   * that the HTML shows as `<img src="cid:…">` — nodemailer's own field, so the extension passes it.
   */
  cid?: string | undefined;
}

/** The headers every email of ours carries, whichever sender delivers it. */
export interface MailHeaders {
  /** Stable per idempotency key, so a second copy (deliver.ts) is recognisably the same message. */
  'Message-ID': string;
  /** RFC 3834: automated mail; well-behaved autoresponders (out-of-office) do not answer it. */
  'Auto-Submitted': 'auto-generated';
}

/**
 * The email a mail document carries, as our queue writes it (types.ts MailDoc adds its delivery
 * and our own fields).
 */
export interface MailEnvelope {
  /** `"<the plan's 发件人>" <MAIL_FROM>`; absent without MAIL_FROM: each sender uses its default. */
  from?: string;
  to: string[];
  cc: string[];
  headers: MailHeaders;
  message: { subject: string; text: string; html: string; attachments?: MailAttachment[] };
}

/** The email of a mail document whoever wrote it, as a sender reads it (types.ts StoredMail adds its delivery). */
export interface StoredEmail {
  from?: string;
  replyTo?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

/**
 * Whose email a mail document is: a plan's (digests, reminders, requests, reports) or a district's
 * (the 街道月报). Only our own metadata (`gongjian`) says so: no sender, the sweep or redaction
 * reads it, so a district's mail goes through the same queue, senders and extension as a plan's.
 */
export type MailOwner = { planId: string } | { districtId: string };

/** The owner as stored: exactly one of the two IDs (an email given both is the district's). */
export function mailOwnerOf(owner: MailOwner): MailOwner {
  return 'districtId' in owner ? { districtId: owner.districtId } : { planId: owner.planId };
}

/** An email to queue: its content, and the plan or district it belongs to. */
export type QueuedEmail = QueuedEmailContent & MailOwner;

/** What an email to queue holds besides its owner. */
export interface QueuedEmailContent {
  /** The idempotency key of §7 (plan · partner · period, district · month, …). */
  key: string;
  kind: EmailKind;
  to: readonly string[];
  cc: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** The plan's 发件人 (display name in From); a district's mail uses the default. */
  senderName?: string | undefined;
  attachments?: MailAttachment[];
}

/**
 * A rendered email of a plan as the queue takes it, sent in the plan's name (its 发件人, or its
 * community): what every kind queued on request hands to enqueueMail.
 */
export function planEmail(
  email: RenderedEmail,
  planId: string,
  settings: { senderName?: string | undefined; community?: string | undefined },
  attachments?: MailAttachment[],
): QueuedEmail {
  return {
    key: email.key,
    kind: email.kind,
    planId,
    to: email.to,
    cc: email.cc,
    subject: email.subject,
    text: email.text,
    html: email.html,
    senderName: settings.senderName ?? settings.community,
    ...(attachments && { attachments }),
  };
}

/** The display name when the plan has no 发件人. */
export const DEFAULT_SENDER_NAME = '共建助手';

/**
 * The document ID of a mail's idempotency key: docIdOf's, with everything outside printable ASCII
 * %-escaped as UTF-8 (keys hold partner names and "·"). A trigger learns the ID from the event's
 * `document` attribute, an HTTP header, where anything but ASCII is at the mercy of each hop: the
 * emulator sends raw UTF-8 that Node reads as Latin-1. Still injective: docIdOf leaves "%" only in
 * its own escapes (%25 %2F %2E %5F), and these are %00–%1F, %7F or %80–%FF.
 */
export function mailDocId(key: string): string {
  return docIdOf(key).replace(/[^\u0020-\u007e]+/gu, (run) => encodeURIComponent(run));
}

/**
 * The Message-ID of a key: stable, so if a message is ever sent twice (see deliver.ts) a receiver
 * or a person can tell it is the same one. Hashed because keys hold plan and partner names that
 * have no business in a header, and may contain characters a Message-ID cannot.
 */
export function messageIdOf(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@gongjian.local>`;
}

/**
 * A From header value, `"name" <address>`: the name quoted (RFC 5322 quoted-string), so commas,
 * angle brackets or quotes in a 发件人 stay part of the name; nodemailer encodes it on the wire.
 */
export function fromHeader(name: string, address: string): string {
  return `"${oneLine(name).replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/**
 * Cleaned and de-duplicated, ignoring case: mailboxes are case-insensitive in practice, and the
 * same person listed twice (or as owner and leader) should get one copy. `seen` carries the
 * lower-cased addresses already listed, so cc leaves out whoever is in to.
 */
function addressList(addresses: readonly string[], seen: Set<string>): string[] {
  const list: string[] = [];
  for (const address of addresses) {
    // An address has no spaces at all, so whatever a line break left behind goes too.
    const cleaned = oneLine(address).replace(/\s+/g, '');
    if (cleaned === '' || seen.has(cleaned.toLowerCase())) continue;
    seen.add(cleaned.toLowerCase());
    list.push(cleaned);
  }
  return list;
}

/** The email of a mail document — what a sender reads: the queue's documents and the CLI's digest. */
export function mailContent(
  email: Omit<QueuedEmailContent, 'kind'>,
  fromAddress: string | undefined,
): MailEnvelope {
  const seen = new Set<string>();
  const to = addressList(email.to, seen);
  const cc = addressList(email.cc, seen);
  if (to.length === 0) throw new Error(`Mail ${JSON.stringify(email.key)} has no recipient`);
  // Header values come from sheets. nodemailer encodes them safely already; keeping them to one
  // line here as well means no stored document carries an injected header to whichever sender
  // (ours or the extension) reads it.
  const senderName = oneLine(email.senderName ?? '') || DEFAULT_SENDER_NAME;
  return {
    ...(fromAddress !== undefined && { from: fromHeader(senderName, fromAddress) }),
    to,
    cc,
    headers: { 'Message-ID': messageIdOf(email.key), 'Auto-Submitted': 'auto-generated' },
    message: {
      subject: oneLine(email.subject),
      text: email.text,
      html: email.html,
      ...(email.attachments !== undefined && {
        attachments: email.attachments.map((a) => ({ ...a, filename: oneLine(a.filename) })),
      }),
    },
  };
}

// The extension accepts a single address or a list for to/cc/bcc; we always write lists.
// The address rule validation uses: anything else is refused here, never reinterpreted by nodemailer.
const address = z.string().refine(isEmail, { error: 'not an email address (shared/normalize.ts isEmail)' });
const addresses = z
  .union([address, z.array(address)])
  .optional()
  .transform((value) => (value === undefined ? [] : typeof value === 'string' ? [value] : value));

/**
 * The email fields of a mail document as the Trigger Email extension reads them (types.ts adds
 * the delivery, whose timestamps are Firestore's).
 */
export const MailMessageSchema = z.object({
  from: z.string().optional(),
  replyTo: z.string().optional(),
  to: addresses,
  cc: addresses,
  bcc: addresses,
  headers: z.record(z.string(), z.string()).default({}),
  message: z.object({
    subject: z.string(),
    text: z.string().default(''),
    html: z.string().default(''),
    // Only inline base64 content: a path or URL would make the sender read a file or fetch a page.
    attachments: z
      .array(
        z.object({
          filename: z.string(),
          content: z.string(),
          encoding: z.literal('base64'),
          contentType: z.string().default('application/octet-stream'),
          // One token of no spaces or angle brackets: nodemailer puts it in a header between < >.
          cid: z
            .string()
            .regex(/^[^\s<>]+$/)
            .optional(),
        }),
      )
      .optional(),
  }),
});

/** A parsed document's email as a sender reads it: the message's fields lifted to the top. */
export function storedMailOf(data: z.output<typeof MailMessageSchema>): StoredEmail {
  const { from, replyTo, to, cc, bcc, headers, message } = data;
  return {
    ...(from !== undefined && { from }),
    ...(replyTo !== undefined && { replyTo }),
    to,
    cc,
    bcc,
    headers,
    subject: message.subject,
    text: message.text,
    html: message.html,
    ...(message.attachments !== undefined && { attachments: message.attachments }),
  };
}

/** Why a mail document was refused: each field's problem, in one line. */
export function invalidMail(error: z.ZodError): string {
  const where = error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return `Invalid mail document: ${where.join('; ')}`;
}

/**
 * Reads the email of a mail document as a sender would, its delivery aside: how the CLI's digest
 * renders exactly what the queue's document would send, without loading Firestore.
 */
export function parseMailMessage(
  data: unknown,
): { ok: true; mail: StoredEmail } | { ok: false; error: string } {
  const result = MailMessageSchema.safeParse(data);
  return result.success
    ? { ok: true, mail: storedMailOf(result.data) }
    : { ok: false, error: invalidMail(result.error) };
}
