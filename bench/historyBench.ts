/**
 * What the change log (§12) costs a sync, in `npm run bench`: the 10,000-row first sync and a
 * one-row edit, each with the log on and with it off (PlanStore's `changeLog: false`, an option
 * only this benchmark uses), on one Firestore emulator in one run. The two modes alternate, and
 * change places each round, so a machine shared with other work slows both alike; each mode's
 * median is compared. A sync here is syncPlan against the store (validation, claim, diff, batched
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

interface Timed {
  firstMs: number;
  editMs: number;
  firstWrites: number;
  editWrites: number;
}

/**
 * Runs the comparison; rows for the benchmark's table. A 10,000-row sync takes 1–2 s on the
 * emulator and single runs vary by ±25 % even on a quiet machine, so each round times the two
 * modes back to back and the row reports the median of the rounds' own ratios: a slow spell slows
 * both halves of a round alike, where it can land on one mode's median alone. On 2026-12-07 the
 * ratio of the two medians swung 0.99–1.21× across runs of 9–15 rounds at load 0.5–3.
 */
export async function runHistoryBench(
  progress: (line: string) => void,
  { activities = 10_000, rounds = 15 }: { activities?: number; rounds?: number } = {},
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
    const workbook = generateWorkbook({ activities, measures: 200, partners: 50 });
    const edited = editOneRow(workbook);
    const runs: Record<'on' | 'off', Timed[]> = { on: [], off: [] };
    // A warm-up sync of each mode, not counted: the emulator's JVM is cold at first.
    for (const mode of ['on', 'off'] as const) await timedSyncs(db, `warm-${mode}`, mode, workbook, edited);
    await emulator.reset();
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const mode of order) {
        const timed = await timedSyncs(db, `r${round}-${mode}`, mode, workbook, edited);
        runs[mode].push(timed);
        // Each sync starts from an empty database: one that kept every round's 10,000 records
        // grew slower as it filled, which drifts whichever mode runs later in the round.
        await emulator.reset();
        progress(
          `change log ${mode}: first sync ${timed.firstMs.toFixed(0)} ms (${timed.firstWrites} writes), one-row edit ${timed.editMs.toFixed(0)} ms (${timed.editWrites} writes)`,
        );
      }
    }
    const med = (mode: 'on' | 'off', key: keyof Timed) => median(runs[mode].map((t) => t[key]));
    const paired = (key: 'firstMs' | 'editMs') =>
      median(runs.on.map((on, round) => on[key] / (runs.off[round] as Timed)[key]));
    const firstRatio = paired('firstMs');
    const editRatio = paired('editMs');
    const size = activities.toLocaleString('en-US');
    return [
      atMost(
        `change log: ${size}-activity first sync, log on ÷ off, median of ${rounds} rounds' ratios (medians ${med('on', 'firstMs').toFixed(0)} / ${med('off', 'firstMs').toFixed(0)} ms; ${med('on', 'firstWrites')} / ${med('off', 'firstWrites')} documents)`,
        firstRatio,
        HISTORY_RATIO_TARGET,
        times,
      ),
      atMost(
        `change log: one-row edit of that plan, log on ÷ off, median of ${rounds} rounds' ratios (medians ${med('on', 'editMs').toFixed(0)} / ${med('off', 'editMs').toFixed(0)} ms; ${med('on', 'editWrites')} / ${med('off', 'editWrites')} documents)`,
        editRatio,
        HISTORY_RATIO_TARGET,
        times,
      ),
    ];
  } finally {
    await deleteApp(app);
    await emulator.stop();
  }
}

/** A first sync of a fresh plan, then the same workbook with one cell changed. */
async function timedSyncs(
  db: FirebaseFirestore.Firestore,
  planId: string,
  mode: 'on' | 'off',
  workbook: RawWorkbook,
  edited: RawWorkbook,
): Promise<Timed> {
  const store = new PlanStore(db, { changeLog: mode === 'on' });
  const once = async (book: RawWorkbook) => {
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
  };
  const first = await once(workbook);
  const edit = await once(edited);
  return { firstMs: first.ms, editMs: edit.ms, firstWrites: first.writes, editWrites: edit.writes };
}

/** The workbook with one activity's participants changed (the generator numbers every row). */
function editOneRow(workbook: RawWorkbook): RawWorkbook {
  return {
    ...workbook,
    tabs: workbook.tabs.map((tab) => {
      if (tab.name !== '活动') return tab;
      const column = locateColumns('activities', tab.header).get('participants') ?? -1;
      if (column < 0) throw new Error('the generated 活动 tab has no participants column');
      return {
        ...tab,
        rows: tab.rows.map((row, i) =>
          i === 0 ? { ...row, cells: row.cells.map((c, j) => (j === column ? 9_999 : c)) } : row,
        ),
      };
    }),
  };
}
