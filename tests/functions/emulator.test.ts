/**
 * The real Cloud Firestore emulator and the trigger bridge: the emulator itself fires a real
 * firebase-functions v2 onDocumentWritten declaration; the tests only write documents with
 * firebase-admin and wait for the effect.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FieldValue, Timestamp } from 'firebase-admin/firestore';
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { describe, expect, it } from 'vitest';
import {
  EmulatorMissingError,
  EmulatorStartError,
  findEmulatorJar,
  findJava,
  startFirestoreEmulator,
} from '../../stack/emulator';
import { eventually, useFirestoreEmulator } from '../support/firestore';

interface SeenEvent {
  id: string;
  type: string;
  source: string;
  document: unknown;
  params: Record<string, string>;
  before: Record<string, unknown> | undefined;
  after: Record<string, unknown> | undefined;
}

const seen: SeenEvent[] = [];

// Real declarations, exactly as functions/src/triggers/* would export them.
const recordActivity = onDocumentWritten('plans/{planId}/activities/{activityId}', (event) => {
  seen.push({
    id: event.id,
    type: event.type,
    source: event.source,
    document: event.document,
    params: { ...event.params },
    before: event.data?.before.exists ? event.data.before.data() : undefined,
    after: event.data?.after.exists ? event.data.after.data() : undefined,
  });
});
const alwaysFails = onDocumentWritten('broken/{id}', () => {
  throw new Error('handler exploded on purpose');
});

/** Events for one plan, so delete events from other tests' resets never count here. */
const eventsFor = (planId: string) => seen.filter((event) => event.params.planId === planId);

/** `java` processes of one emulator project, straight from `ps`. */
function javaProcessesOf(projectId: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('java') && line.includes(`--project_id=${projectId}`));
}

describe('finding the emulator', () => {
  const hint = /apt-get install google-cloud-cli-firestore-emulator[\s\S]*FIRESTORE_EMULATOR_JAR/;

  it('gives the install hint, in Chinese and English, when no jar exists anywhere', () => {
    const error = catchError(() => findEmulatorJar({}, ['/nonexistent/a.jar', '/nonexistent/b.jar']));
    expect(error).toBeInstanceOf(EmulatorMissingError);
    expect(error).toMatchObject({ code: 'JAR_NOT_FOUND' });
    expect(String((error as Error).message)).toMatch(hint);
    expect((error as EmulatorMissingError).messageZh).toContain('找不到 Cloud Firestore 模拟器');
    expect((error as EmulatorMissingError).messageEn).toContain('Cloud Firestore emulator not found');
    expect((error as Error).message).toContain('/nonexistent/b.jar');
  });

  it('treats a FIRESTORE_EMULATOR_JAR pointing nowhere as an error, with the hint', () => {
    const error = catchError(() =>
      findEmulatorJar({ FIRESTORE_EMULATOR_JAR: '/nonexistent/emulator.jar' }, []),
    );
    expect(error).toBeInstanceOf(EmulatorMissingError);
    expect((error as Error).message).toMatch(hint);
    expect((error as Error).message).toContain('/nonexistent/emulator.jar');
  });

  it('refuses to start, without spawning anything, when the jar is missing', async () => {
    const env = { PATH: process.env.PATH, FIRESTORE_EMULATOR_JAR: '/nonexistent/emulator.jar' };
    await expect(startFirestoreEmulator({ projectId: 'demo-gongjian-nojar', env })).rejects.toThrow(
      EmulatorMissingError,
    );
    expect(javaProcessesOf('demo-gongjian-nojar')).toEqual([]);
  });

  it('prefers the override, then the first existing candidate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gongjian-jar-'));
    try {
      const jar = join(dir, 'cloud-firestore-emulator.jar');
      writeFileSync(jar, '');
      expect(findEmulatorJar({ FIRESTORE_EMULATOR_JAR: jar }, [])).toBe(jar);
      expect(findEmulatorJar({}, ['/nonexistent/a.jar', jar])).toBe(jar);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to install Java when there is none', () => {
    const error = catchError(() => findJava({ PATH: '/nonexistent' }));
    expect(error).toMatchObject({ code: 'JAVA_NOT_FOUND' });
    expect((error as Error).message).toMatch(/Java 17[\s\S]*openjdk-17-jre-headless/);
  });

  it('finds this machine’s jar and Java (the emulator suites below need them)', () => {
    expect(findEmulatorJar()).toMatch(/\.jar$/);
    expect(findJava()).toMatch(/java$/);
  });
});

describe('with a running emulator', () => {
  const fs = useFirestoreEmulator('emulator', {
    reset: true,
    triggers: { recordActivity, alwaysFails },
  });

  describe('the emulator process', () => {
    it('starts on 127.0.0.1, and stop() leaves no java process behind; stop is idempotent', async () => {
      const projectId = 'demo-gongjian-lifecycle';
      const startedAt = Date.now();
      const emulator = await startFirestoreEmulator({ projectId });
      const startupMs = Date.now() - startedAt;
      try {
        expect(emulator.host).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(javaProcessesOf(projectId)).toHaveLength(1);
        expect(startupMs).toBeLessThan(30_000);
      } finally {
        await Promise.all([emulator.stop(), emulator.stop()]);
      }
      expect(javaProcessesOf(projectId)).toEqual([]);
      expect(() => process.kill(emulator.pid, 0)).toThrow(/ESRCH/);
      await emulator.stop();
    });

    it('fails with the emulator’s own output when it cannot start, and leaves nothing running', async () => {
      const projectId = 'demo-gongjian-busy';
      const error = await startFirestoreEmulator({ projectId, port: fs.emulator.port }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EmulatorStartError);
      expect((error as Error).message).toContain('Address already in use');
      expect(javaProcessesOf(projectId)).toEqual([]);
    });

    it('reset() empties the database', async () => {
      const db = fs.firestore();
      await db.doc('plans/reset/activities/a1').set({ title: 'x' });
      await db.doc('other/b').set({ n: 1 });
      await fs.emulator.reset();
      const [activities, others] = await Promise.all([
        db.collection('plans/reset/activities').get(),
        db.collection('other').get(),
      ]);
      expect(activities.size + others.size).toBe(0);
    });

    it('reset() also fires a delete event for each document into the registered triggers', async () => {
      await fs.firestore().doc('plans/reset-fires/activities/a1').set({ title: 'soon gone' });
      await eventually(() => eventsFor('reset-fires').length === 1, { what: 'the create event' });
      await fs.emulator.reset();
      const deleted = await eventually(() => eventsFor('reset-fires')[1], { what: 'the delete event' });
      expect(deleted).toMatchObject({ before: { title: 'soon gone' }, after: undefined });
    });
  });

  describe('triggers fired by the emulator through the bridge', () => {
    it('delivers create, update and delete to a real onDocumentWritten with params and before/after', async () => {
      const db = fs.firestore();
      const doc = db.doc('plans/p-crud/activities/act-1');
      const when = Timestamp.fromDate(new Date('2026-03-05T08:00:00Z'));

      await doc.set({
        title: '社区义诊',
        date: when,
        people: 12,
        tags: ['健康', null],
        where: { room: 'A' },
      });
      const created = await eventually(() => eventsFor('p-crud')[0], { what: 'the create event' });
      expect(created.params).toEqual({ planId: 'p-crud', activityId: 'act-1' });
      expect(created.document).toBe('plans/p-crud/activities/act-1');
      expect(created.type).toBe('google.cloud.firestore.document.v1.written');
      expect(created.source).toBe(`//firestore.googleapis.com/projects/${fs.projectId}/databases/(default)`);
      expect(created.before).toBeUndefined();
      expect(created.after).toEqual({
        title: '社区义诊',
        date: when,
        people: 12,
        tags: ['健康', null],
        where: { room: 'A' },
      });

      await doc.update({ people: FieldValue.increment(3) });
      const updated = await eventually(() => eventsFor('p-crud')[1], { what: 'the update event' });
      expect(updated.before).toMatchObject({ people: 12 });
      expect(updated.after).toMatchObject({ people: 15, title: '社区义诊' });

      await doc.delete();
      const deleted = await eventually(() => eventsFor('p-crud')[2], { what: 'the delete event' });
      expect(deleted.before).toMatchObject({ people: 15 });
      expect(deleted.after).toBeUndefined();
      expect(new Set(eventsFor('p-crud').map((event) => event.id)).size).toBe(3);
    });

    it('counts and logs a handler that throws', async () => {
      const failedBefore = fs.bridge.failed;
      await fs.firestore().doc('broken/b-1').set({ any: 'thing' });
      await eventually(() => fs.bridge.failed > failedBefore, { what: 'the failed delivery' });
      expect(fs.logs.bridge.join('\n')).toMatch(
        /trigger alwaysFails failed on broken\/b-1 .*handler exploded/,
      );
    });

    it('answers 404 for an unknown trigger and 400 for a request that is no CloudEvent', async () => {
      const unknown = await fetch(`${fs.bridge.url}/functions/projects/${fs.projectId}/triggers/nope`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': 's', 'ce-type': 't' },
        body: '',
      });
      expect(unknown.status).toBe(404);
      const wrongProject = await fetch(
        `${fs.bridge.url}/functions/projects/demo-other/triggers/recordActivity`,
        {
          method: 'POST',
          body: '',
        },
      );
      expect(wrongProject.status).toBe(404);
      const notAnEvent = await fetch(
        `${fs.bridge.url}/functions/projects/${fs.projectId}/triggers/recordActivity`,
        {
          method: 'POST',
          body: 'hello',
        },
      );
      expect(notAnEvent.status).toBe(400);
    });

    it('also accepts the raw protobuf bytes Eventarc sends in production', async () => {
      const response = await fetch(
        `${fs.bridge.url}/functions/projects/${fs.projectId}/triggers/recordActivity`,
        {
          method: 'POST',
          headers: {
            'ce-specversion': '1.0',
            'ce-id': 'raw-1',
            'ce-source': `//firestore.googleapis.com/projects/${fs.projectId}/databases/(default)`,
            'ce-type': 'google.cloud.firestore.document.v1.written',
            'ce-time': '2026-03-05T08:00:00Z',
            'ce-subject': 'documents/plans/p-raw/activities/a1',
            'ce-datacontenttype': 'application/protobuf',
            'ce-project': fs.projectId,
            'ce-database': '(default)',
            'ce-namespace': '(default)',
            'ce-document': 'plans/p-raw/activities/a1',
            'content-type': 'application/protobuf',
          },
          body: Buffer.from(CAPTURED_EVENT_BASE64, 'base64'),
        },
      );
      expect(response.status).toBe(202);
      // The bridge answers on acceptance and runs the handler alongside: wait for it.
      await fs.bridge.idle();
      expect(eventsFor('p-raw')).toMatchObject([
        {
          params: { planId: 'p-raw', activityId: 'a1' },
          before: undefined,
          after: { title: 'hello 你好', n: 3 },
        },
      ]);
    });
  });
});

/** A DocumentEventData the emulator sent for a create of {title: 'hello 你好', n: 3}, as it sends it (base64 text). */
const CAPTURED_EVENT_BASE64 =
  'CoUBCkRwcm9qZWN0cy9kZW1vLXgvZGF0YWJhc2VzLyhkZWZhdWx0KS9kb2N1bWVudHMvcGxhbnMvcDEvYWN0aXZpdGllcy9hMRIYCgV0aXRsZRIPigEMaGVsbG8g5L2g5aW9EgcKAW4SAhADGgwI1PWn2AYQuMeolAEiDAjU9afYBhC4x6iUARoA';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
