/**
 * What the change log (§12) costs a sync, in `npm run bench`: the 10,000-row first sync and a
 * one-row edit, each with the log on and with it off (PlanStore's `changeLog: false`, an option
 * only this benchmark uses), on one Firestore emulator in one run. The two modes alternate, and
 * change places each round, so a machine shared with other work slows both alike. A sync here is syncPlan against the store (validation, claim, diff, batched
 * commits, the plan document): the trigger's recomputation, the same with or without the log, is
 * left out so that the ratio is of what the log adds, not diluted by what it does not touch.
 */
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { PlanStore } from '../functions/src/store/planStore';
import { syncPlan } from '../functions/src/sync/syncPlan';
import { locateColumns } from '../shared/columns';
import type { RawWorkbook } from '../shared/workbook';
import { startFirestoreEmulator } from '../stack/emulator';
import { atMost, type BenchRow, median, times } from './format';
import { generateWorkbook } from './generate';

/** Each ratio (log on ÷ log off) the issue allows. */
export const HISTORY_RATIO_TARGET = 1.15;

type Mode = 'on' | 'off';

interface Timed {
  ms: number;
  writes: number;
}

/**
 * Runs the comparison; rows for the benchmark's table. A 10,000-row sync takes 1–2 s on the
 * emulator and single runs vary by ±25 % even on a quiet machine, so each round times the two
 * modes back to back (their order alternating) and a row reports the median of the rounds' own
 * ratios. Each first sync starts from an emptied database: one that kept every round's 10,000
 * records slowed as it filled. The edits all go to one plan of that size, the modes in turn, each
 * setting a new value: timed right after a first sync, an edit met the emulator still busy with it,
 * and the edit's ratio swung 0.99–1.17× across runs (2026-12-07) where steady edits gave 0.97–1.00×.
 */
export async function runHistoryBench(
  progress: (line: string) => void,
  { activities = 10_000, rounds = 25 }: { activities?: number; rounds?: number } = {},
): Promise<BenchRow[]> {
  const emulator = await startFirestoreEmulator({ projectId: 'demo-gongjian-history-bench' });
  const app = initializeApp({ projectId: emulator.projectId }, `history-bench-${process.pid}`);
  try {
    const db = getFirestore(app);
    db.settings({
      host: emulator.host,
      ssl: false,
      universeDomain: 'googleapis.com',
      ignoreUndefinedProperties: true,
    });
    const stores: Record<Mode, PlanStore> = {
      on: new PlanStore(db, { changeLog: true }),
      off: new PlanStore(db, { changeLog: false }),
    };
    const timedSync = (mode: Mode, planId: string, book: RawWorkbook) => timed(stores[mode], planId, book);
    const workbook = generateWorkbook({ activities, measures: 200, partners: 50 });
    const orderOf = (round: number): readonly Mode[] => (round % 2 === 0 ? ['on', 'off'] : ['off', 'on']);

    const first: Record<Mode, Timed[]> = { on: [], off: [] };
    // A warm-up sync of each mode, not counted: the emulator's JVM is cold at first.
    for (const mode of orderOf(0)) await timedSync(mode, `warm-${mode}`, workbook);
    await emulator.reset();
    for (let round = 0; round < rounds; round++) {
      for (const mode of orderOf(round)) {
        const run = await timedSync(mode, `r${round}-${mode}`, workbook);
        first[mode].push(run);
        await emulator.reset();
        progress(`change log ${mode}: first sync ${run.ms.toFixed(0)} ms (${run.writes} writes)`);
      }
    }

    const edits: Record<Mode, Timed[]> = { on: [], off: [] };
    await timedSync('on', 'edits', workbook);
    let value = 10_000;
    for (let round = 0; round < rounds; round++) {
      for (const mode of orderOf(round)) {
        const run = await timedSync(mode, 'edits', editOneRow(workbook, value++));
        edits[mode].push(run);
        progress(`change log ${mode}: one-row edit ${run.ms.toFixed(0)} ms (${run.writes} writes)`);
      }
    }

    const size = activities.toLocaleString('en-US');
    const row = (what: string, runs: Record<Mode, Timed[]>) => {
      const med = (mode: Mode, key: keyof Timed) => median(runs[mode].map((t) => t[key]));
      const ratio = median(runs.on.map((on, round) => on.ms / (runs.off[round] as Timed).ms));
      return atMost(
        `change log: ${what}, log on ÷ off, median of ${rounds} rounds' ratios (medians ${med('on', 'ms').toFixed(0)} / ${med('off', 'ms').toFixed(0)} ms; ${med('on', 'writes')} / ${med('off', 'writes')} documents)`,
        ratio,
        HISTORY_RATIO_TARGET,
        times,
      );
    };
    return [row(`${size}-activity first sync`, first), row('one-row edit of that plan', edits)];
  } finally {
    await deleteApp(app);
    await emulator.stop();
  }
}

/** One sync of a workbook into a plan: its wall time and the documents it wrote. */
async function timed(store: PlanStore, planId: string, book: RawWorkbook): Promise<Timed> {
  const writes = store.documentWrites;
  const now = new Date();
  const started = performance.now();
  await syncPlan(
    book,
    {
      planId,
      caller: 'bench@example.cn',
      now,
      existing: await store.getPlan(planId),
      clock: { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) },
    },
    store,
  );
  return { ms: performance.now() - started, writes: store.documentWrites - writes };
}

/** The workbook with one activity's participants set to `value` (the generator numbers every row). */
function editOneRow(workbook: RawWorkbook, value: number): RawWorkbook {
  return {
    ...workbook,
    tabs: workbook.tabs.map((tab) => {
      if (tab.name !== '活动') return tab;
      const column = locateColumns('activities', tab.header).get('participants') ?? -1;
      if (column < 0) throw new Error('the generated 活动 tab has no participants column');
      return {
        ...tab,
        rows: tab.rows.map((row, i) =>
          i === 0 ? { ...row, cells: row.cells.map((c, j) => (j === column ? value : c)) } : row,
        ),
      };
    }),
  };
}
