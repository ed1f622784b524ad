/**
 * Update-request links against the real Firestore emulator: the token is never stored (only its
 * hash), links expire and can be revoked, and anything else opens nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../functions/src/logs';
import {
  KEPT_AFTER_EXPIRY_DAYS,
  type LinkDeps,
  linkUrl,
  logLinkUse,
  mintLink,
  revokeLinks,
  tokenHash,
  verifyLink,
} from '../../../functions/src/requests/links';
import {
  LINK_USES_COLLECTION,
  RATE_LIMITS_COLLECTION,
  REQUEST_LINKS_COLLECTION,
} from '../../../functions/src/store/paths';
import { refusingBulkWriteTo, useFirestoreEmulator } from '../../support/firestore';

const DAY_MS = 86_400_000;

describe('request links', () => {
  const emulator = useFirestoreEmulator('links', { reset: true });
  let clock = new Date('2026-06-01T08:00:00Z');
  const deps = (): LinkDeps => ({ db: emulator.firestore(), now: () => clock });
  const partnerLink = {
    planId: 'plan-a',
    email: 'Liaison@School.cn',
    name: '王老师',
    scope: { kind: 'partner', partnerId: 'P3' },
    validDays: 30,
  } as const;

  it('mints a 256-bit token, stores only its SHA-256, and opens the link it was minted for', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const { token, expiresAt } = await mintLink(deps(), { ...partnerLink, requestId: 'req-1' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(expiresAt).toBe('2026-07-01T08:00:00.000Z');

    const stored = await emulator.firestore().collection('requestLinks').get();
    expect(stored.docs.map((d) => d.id)).toEqual([tokenHash(token)]);
    // Nowhere in the stored document does the token appear.
    expect(JSON.stringify(stored.docs[0]?.data())).not.toContain(token);

    const verdict = await verifyLink(deps(), token);
    expect(verdict).toMatchObject({
      ok: true,
      link: {
        planId: 'plan-a',
        email: 'liaison@school.cn',
        name: '王老师',
        scope: { kind: 'partner', partnerId: 'P3' },
        requestId: 'req-1',
      },
    });
  });

  it('two mints give two different tokens', async () => {
    const a = await mintLink(deps(), partnerLink);
    const b = await mintLink(deps(), partnerLink);
    expect(a.token).not.toBe(b.token);
  });

  it('expires at validDays, to the millisecond', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const { token } = await mintLink(deps(), { ...partnerLink, validDays: 2 });
    clock = new Date(clock.getTime() + 2 * DAY_MS - 1);
    expect((await verifyLink(deps(), token)).ok).toBe(true);
    clock = new Date(clock.getTime() + 1);
    expect(await verifyLink(deps(), token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('revokes every live link of one person in one plan, and only theirs', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const first = await mintLink(deps(), partnerLink);
    const second = await mintLink(deps(), {
      ...partnerLink,
      scope: { kind: 'owner', ownerEmail: 'liaison@school.cn' },
    });
    const otherPerson = await mintLink(deps(), { ...partnerLink, email: 'other@school.cn' });
    const otherPlan = await mintLink(deps(), { ...partnerLink, planId: 'plan-b' });

    expect(await revokeLinks(deps(), { planId: 'plan-a', email: ' LIAISON@school.cn' })).toBe(2);
    expect(await verifyLink(deps(), first.token)).toEqual({ ok: false, reason: 'revoked' });
    expect(await verifyLink(deps(), second.token)).toEqual({ ok: false, reason: 'revoked' });
    expect((await verifyLink(deps(), otherPerson.token)).ok).toBe(true);
    expect((await verifyLink(deps(), otherPlan.token)).ok).toBe(true);
    // Revoking again finds nothing live.
    expect(await revokeLinks(deps(), { planId: 'plan-a', email: 'liaison@school.cn' })).toBe(0);
  });

  it('revokes a link sent to several addresses by any of them, in that plan only', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const sentTo = ['liaison@school.cn', 'Office@School.cn ', 'leader@city.gov.cn'];
    const digest = await mintLink(deps(), { ...partnerLink, sentTo });
    const otherPlan = await mintLink(deps(), { ...partnerLink, planId: 'plan-b', sentTo });
    const stored = await emulator.firestore().collection('requestLinks').doc(tokenHash(digest.token)).get();
    expect(stored.get('email')).toBe('liaison@school.cn');
    expect(stored.get('emails')).toEqual(['liaison@school.cn', 'office@school.cn', 'leader@city.gov.cn']);

    expect(await revokeLinks(deps(), { planId: 'plan-a', email: 'OFFICE@school.cn' })).toBe(1);
    expect(await verifyLink(deps(), digest.token)).toEqual({ ok: false, reason: 'revoked' });
    expect((await verifyLink(deps(), otherPlan.token)).ok).toBe(true);
    // Found by both its bound and its sent-to address, a link is still revoked once.
    expect(await revokeLinks(deps(), { planId: 'plan-b', email: 'liaison@school.cn' })).toBe(1);
  });

  it('fails a revocation that did not land, and says so in a named log event', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const first = await mintLink(deps(), partnerLink);
    const second = await mintLink(deps(), partnerLink);
    const events: LogEvent[] = [];
    const refusing: LinkDeps = {
      db: refusingBulkWriteTo(emulator.firestore(), `${REQUEST_LINKS_COLLECTION}/${tokenHash(first.token)}`),
      now: () => clock,
      log: (event) => events.push(event),
    };
    const outcome = await revokeLinks(refusing, { planId: 'plan-a', email: 'liaison@school.cn' }).then(
      () => 'resolved',
      (error: unknown) => String(error),
    );
    expect(outcome).toContain('撤销链接未全部生效：1 / 2');
    expect(events.map((e) => [e.event, e.fields.failed])).toEqual([['links_revoke_failed', 1]]);
    // The other write went through; revoking again finishes the job.
    expect(await verifyLink(deps(), second.token)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('a forged, altered or malformed token opens nothing', async () => {
    const { token } = await mintLink(deps(), partnerLink);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    for (const forged of [
      `${token.slice(0, -1)}${last}`,
      token.slice(1),
      `${token}A`,
      '',
      '../x',
      tokenHash(token),
    ]) {
      expect(await verifyLink(deps(), forged), forged).toEqual({ ok: false, reason: 'unknown' });
    }
  });

  it('logs each use under the link', async () => {
    const { token } = await mintLink(deps(), partnerLink);
    const verdict = await verifyLink(deps(), token);
    if (!verdict.ok) throw new Error('link should open');
    await logLinkUse(deps(), verdict.link, { kind: 'view', address: '203.0.113.9' });
    await logLinkUse(deps(), verdict.link, { kind: 'submit', submissionId: 'k1', what: { title: '义诊' } });
    const uses = await emulator
      .firestore()
      .collection('requestLinks')
      .doc(tokenHash(token))
      .collection('uses')
      .get();
    expect(
      uses.docs.map((d) => d.data()).sort((a, b) => String(a.kind).localeCompare(String(b.kind))),
    ).toEqual([
      {
        at: clock.toISOString(),
        planId: 'plan-a',
        kind: 'submit',
        submissionId: 'k1',
        what: { title: '义诊' },
        deleteAt: expect.any(Timestamp),
      },
      {
        at: clock.toISOString(),
        planId: 'plan-a',
        kind: 'view',
        address: '203.0.113.9',
        deleteAt: expect.any(Timestamp),
      },
    ]);
  });

  it('a link and its uses carry the TTL field, KEPT_AFTER_EXPIRY_DAYS after the link expires', async () => {
    clock = new Date('2026-06-01T08:00:00Z');
    const { token, expiresAt } = await mintLink(deps(), { ...partnerLink, validDays: 30 });
    const verdict = await verifyLink(deps(), token);
    if (!verdict.ok) throw new Error('link should open');
    // A use weeks later is deleted with its link, not counted from its own time.
    clock = new Date('2026-06-29T08:00:00Z');
    await logLinkUse(deps(), verdict.link, { kind: 'view' });
    const deleteAt = Date.parse(expiresAt) + KEPT_AFTER_EXPIRY_DAYS * DAY_MS;
    expect(new Date(deleteAt).toISOString()).toBe('2026-12-28T08:00:00.000Z');
    const link = emulator.firestore().collection('requestLinks').doc(tokenHash(token));
    expect(((await link.get()).get('deleteAt') as Timestamp).toMillis()).toBe(deleteAt);
    const uses = await link.collection('uses').get();
    expect(uses.docs.map((d) => (d.get('deleteAt') as Timestamp).toMillis())).toEqual([deleteAt]);
  });

  it('firestore.indexes.json declares the TTL policies on the links, their uses and the rate-limit counters', () => {
    const indexes = JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../firestore.indexes.json'), 'utf8'),
    ) as {
      fieldOverrides?: { collectionGroup: string; fieldPath: string; ttl?: boolean; indexes: unknown[] }[];
    };
    const ttl = indexes.fieldOverrides?.filter((override) => override.ttl) ?? [];
    for (const collectionGroup of [REQUEST_LINKS_COLLECTION, LINK_USES_COLLECTION, RATE_LIMITS_COLLECTION]) {
      // Not indexed: nothing queries it.
      expect(ttl).toContainEqual({ collectionGroup, fieldPath: 'deleteAt', ttl: true, indexes: [] });
    }
  });

  it('linkUrl puts the token under /r/ whatever the base ends with', () => {
    expect(linkUrl('https://form.example.cn/', 'abc')).toBe('https://form.example.cn/r/abc');
    expect(linkUrl('http://127.0.0.1:5002/gongjian/form', 'abc')).toBe(
      'http://127.0.0.1:5002/gongjian/form/r/abc',
    );
  });
});
