/**
 * The durability barrier's group commit (stack/durability.ts): a caller is served only by a commit
 * that started after its call, callers arriving together share one, commits never overlap, and a
 * failed commit rejects exactly its callers.
 */
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../stack/durability';

/** A commit the test finishes by hand, recording when each started and whether two overlapped. */
function manualCommits() {
  const started: { finish: (error?: Error) => void }[] = [];
  let running = 0;
  let overlapped = false;
  const commit = new GroupCommit(
    () =>
      new Promise<void>((resolve, reject) => {
        running += 1;
        if (running > 1) overlapped = true;
        started.push({
          finish: (error) => {
            running -= 1;
            if (error) reject(error);
            else resolve();
          },
        });
      }),
  );
  return { commit, started, overlapped: () => overlapped };
}

const settledYet = async (promise: Promise<unknown>) => {
  let settled = false;
  void promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return settled;
};

describe('the durability barrier', () => {
  it('serves a caller only with a commit that started after its call, one commit per group', async () => {
    const { commit, started, overlapped } = manualCommits();
    const first = commit.durable();
    expect(started).toHaveLength(1);
    // Arrive while the first commit runs: it may have read the database before their writes.
    const late = [commit.durable(), commit.durable(), commit.durable()];
    expect(started).toHaveLength(1);
    started[0]?.finish();
    await first;
    expect(await settledYet(late[0] as Promise<void>)).toBe(false);
    await eventuallyLength(started, 2);
    const later = commit.durable(); // arrives during the second commit: needs a third
    started[1]?.finish();
    await Promise.all(late);
    expect(await settledYet(later)).toBe(false);
    await eventuallyLength(started, 3);
    started[2]?.finish();
    await later;
    expect(started).toHaveLength(3);
    expect(overlapped()).toBe(false);
    await commit.idle();
  });

  it('never runs two commits at once, also for a caller arriving as one commit ends and the next is due', async () => {
    const { commit, started, overlapped } = manualCommits();
    const first = commit.durable();
    const waiting = commit.durable(); // due to run once the first ends
    // Arrives just after the first commit has ended, before the due one has started.
    const between = first.then(() => commit.durable());
    started[0]?.finish();
    await first;
    await eventuallyLength(started, 2);
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(started).toHaveLength(2);
    expect(overlapped()).toBe(false);
    started[1]?.finish();
    await Promise.all([waiting, between]);
  });

  it('rejects the callers of a failed commit, and the next call commits again', async () => {
    const { commit, started } = manualCommits();
    const failing = commit.durable();
    started[0]?.finish(new Error('disk full'));
    await expect(failing).rejects.toThrow('disk full');
    const retried = commit.durable();
    expect(started).toHaveLength(2);
    started[1]?.finish();
    await expect(retried).resolves.toBeUndefined();
  });
});

async function eventuallyLength(list: unknown[], length: number): Promise<void> {
  for (let i = 0; i < 50 && list.length < length; i++) await Promise.resolve();
  expect(list).toHaveLength(length);
}
