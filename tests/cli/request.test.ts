/**
 * `gongjian request`, the real binary: without a running local stack it says (in Chinese) to run
 * npm start and exits 2; with one it POSTs to the stack's API what the add-on would, with the
 * stack's own token. The "stack" here is an HTTP server in this process that answers like the API
 * and is published beside the workbook the way `npm start` publishes itself (local/endpoint.ts);
 * the API side itself is tested in tests/functions/http/requests.test.ts.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishEndpoint } from '../../adapters/stackEndpoint';

const BIN = resolve(import.meta.dirname, '../../bin/gongjian.js');
const dir = mkdtempSync(join(tmpdir(), 'gongjian-request-'));
const workbook = join(dir, 'plan.xlsx');
const TOKEN = 'dev-token-0123456789abcdef';

/** Runs the binary without blocking this process (the fake stack must answer meanwhile). */
function gongjian(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, TZ: 'UTC' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface Received {
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}
const received: Received[] = [];
let answer: { status: number; body: unknown } = { status: 202, body: {} };
let server: Server;
let apiUrl = '';

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

beforeAll(async () => {
  writeFileSync(workbook, 'not read by this command');
  mkdirSync(join(dir, '.plan.gongjian'));
  server = createServer(async (req, res) => {
    received.push({
      path: req.url ?? '',
      authorization: req.headers.authorization,
      body: JSON.parse(await readBody(req)) as Record<string, unknown>,
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((closed) => server.close(closed));
  rmSync(dir, { recursive: true, force: true });
});

describe('gongjian request', () => {
  it('without a running stack: exit 2, says to run npm start, in Chinese and English', async () => {
    const run = await gongjian(['request', 'plan.xlsx', '--to', 'P04']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('本地服务没有在运行：请先在另一个终端窗口对这个工作簿运行 npm start');
    expect(run.stderr).toContain('The local stack is not running');
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('a stack.json left by a process that has ended counts as no stack', async () => {
    // PID 2^22 + 1 is above Linux's pid_max: no such process.
    await publishEndpoint(workbook, { pid: 4_194_305, apiUrl, devToken: TOKEN, planId: 'local' });
    const run = await gongjian(['request', 'plan.xlsx', '--to', 'P04']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('npm start');
    expect(received).toHaveLength(0);
  });

  it('sends the request to the running stack with its token: --to repeated or comma-separated', async () => {
    await publishEndpoint(workbook, { pid: process.pid, apiUrl, devToken: TOKEN, planId: 'local' });
    answer = {
      status: 202,
      body: {
        planId: 'local',
        requestId: 'x',
        sent: [
          {
            kind: 'partner',
            partnerId: 'P04',
            to: ['fengtao@example.com', 'dangban@example.com'],
            mailId: 'mail-p04',
            duplicate: false,
          },
          {
            kind: 'owner',
            email: 'liuyang@example.cn',
            to: ['liuyang@example.cn'],
            mailId: 'mail-liuyang',
            duplicate: false,
          },
          {
            kind: 'partner',
            partnerId: 'P06',
            to: ['yizhong@example.cn'],
            mailId: 'mail-p06',
            duplicate: false,
          },
        ],
      },
    };
    const run = await gongjian([
      'request',
      'plan.xlsx',
      '--to',
      'P04,liuyang@example.cn',
      '--to',
      'P06',
      '--message',
      '请补填六月的活动',
      '--due',
      '2026-07-10',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [request] = received.splice(0);
    expect(request?.path).toBe('/v1/plans/local/requests');
    expect(request?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.body).toMatchObject({
      to: ['P04', 'liuyang@example.cn', 'P06'],
      message: '请补填六月的活动',
      due: '2026-07-10',
    });
    expect(request?.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stdout).toContain('已排队发送：共建单位 P04 → fengtao@example.com, dangban@example.com');
    expect(run.stdout).toContain('已排队发送：责任人 liuyang@example.cn → liuyang@example.cn');
    expect(run.stdout).toContain('共 3 封填报请求');
  });

  it('revokes a person’s links', async () => {
    answer = { status: 200, body: { planId: 'local', email: 'liuyang@example.cn', revoked: 2 } };
    const run = await gongjian(['request', 'plan.xlsx', '--revoke', 'liuyang@example.cn']);
    expect(run.code).toBe(0);
    expect(received.splice(0)).toEqual([
      {
        path: '/v1/plans/local/requests/revoke',
        authorization: `Bearer ${TOKEN}`,
        body: { email: 'liuyang@example.cn' },
      },
    ]);
    expect(run.stdout).toContain('已撤销 liuyang@example.cn 的 2 个填报链接');
  });

  it('passes on the stack’s refusal in Chinese and exits 2', async () => {
    answer = {
      status: 422,
      body: {
        error: {
          code: 'unreachable_recipient',
          message: '以下收件人无法发送：P99',
          messageEn: 'Cannot send to: P99',
        },
      },
    };
    const run = await gongjian(['request', 'plan.xlsx', '--to', 'P99']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('以下收件人无法发送：P99');
    received.splice(0);
  });

  it.each([
    [['request', 'plan.xlsx'], '请给出 --to'],
    [['request', 'plan.xlsx', '--to', 'P04', '--revoke', 'a@b.cn'], '请给出 --to'],
    [['request', 'plan.xlsx', '--revoke', 'a@b.cn', '--due', '2026-07-10'], '--revoke 不能与'],
    [['request', 'plan.xlsx', '--to', 'P04', '--due', '7月10日'], '--due 须为 YYYY-MM-DD'],
  ])('%j is a usage error (exit 2) and sends nothing', async (args, said) => {
    const run = await gongjian(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(said);
    expect(received).toHaveLength(0);
  });
});
