/**
 * Acknowledged means kept, on the real local stack (`dist/start.js`, the emulator, the form on its
 * own port), stopped the two ways an office stops it: Ctrl-C (SIGINT to the whole process group,
 * as a terminal sends it) and kill -9 of the whole process group right after the acknowledgement.
 * After each, a restart finds what was acknowledged: a revoked link stays revoked, links emailed
 * before the stop open on the same address, and a submission answered 303 while the workbook was
 * open in an office program (so only the database held it) lands in 活动 exactly once. Ctrl-C right
 * after a submission ends within 5 s. The data folder and the outbox are private (0700/0600),
 * including folders an earlier version left readable.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../adapters/stackEndpoint';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { activityRowsNow } from '../support/activityTab';
import { eventually } from '../support/firestore';
import { guardOf } from '../support/http';
import { type StackRun, startStack, untilWatching } from './run-start';

const folder = tempFolder();
const dir = folder.dir;
const path = join(dir, 'plan.xlsx');
const dataDir = join(dir, '.plan.gongjian');
const outbox = join(dir, 'outbox');
/** What Excel or WPS leaves beside a workbook it has open: our writer then holds its writes. */
const officeLock = join(dir, '~$plan.xlsx');
const STOP_BOUND_MS = 5_000;
const runs: StackRun[] = [];

afterAll(async () => {
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.signalCode === null) {
      process.kill(-(run.child.pid as number), 'SIGKILL');
      await run.exited;
    }
  }
  folder.remove();
});

async function start(): Promise<{
  run: StackRun;
  formUrl: string;
  api: (route: string, body: unknown) => Promise<Response>;
}> {
  const run = startStack([path], {}, { group: true });
  runs.push(run);
  await untilWatching(run);
  const formUrl = /update-request form: (http:\/\/127\.0\.0\.1:\d+)\/r\//.exec(run.output())?.[1] as string;
  expect(formUrl).toBeDefined();
  const endpoint = JSON.parse(readFileSync(join(dataDir, 'stack.json'), 'utf8')) as {
    apiUrl: string;
    devToken: string;
  };
  const api = (route: string, body: unknown) =>
    fetch(`${endpoint.apiUrl}/v1/plans/local/${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoint.devToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { run, formUrl, api };
}

/** The link and address of the update request emailed to a partner unit (once it is in the outbox). */
async function emailedRequest(partnerId: string): Promise<{ link: string; email: string }> {
  return eventually(
    () => {
      const name = readdirSync(outbox).find(
        (f) => f.startsWith('updateRequest') && f.includes(partnerId) && f.endsWith('.eml'),
      );
      if (!name) return undefined;
      const eml = readFileSync(join(outbox, name), 'utf8').replace(/=\r?\n/g, '');
      const link = /(http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9_-]{43})/.exec(eml)?.[1];
      const email = /^To:.*?([\w.+-]+@[\w.-]+)/m.exec(eml)?.[1];
      return link && email ? { link, email } : undefined;
    },
    { timeoutMs: 60_000, what: `the update request to ${partnerId} in the outbox` },
  );
}

/** Fills and posts the form behind a link, as a phone would; the response as it came. */
async function submit(link: string, partnerId: string, title: string): Promise<Response> {
  const page = await (await fetch(link)).text();
  const guard = guardOf(page);
  const select = /<select[^>]*name="measureId"[^>]*>([\s\S]*?)<\/select>/.exec(page)?.[1] ?? '';
  const measureId = [...select.matchAll(/<option value="([^"]+)"/g)][0]?.[1];
  expect(guard && measureId, 'the form has a guard and a measure to report on').toBeTruthy();
  const body = new URLSearchParams({
    kind: 'activity',
    guard: guard as string,
    measureId: measureId as string,
    date: todayIn(new Date(), 'Asia/Shanghai'),
    title,
    location: '社区活动室',
    participants: '7',
    hours: '2',
    partners: partnerId,
  });
  return fetch(link, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** How many rows of 活动 carry this title (undefined while the file is being replaced). */
async function rowsTitled(title: string): Promise<number | undefined> {
  return (await activityRowsNow(path))?.filter((row) => row.活动名称 === title).length;
}

/** Signals the stack's whole process group; resolves with how long it took to end, and its exit code. */
async function stopGroup(
  run: StackRun,
  signal: NodeJS.Signals,
): Promise<{ ms: number; code: number | null }> {
  const started = Date.now();
  process.kill(-(run.child.pid as number), signal);
  const code = await run.exited;
  return { ms: Date.now() - started, code };
}

const status = async (link: string) => (await fetch(link)).status;

function expectPrivate(folderPath: string): void {
  expect(statSync(folderPath).mode & 0o777, folderPath).toBe(0o700);
  for (const entry of readdirSync(folderPath, { withFileTypes: true })) {
    const entryPath = join(folderPath, entry.name);
    if (entry.isDirectory()) expectPrivate(entryPath);
    else expect(statSync(entryPath).mode & 0o777, entryPath).toBe(0o600);
  }
}

describe('what the local stack acknowledged survives Ctrl-C and kill -9', () => {
  it('keeps revocations, emailed links and submissions across both, and stops within 5 s', async () => {
    // An earlier version left the outbox and the data folder readable to everyone.
    mkdirSync(outbox);
    mkdirSync(dataDir);
    writeFileSync(join(outbox, 'earlier.eml'), 'Subject: earlier\r\n\r\nhttp://127.0.0.1:1/r/x\r\n');
    chmodSync(outbox, 0o755);
    chmodSync(dataDir, 0o755);
    chmodSync(join(outbox, 'earlier.eml'), 0o644);

    // 1. Links minted, emailed and revoked after the pass's save; a submission only the database holds.
    const first = await start();
    expectPrivate(outbox);
    expectPrivate(dataDir);
    expect((await first.api('requests', { to: ['P02', 'P03'] })).status).toBe(202);
    const p02 = await emailedRequest('P02');
    const p03 = await emailedRequest('P03');
    expect(p02.link.startsWith(`${first.formUrl}/r/`)).toBe(true);
    expect((await first.api('requests/revoke', { email: p03.email })).status).toBe(200);
    expect(await status(p03.link)).toBe(410);
    writeFileSync(officeLock, 'staff');
    const heldTitle = `工作簿打开时填报 ${Date.now().toString(36)}`;
    expect((await submit(p02.link, 'P02', heldTitle)).status).toBe(303);
    const ctrlC = await stopGroup(first.run, 'SIGINT');
    expect(ctrlC.code, first.run.output()).toBe(130);
    expect(ctrlC.ms, 'Ctrl-C right after a submission').toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(first.run.output()).not.toContain('Could not save');
    expect(await rowsTitled(heldTitle)).toBe(0); // held: only the database has it
    expectPrivate(dataDir);
    expectPrivate(outbox);

    // 2. After Ctrl-C: the same address, the revocation holds, the held submission lands once.
    rmSync(officeLock);
    const second = await start();
    expect(second.formUrl).toBe(first.formUrl);
    expect(await status(p03.link)).toBe(410);
    expect(await status(p02.link)).toBe(200);
    await eventually(async () => (await rowsTitled(heldTitle)) === 1, {
      timeoutMs: 60_000,
      what: 'the submission acknowledged before Ctrl-C in 活动',
    });

    // The same after kill -9 of the whole process group right after the acknowledgements.
    expect((await second.api('requests', { to: ['P04', 'P05'] })).status).toBe(202);
    const p04 = await emailedRequest('P04');
    const p05 = await emailedRequest('P05');
    expect((await second.api('requests/revoke', { email: p05.email })).status).toBe(200);
    writeFileSync(officeLock, 'staff');
    const killedTitle = `强制结束前填报 ${Date.now().toString(36)}`;
    expect((await submit(p04.link, 'P04', killedTitle)).status).toBe(303);
    const emulatorPid = Number(/pid (\d+)\)/.exec(second.run.output())?.[1]);
    expect(isAlive(emulatorPid)).toBe(true);
    await stopGroup(second.run, 'SIGKILL');
    // No emulator is orphaned by it.
    await eventually(() => !isAlive(emulatorPid), {
      timeoutMs: 10_000,
      what: 'the emulator to end with the stack',
    });

    rmSync(officeLock);
    const third = await start();
    expect(third.formUrl).toBe(first.formUrl);
    expect(await status(p05.link)).toBe(410);
    expect(await status(p03.link)).toBe(410);
    expect(await status(p04.link)).toBe(200);
    expect(await status(p02.link)).toBe(200);
    await eventually(async () => (await rowsTitled(killedTitle)) === 1, {
      timeoutMs: 60_000,
      what: 'the submission acknowledged before kill -9 in 活动',
    });
    expect(await rowsTitled(heldTitle)).toBe(1);

    // Ctrl-C right after a submission that goes straight into the workbook.
    const lastTitle = `停止前填报 ${Date.now().toString(36)}`;
    expect((await submit(p04.link, 'P04', lastTitle)).status).toBe(303);
    const lastStop = await stopGroup(third.run, 'SIGINT');
    expect(lastStop.code).toBe(130);
    expect(lastStop.ms, 'Ctrl-C right after a submission').toBeLessThanOrEqual(STOP_BOUND_MS);
    expect(await rowsTitled(lastTitle)).toBe(1);
    console.log(`Ctrl-C 后停止 / stop after Ctrl-C: ${ctrlC.ms} ms, ${lastStop.ms} ms`);
  }, 600_000);
});
