/**
 * The local stack's outbox: each message as an .eml that a mail reader (here mailparser) opens,
 * and its HTML beside it for a browser; and which transport a configuration gets.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/src/config';
import { fromHeader, mailDocId, messageIdOf } from '../../../functions/src/mail/message';
import {
  createOutboxTransport,
  fileNameOf,
  mailFromAddress,
  type OutgoingMail,
  transportFromConfig,
} from '../../../functions/src/mail/transport';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gongjian-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'plan-1 · 区税务局 · 2026-06';
const MESSAGE_ID = messageIdOf(KEY);
const MAIL: OutgoingMail = {
  id: mailDocId(KEY),
  from: fromHeader('xx社区居委会', 'noreply@gongjian.local'),
  to: ['partner@example.cn'],
  cc: ['leader@example.cn'],
  bcc: [],
  headers: { 'Message-ID': MESSAGE_ID, 'Auto-Submitted': 'auto-generated' },
  subject: '【共建】2026年6月共建单位摘要：区税务局',
  text: '您好！\n本月共开展活动 3 次，服务 120 人次。',
  html: '<h1>2026年6月共建单位摘要</h1><p>本月共开展活动 <b>3</b> 次，服务 120 人次。</p>',
};

describe('outbox transport', () => {
  it('writes a parseable .eml and an .html preview named after the document', async () => {
    const outbox = createOutboxTransport({ dir: join(dir, 'outbox'), from: 'other@gongjian.local' });
    const info = await outbox.send(MAIL);
    expect(info).toMatchObject({
      messageId: MESSAGE_ID,
      accepted: ['partner@example.cn', 'leader@example.cn'],
      rejected: [],
      pending: [],
    });
    expect(mailDocId(KEY)).toMatch(/^[\x20-\x7e]+$/);
    const files = (await readdir(join(dir, 'outbox'))).sort();
    expect(files).toEqual([`${MAIL.id}.eml`, `${MAIL.id}.html`]);
    expect(info.response).toContain(`${MAIL.id}.eml`);

    const raw = await readFile(join(dir, 'outbox', `${MAIL.id}.eml`));
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe(MAIL.subject);
    expect(parsed.messageId).toBe(MESSAGE_ID);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    // The mail's own From wins over the transport's default address.
    expect(parsed.from?.value).toEqual([{ name: 'xx社区居委会', address: 'noreply@gongjian.local' }]);
    expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(parsed.text?.trim()).toBe(MAIL.text);
    expect(parsed.html).toBe(MAIL.html);
    // As on the wire: CRLF line ends, headers in ASCII.
    const header = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
    expect(header).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(header.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);

    expect(await readFile(join(dir, 'outbox', `${MAIL.id}.html`), 'utf8')).toBe(MAIL.html);
  });

  it('previews inline images (cid:) as the pictures the .eml carries', async () => {
    const outbox = createOutboxTransport({ dir: join(dir, 'outbox'), from: 'other@gongjian.local' });
    const jpeg = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#c62828' } })
      .jpeg()
      .toBuffer();
    const content = jpeg.toString('base64');
    const image = { filename: 'thumb1.jpg', content, encoding: 'base64' as const, contentType: 'image/jpeg' };
    await outbox.send({
      ...MAIL,
      html: '<p><img src="cid:thumb1@gongjian.local" alt="a"><img src="cid:odd@gongjian.local" alt="b"></p>',
      attachments: [
        { ...image, cid: 'thumb1@gongjian.local' },
        // A content type that is no plain image stays out of the preview's attribute.
        { ...image, cid: 'odd@gongjian.local', contentType: 'image/jpeg" onerror="alert(1)' },
      ],
    });
    const preview = await readFile(join(dir, 'outbox', `${MAIL.id}.html`), 'utf8');
    expect(preview).toBe(
      `<p><img src="data:image/jpeg;base64,${content}" alt="a"><img src="cid:odd@gongjian.local" alt="b"></p>`,
    );
    // The .eml keeps the image as an inline part under its Content-ID.
    const parsed = await simpleParser(await readFile(join(dir, 'outbox', `${MAIL.id}.eml`)), {
      keepCidLinks: true,
    });
    expect(parsed.attachments.map((a) => [a.cid, a.related])).toEqual([
      ['thumb1@gongjian.local', true],
      ['odd@gongjian.local', true],
    ]);
  });

  it('previews a text-only message as escaped text', async () => {
    const outbox = createOutboxTransport({ dir, from: 'noreply@gongjian.local' });
    await outbox.send({ ...MAIL, id: 'text-only', html: '', text: '<b>不是标签</b> & 文本' });
    const html = await readFile(join(dir, 'text-only.html'), 'utf8');
    expect(html).toContain('&lt;b&gt;不是标签&lt;/b&gt; &amp; 文本');
    const parsed = await simpleParser(await readFile(join(dir, 'text-only.eml')));
    expect(parsed.html).toBe(false);
    expect(parsed.text?.trim()).toBe('<b>不是标签</b> & 文本');
  });

  it('escapes what some file systems refuse in names', () => {
    expect(fileNameOf('a:b*c?d')).toBe('a%3ab%2ac%3fd');
    expect(fileNameOf(mailDocId('p/1 · x'))).toBe('p%2F1 %C2%B7 x');
  });
});

describe('transportFromConfig', () => {
  const base = { GONGJIAN_ENV: 'development' };

  it('uses the outbox in development without SMTP', () => {
    const outbox = transportFromConfig(
      parseConfig({ ...base, GONGJIAN_OUTBOX_DIR: join('mail', 'outbox-here') }),
    );
    expect(outbox?.name).toBe(`outbox:${join('mail', 'outbox-here')}`);
    expect(transportFromConfig(parseConfig(base))?.name).toBe(`outbox:${join('local', 'outbox')}`);
  });

  it('uses SMTP when SMTP_URL is set, never naming the password', async () => {
    const smtp = transportFromConfig(
      parseConfig({ ...base, SMTP_URL: 'smtps://user:secret@smtp.example.cn', MAIL_FROM: 'a@example.cn' }),
    );
    expect(smtp?.name).toBe('smtps://smtp.example.cn');
    await smtp?.close();
  });

  it('takes the From address from the SMTP user when it is an address, and otherwise asks for MAIL_FROM', async () => {
    const smtp = transportFromConfig(
      parseConfig({ ...base, SMTP_URL: 'smtp://me%40example.cn:pw@127.0.0.1:2525' }),
    );
    expect(smtp?.name).toBe('smtp://127.0.0.1:2525');
    await smtp?.close();
    expect(() =>
      transportFromConfig(parseConfig({ ...base, SMTP_URL: 'smtp://me:pw@127.0.0.1:2525' })),
    ).toThrow(/MAIL_FROM/);
  });

  it.each([
    [
      { ...base, MAIL_FROM: 'a@example.cn', SMTP_URL: 'smtp://me%40example.cn:pw@127.0.0.1:2525' },
      'a@example.cn',
    ],
    [{ ...base, SMTP_URL: 'smtp://me%40example.cn:pw@127.0.0.1:2525' }, 'me@example.cn'],
    [{ ...base, SMTP_URL: 'smtp://me:pw@127.0.0.1:2525' }, undefined],
    [base, 'noreply@gongjian.local'],
    [
      { GONGJIAN_PROJECT: 'gongjian-prod', GONGJIAN_AUDIENCES: 'client-id', MAIL_FROM: 'a@example.cn' },
      'a@example.cn',
    ],
  ])('the From address of %j is %s (the queue writes it on every mail)', (env, expected) => {
    expect(mailFromAddress(parseConfig(env))).toBe(expected);
  });

  it('has none in production without SMTP: the Trigger Email extension delivers', () => {
    const config = parseConfig({
      GONGJIAN_PROJECT: 'gongjian-prod',
      GONGJIAN_AUDIENCES: 'client-id',
      MAIL_FROM: 'a@example.cn',
    });
    expect(transportFromConfig(config)).toBeUndefined();
  });
});
