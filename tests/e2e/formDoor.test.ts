/**
 * The form's front door on the local stack as an office runs it (`npm start`, the bundled entry,
 * a child process): fifty people submitting at the same moment all get their rows; 200 MB posted to
 * a made-up token is refused without the stack's memory moving; a post the framework would answer
 * with its English page gets ours. Prints p50/p95 of the submissions and the RSS measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { activityRowsNow } from '../support/activityTab';
import { eventually } from '../support/firestore';
import { guardOf } from '../support/http';
import { postLarge } from '../support/postLarge';
import { formLinkIn, partnerDigests, type StackRun, startStack, stopStack, untilWatching } from './run-start';

const folder = tempFolder();
let stack: StackRun | undefined;

afterAll(async () => {
  await stopStack(stack);
  folder.remove();
}, 120_000);

/** The resident memory of a process, from /proc (Linux), in MB. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) / 1024;
}

/** What one page of a link's form needs posted back: its page value, a measure, its unit. */
async function formOf(link: string): Promise<{ guard: string; measureId: string; partners: string[] }> {
  const html = await (await fetch(link)).text();
  const guard = guardOf(html);
  const select = /<select id="f-measureId"[^>]*>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
  const measureId = /<option value="([^"]+)"/.exec(select)?.[1] ?? '';
  const partners = [...html.matchAll(/name="partners" value="([^"]+)" checked/g)].map((m) => m[1] as string);
  return { guard, measureId, partners };
}

describe('the form’s front door on the local stack', () => {
  it('50 submissions at once all land; 200 MB to a made-up token leaves memory flat; framework errors get our page', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    stack = startStack([path]);
    const run = await untilWatching(stack);
    const outbox = join(folder.dir, 'outbox');
    const links = [
      ...new Set(
        partnerDigests(outbox)
          .map((f) => formLinkIn(readFileSync(join(outbox, f), 'utf8')))
          .filter((link): link is string => link !== undefined),
      ),
    ];
    expect(links.length).toBeGreaterThan(1);
    const formRoot = new URL(links[0] as string).origin;
    const before = (await activityRowsNow(path))?.length ?? 0;

    // Fifty pages first (a page per submission, as fifty people would have), then all posts at once.
    const date = todayIn(new Date(), 'Asia/Shanghai');
    const tag = Date.now().toString(36);
    const pages = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const link = links[i % links.length] as string;
        return { link, i, ...(await formOf(link)) };
      }),
    );
    const timings: number[] = [];
    const statuses = await Promise.all(
      pages.map(async ({ link, i, guard, measureId, partners }) => {
        const body = new URLSearchParams({
          kind: 'activity',
          guard,
          date,
          measureId,
          title: `同时填报 ${tag} ${i}`,
        });
        for (const partner of partners) body.append('partners', partner);
        const started = performance.now();
        const response = await fetch(link, { method: 'POST', body, redirect: 'manual' });
        timings.push(performance.now() - started);
        return response.status;
      }),
    );
    timings.sort((a, b) => a - b);
    console.log(
      `50 parallel submissions on the local stack: p50 ${Math.round(timings[24] ?? 0)} ms, p95 ${Math.round(timings[47] ?? 0)} ms, max ${Math.round(timings[49] ?? 0)} ms`,
    );
    expect(statuses.filter((status) => status !== 303)).toEqual([]);
    const titles = await eventually(
      async () => {
        const now = (await activityRowsNow(path))?.map((row) => row.活动名称 ?? '');
        return now && now.filter((t) => t.startsWith(`同时填报 ${tag} `)).length === 50 ? now : undefined;
      },
      { timeoutMs: 120_000, what: 'the 50 submitted rows in the workbook' },
    );
    expect(titles).toHaveLength(before + 50);
    expect(run.output()).not.toMatch(/内部错误|Internal error|ABORTED/);

    // 200 MB to a made-up token, with its length declared and chunked: refused at once, unread.
    const pid = run.child.pid as number;
    for (const chunked of [false, true]) {
      const rssBefore = rssMb(pid);
      const answer = await postLarge(
        `${formRoot}/r/${'x'.repeat(43)}`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        200 * 1024 * 1024,
        { chunked },
      );
      const grown = rssMb(pid) - rssBefore;
      console.log(
        `200 MB post (chunked: ${chunked}) to the stack: ${answer.cut ? 'connection cut' : answer.status} after ${(answer.bytesSent / 1024 / 1024).toFixed(1)} MB sent; stack RSS ${rssBefore.toFixed(0)} → ${(rssBefore + grown).toFixed(0)} MB`,
      );
      // Answered 413 — or the connection closed after the answer before this client could read it.
      if (!answer.cut) {
        expect(answer.status).toBe(413);
        expect(answer.body).toContain('提交内容过大');
      }
      expect(answer.bytesSent).toBeLessThan(16 * 1024 * 1024);
      expect(grown).toBeLessThan(20);
    }

    // What the framework's parsers would have answered in English, with a stack trace.
    const gbk = await fetch(links[0] as string, {
      method: 'POST',
      body: 'title=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=gbk' },
    });
    expect(gbk.status).toBe(400);
    expect(gbk.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(gbk.headers.get('x-frame-options')).toBe('DENY');
    expect(gbk.headers.get('cache-control')).toBe('no-store');
    expect(gbk.headers.get('x-content-type-options')).toBe('nosniff');
    expect(gbk.headers.get('referrer-policy')).toBe('no-referrer');
    const page = await gbk.text();
    expect(page).toContain('无法读取提交的内容');
    expect(page).not.toMatch(/Error|node_modules/);
  }, 480_000);
});
