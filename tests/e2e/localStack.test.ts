/**
 * The local stack as the deployment of an office without Google: its database outlives the
 * process (a second run sends no email twice), one stack per workbook, clients get what deployed
 * clients get (the rules), and an emulator that dies stops the stack at once with a clear reason.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { tempFolder } from '../adapters/workbook/helpers';
import { startStack } from './run-start';

const folder = tempFolder();
afterAll(() => folder.remove());

async function smtpInbox(): Promise<{ url: string; messageIds: string[]; close(): Promise<void> }> {
  const messageIds: string[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messageIds.push(parsed.messageId ?? '');
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messageIds,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('the local stack keeps its database', () => {
  it('sends each email once across two runs over SMTP', async () => {
    const inbox = await smtpInbox();
    try {
      const dir = join(folder.dir, 'twice');
      mkdirSync(dir);
      const path = join(dir, 'plan.xlsx');
      const env = { SMTP_URL: inbox.url, MAIL_FROM: 'noreply@gongjian.local' };
      const first = startStack(['--once', path], env);
      expect(await first.exited, first.output()).toBe(0);
      const sent = inbox.messageIds.length;
      expect(sent).toBeGreaterThan(5);
      expect(new Set(inbox.messageIds).size).toBe(sent);

      const second = startStack(['--once', path], env);
      expect(await second.exited, second.output()).toBe(0);
      expect(second.output()).toContain('新放入队列 0 封');
      expect(inbox.messageIds).toHaveLength(sent);
    } finally {
      await inbox.close();
    }
  }, 240_000);
});

describe('a running local stack', () => {
  it('refuses a second stack on its workbook, denies clients, and stops at once when the emulator dies', async () => {
    const dir = join(folder.dir, 'running');
    mkdirSync(dir);
    const path = join(dir, 'plan.xlsx');
    const stack = startStack([path]);
    try {
      await vi.waitFor(() => expect(stack.output()).toContain('正在监视'), {
        timeout: 120_000,
        interval: 200,
      });

      const second = startStack(['--once', path]);
      expect(await second.exited).toBe(2);
      expect(second.output()).toContain(`另一个本地服务（进程 ${stack.child.pid}）正在使用此工作簿`);

      // A client without credentials, as anyone on this machine could be: refused by the rules.
      const host = /emulator ready: (127\.0\.0\.1:\d+)/.exec(stack.output())?.[1];
      expect(host).toBeDefined();
      const write = await fetch(
        `http://${host}/v1/projects/demo-gongjian/databases/(default)/documents/mail?documentId=forged`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fields: { to: { stringValue: 'victim@example.com' } } }),
        },
      );
      expect(write.status).toBe(403);

      const emulatorPid = Number(/pid (\d+)/.exec(stack.output())?.[1]);
      process.kill(emulatorPid, 'SIGKILL');
      const code = await Promise.race([
        stack.exited,
        new Promise((done) => setTimeout(() => done('still running'), 15_000)),
      ]);
      expect(code).toBe(1);
      expect(stack.output()).toContain('Firestore 模拟器意外退出');
      expect(existsSync(join(dir, '.plan.gongjian', 'stack.pid'))).toBe(false);
    } finally {
      stack.child.kill('SIGKILL');
    }
  }, 240_000);
});
