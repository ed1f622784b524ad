/**
 * The deployed Firestore security rules (the file firebase.json names) loaded into the real
 * Cloud Firestore emulator: a client SDK — anonymous or signed in, even as a plan's owner — can
 * neither read nor write anything; only the functions' admin credentials get through.
 *
 * Clients are spoken to over the emulator's REST API, which is what the web and Node client SDKs
 * send. `Authorization: Bearer owner` is the emulator's admin credential (what firebase-admin sends
 * with ssl: false) and bypasses rules, so the same request succeeding with it shows that the rules,
 * not the path or a missing document, are what refuse. Swapping in an allow-all rule set at the
 * end shows the refusals come from the content of our rules file.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lineLog } from '../../functions/src/logs';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../stack/emulator';

const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = 'demo-gongjian-rules';
const DATABASE = `projects/${PROJECT}/databases/(default)`;
const DOCUMENTS = `${DATABASE}/documents`;
const ADMIN = 'Bearer owner';

/** The rules file deploys use, as firebase.json names it. */
function deployedRulesPath(): string {
  const firebase = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
    firestore?: { rules?: string };
  };
  const rules = firebase.firestore?.rules;
  if (!rules) throw new Error('firebase.json names no firestore.rules');
  return join(ROOT, rules);
}

/**
 * A Firebase Auth ID token as the emulator accepts it from client SDKs: unsigned (alg none), as
 * @firebase/rules-unit-testing makes them.
 */
function userToken(email: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = {
    iss: `https://securetoken.google.com/${PROJECT}`,
    aud: PROJECT,
    sub: 'user-1',
    user_id: 'user-1',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    email,
    email_verified: true,
    firebase: { sign_in_provider: 'google.com', identities: { email: [email] } },
  };
  return `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

let emulator: FirestoreEmulator | undefined;
let startError: unknown;
const output: string[] = [];

// A failed start is rethrown in every test (a failed beforeAll would report them as skipped).
beforeAll(async () => {
  try {
    emulator = await startFirestoreEmulator({
      projectId: PROJECT,
      rules: deployedRulesPath(),
      log: lineLog((line) => output.push(line)),
    });
  } catch (error) {
    startError = error;
  }
}, 60_000);

beforeEach(async () => {
  if (startError) throw startError;
  await running().reset();
});

afterAll(async () => {
  await emulator?.stop();
}, 30_000);

function running(): FirestoreEmulator {
  if (!emulator) throw new Error('the Firestore emulator is not running');
  return emulator;
}

interface Answer {
  status: number;
  body: { error?: { status?: string; message?: string } } & Record<string, unknown>;
}

async function rest(method: string, path: string, authorization?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(`http://${running().host}/v1/${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Answer['body']) : {} };
}

const planFields = {
  fields: {
    planId: { stringValue: 'x' },
    owner: { stringValue: 'owner@example.cn' },
    editors: { arrayValue: { values: [{ stringValue: 'wangfang@example.cn' }] } },
  },
};
const activityFields = { fields: { hash: { stringValue: 'h' }, row: { integerValue: '2' } } };

/** Every request a client SDK could make against a plan and its records. */
const CLIENT_REQUESTS: { name: string; method: string; path: string; body?: unknown }[] = [
  { name: 'get a plan', method: 'GET', path: `${DOCUMENTS}/plans/x` },
  { name: 'get a record', method: 'GET', path: `${DOCUMENTS}/plans/x/activities/A0001` },
  { name: 'get a missing document', method: 'GET', path: `${DOCUMENTS}/plans/nothing-here` },
  { name: 'list plans', method: 'GET', path: `${DOCUMENTS}/plans` },
  { name: 'list records', method: 'GET', path: `${DOCUMENTS}/plans/x/activities` },
  { name: 'read the statistics', method: 'GET', path: `${DOCUMENTS}/plans/x/stats/current` },
  { name: "read a plan's roll-up summary", method: 'GET', path: `${DOCUMENTS}/plans/x/stats/summary` },
  { name: 'get a district', method: 'GET', path: `${DOCUMENTS}/districts/d` },
  { name: "read a district's roll-up state", method: 'GET', path: `${DOCUMENTS}/districts/d/rollup/current` },
  {
    name: 'make oneself a district viewer',
    method: 'PATCH',
    path: `${DOCUMENTS}/districts/d?updateMask.fieldPaths=viewers`,
    body: { fields: { viewers: { arrayValue: { values: [{ stringValue: 'intruder@example.cn' }] } } } },
  },
  {
    name: 'query a collection group',
    method: 'POST',
    path: `${DOCUMENTS}:runQuery`,
    body: { structuredQuery: { from: [{ collectionId: 'activities', allDescendants: true }] } },
  },
  {
    name: 'create a plan (PATCH)',
    method: 'PATCH',
    path: `${DOCUMENTS}/plans/created-by-client`,
    body: planFields,
  },
  {
    name: 'overwrite a plan to make oneself its owner',
    method: 'PATCH',
    path: `${DOCUMENTS}/plans/x?updateMask.fieldPaths=owner`,
    body: { fields: { owner: { stringValue: 'intruder@example.cn' } } },
  },
  {
    name: 'create a record (POST)',
    method: 'POST',
    path: `${DOCUMENTS}/plans/x/activities?documentId=A9999`,
    body: activityFields,
  },
  { name: 'delete a record', method: 'DELETE', path: `${DOCUMENTS}/plans/x/activities/A0001` },
  {
    name: 'write through a commit',
    method: 'POST',
    path: `${DOCUMENTS}:commit`,
    body: { writes: [{ update: { name: `${DOCUMENTS}/plans/x/stats/current`, fields: {} } }] },
  },
];

/** A plan with one record, written as admin; returns every document's update time. */
async function seed(): Promise<Map<string, string>> {
  for (const [path, body] of [
    ['plans/x', planFields],
    ['plans/x/activities/A0001', activityFields],
    ['plans/x/stats/current', { fields: { asOf: { stringValue: '2026-12-31' } } }],
    ['plans/x/stats/summary', { fields: { asOf: { stringValue: '2026-12-31' } } }],
    ['districts/d', { fields: { name: { stringValue: '和平街道' } } }],
    ['districts/d/rollup/current', { fields: { generation: { integerValue: '1' } } }],
  ] as const) {
    const answer = await rest('PATCH', `${DOCUMENTS}/${path}`, ADMIN, body);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  return snapshot();
}

/** Every document in the database (as admin), by name, with its update time. */
async function snapshot(): Promise<Map<string, string>> {
  const answer = await rest('POST', `${DOCUMENTS}:runQuery`, ADMIN, {
    structuredQuery: { from: [{ allDescendants: true }] },
  });
  expect(answer.status).toBe(200);
  const results = answer.body as unknown as { document?: { name: string; updateTime: string } }[];
  return new Map(results.flatMap(({ document }) => (document ? [[document.name, document.updateTime]] : [])));
}

describe('the deployed rules refuse every client', () => {
  it('firebase.json names firestore.rules, the file this emulator was started with', () => {
    expect(deployedRulesPath()).toBe(join(ROOT, 'firestore.rules'));
    expect(readFileSync(deployedRulesPath(), 'utf8')).toMatch(/rules_version\s*=\s*'2'/);
  });

  const clients = [
    { client: 'anonymous', authorization: undefined },
    { client: 'signed in as a stranger', authorization: userToken('stranger@example.cn') },
    { client: "signed in as the plan's owner", authorization: userToken('owner@example.cn') },
  ];

  it.each(clients)(
    '$client: every read and write is 403 PERMISSION_DENIED, nothing changes',
    async ({ authorization }) => {
      const before = await seed();
      for (const request of CLIENT_REQUESTS) {
        const answer = await rest(request.method, request.path, authorization, request.body);
        expect({ request: request.name, status: answer.status, code: answer.body.error?.status }).toEqual({
          request: request.name,
          status: 403,
          code: 'PERMISSION_DENIED',
        });
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it('the same requests with the admin credential succeed, so the rules are what refuse', async () => {
    await seed();
    for (const request of CLIENT_REQUESTS) {
      const answer = await rest(request.method, request.path, ADMIN, request.body);
      const expected = request.name === 'get a missing document' ? 404 : 200;
      expect({ request: request.name, status: answer.status }).toEqual({
        request: request.name,
        status: expected,
      });
    }
    const names = [...(await snapshot()).keys()].map((name) => name.slice(DOCUMENTS.length + 1));
    expect(names.sort()).toEqual(
      [
        'plans/created-by-client',
        'plans/x',
        'plans/x/activities/A9999',
        'plans/x/stats/current',
        'plans/x/stats/summary',
        'districts/d',
        'districts/d/rollup/current',
      ].sort(),
    );
  });

  it('with other rules swapped in, the same clients get through (then ours go back)', async () => {
    const setRules = async (content: string) => {
      const response = await fetch(`http://${running().host}/emulator/v1/projects/${PROJECT}:securityRules`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content }] } }),
      });
      expect(response.status, await response.text()).toBe(200);
    };
    const rulesAllowing = (condition: string) =>
      "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n" +
      `    match /{document=**} { allow read, write: if ${condition}; }\n  }\n}\n`;
    const ours = readFileSync(deployedRulesPath(), 'utf8');
    try {
      // Allow-all: the refusals above come from our rules' content, not from the emulator.
      await setRules(rulesAllowing('true'));
      await seed();
      expect((await rest('GET', `${DOCUMENTS}/plans/x`)).status).toBe(200);
      expect(
        (await rest('PATCH', `${DOCUMENTS}/plans/created-by-client`, undefined, planFields)).status,
      ).toBe(200);
      // Signed-in only: the user tokens above are taken as signed-in users, not as anonymous.
      await setRules(rulesAllowing("request.auth.token.email == 'owner@example.cn'"));
      expect((await rest('GET', `${DOCUMENTS}/plans/x`, userToken('owner@example.cn'))).status).toBe(200);
      expect((await rest('GET', `${DOCUMENTS}/plans/x`, userToken('stranger@example.cn'))).status).toBe(403);
      expect((await rest('GET', `${DOCUMENTS}/plans/x`)).status).toBe(403);
    } finally {
      await setRules(ours);
    }
    const refused = await rest('GET', `${DOCUMENTS}/plans/x`, userToken('owner@example.cn'));
    expect({ status: refused.status, code: refused.body.error?.status }).toEqual({
      status: 403,
      code: 'PERMISSION_DENIED',
    });
  });
});
