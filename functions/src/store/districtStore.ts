/**
 * Districts in Firestore (§13): a district's document, the one-district-per-plan membership, and
 * the state of its roll-up (districts/refresh.ts says how that state coalesces recomputations).
 * Only this module reads and writes them; plans' summaries are PlanStore's.
 *
 * What it guarantees:
 * - **A plan belongs to at most one district.** Membership is a document per plan
 *   (`districtMembers/{planId}`), created and deleted in the same transaction that changes the
 *   district's list of plans: two admins adding one plan to two districts at once cannot both
 *   succeed, and the list and the memberships never disagree.
 * - **A recomputation is claimed, and every change after it is seen.** `markChanged` moves the
 *   roll-up's generation, then takes the lease if no live holder has it (a write conditional on
 *   the state being as read); `finishRecompute` releases the lease only if the generation has not
 *   moved since the holder read it, else it hands the holder the new generation to compute. So a change either precedes
 *   the holder's last check (it computes again) or follows the release (its own caller holds the
 *   next lease) — never lost, and never two holders while the lease lives.
 */
import {
  type DocumentReference,
  FieldValue,
  type Firestore,
  type Transaction,
} from 'firebase-admin/firestore';
import * as z from 'zod';
import type { ApiErrorCode } from '../../../shared/apiErrors';
import type { DistrictCreateRequest, DistrictPeopleRequest } from '../../../shared/districtApi';
import { GongjianError } from '../../../shared/errors';
import { GRPC_STATUS, hasGrpcStatus } from './grpcStatus';
import {
  CURRENT_DOC,
  DISTRICT_MEMBERS_COLLECTION,
  DISTRICTS_COLLECTION,
  planRef,
  ROLLUP_COLLECTION,
} from './paths';
import { WorkbookLocation } from './planStore';

export const DistrictDoc = z.object({
  districtId: z.string(),
  name: z.string(),
  /** Member plans, in the order they were added (the roll-up's order). */
  plans: z.array(z.string()),
  /** Lower-cased emails of the 街道 leaders who read the roll-up and nothing else. */
  viewers: z.array(z.string()),
  /** Lower-cased emails of those who may change the district. */
  admins: z.array(z.string()),
  timezone: z.string(),
  workbook: WorkbookLocation.optional(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type DistrictDoc = z.infer<typeof DistrictDoc>;

/** The roll-up's state: generations asked for and computed, the lease, and what it was computed from. */
export const RollupState = z.object({
  /** Moved by every change a roll-up must reflect (a member's summary saved, a member added or removed). */
  generation: z.number().int(),
  /** The generation the last finished recomputation read. */
  computedGeneration: z.number().int(),
  leaseHolder: z.string(),
  /** Epoch ms; 0 or past: nobody is recomputing. */
  leaseExpiresAt: z.number(),
  recomputations: z.number().int(),
  computedAt: z.string(),
  /** Each member's summary version the last recomputation used (absent: no summary yet). */
  basis: z.record(z.string(), z.object({ inputVersion: z.number(), asOf: z.string() })),
});
export type RollupState = z.infer<typeof RollupState>;

const EMPTY_STATE: RollupState = {
  generation: 0,
  computedGeneration: 0,
  leaseHolder: '',
  leaseExpiresAt: 0,
  recomputations: 0,
  computedAt: '',
  basis: {},
};

/** The stored state, or the empty one; a state created by a bare generation increment has only that field. */
function stateOf(data: unknown): RollupState {
  return data === undefined ? EMPTY_STATE : RollupState.parse({ ...EMPTY_STATE, ...(data as object) });
}

/** Districts, their members and their roll-up state in Firestore. */
export class DistrictStore {
  /** Documents read (each get, each document of a getAll): the benchmark's count. */
  documentReads = 0;

  constructor(private readonly db: Firestore) {}

  private district(districtId: string): DocumentReference {
    return this.db.collection(DISTRICTS_COLLECTION).doc(districtId);
  }

  private member(planId: string): DocumentReference {
    return this.db.collection(DISTRICT_MEMBERS_COLLECTION).doc(planId);
  }

  private state(districtId: string): DocumentReference {
    return this.district(districtId).collection(ROLLUP_COLLECTION).doc(CURRENT_DOC);
  }

  async getDistrict(districtId: string): Promise<DistrictDoc | undefined> {
    const snapshot = await this.district(districtId).get();
    this.documentReads += 1;
    return snapshot.exists ? DistrictDoc.parse(snapshot.data()) : undefined;
  }

  /** Every district's ID (the sweeper's list). */
  async districtIds(): Promise<string[]> {
    const snapshot = await this.db.collection(DISTRICTS_COLLECTION).select().get();
    this.documentReads += snapshot.size;
    return snapshot.docs.map((doc) => doc.id);
  }

  /** The district a plan belongs to, if any: one small read. */
  async districtOf(planId: string): Promise<string | undefined> {
    const snapshot = await this.member(planId).get();
    this.documentReads += 1;
    return snapshot.exists ? String(snapshot.get('districtId')) : undefined;
  }

  async getState(districtId: string): Promise<RollupState> {
    const snapshot = await this.state(districtId).get();
    this.documentReads += 1;
    return stateOf(snapshot.data());
  }

  /** Creates a district with no plans; refuses (409) if the ID is taken. */
  async create(
    districtId: string,
    request: DistrictCreateRequest,
    by: string,
    now: Date,
    workbook?: WorkbookLocation,
  ): Promise<DistrictDoc> {
    const doc: DistrictDoc = {
      districtId,
      name: request.name,
      plans: [],
      viewers: [...new Set(request.viewers)],
      admins: [...new Set(request.admins)],
      timezone: request.timezone,
      ...(workbook ? { workbook } : {}),
      createdAt: now.toISOString(),
      createdBy: by,
    };
    try {
      await this.district(districtId).create(doc);
    } catch (error) {
      if (hasGrpcStatus(error, GRPC_STATUS.ALREADY_EXISTS)) throw districtExists(districtId);
      throw error;
    }
    return doc;
  }

  /**
   * Adds a stored plan to the district, unless it belongs to another one (409); adding a member
   * again changes nothing. Moves the roll-up's generation in the same transaction.
   */
  async addPlan(districtId: string, planId: string): Promise<DistrictDoc> {
    return this.db.runTransaction(async (tx) => {
      const [districtSnap, memberSnap, planSnap, stateSnap] = await Promise.all([
        tx.get(this.district(districtId)),
        tx.get(this.member(planId)),
        tx.get(planRef(this.db, planId)),
        tx.get(this.state(districtId)),
      ]);
      if (!districtSnap.exists) throw unknownDistrict();
      const district = DistrictDoc.parse(districtSnap.data());
      if (!planSnap.exists) throw new DistrictRefusal('unknown_plan', '找不到这个共建计划', 'Unknown plan');
      const current = memberSnap.exists ? String(memberSnap.get('districtId')) : undefined;
      if (current !== undefined && current !== districtId) throw inOtherDistrict(planId, current);
      if (district.plans.includes(planId)) return district;
      const updated = { ...district, plans: [...district.plans, planId] };
      tx.set(this.member(planId), { districtId, planId });
      tx.set(this.district(districtId), updated);
      bump(tx, this.state(districtId), stateOf(stateSnap.data()));
      return updated;
    });
  }

  /** Removes a plan from the district (a plan not in it: nothing changes). */
  async removePlan(districtId: string, planId: string): Promise<DistrictDoc> {
    return this.db.runTransaction(async (tx) => {
      const [districtSnap, memberSnap, stateSnap] = await Promise.all([
        tx.get(this.district(districtId)),
        tx.get(this.member(planId)),
        tx.get(this.state(districtId)),
      ]);
      if (!districtSnap.exists) throw unknownDistrict();
      const district = DistrictDoc.parse(districtSnap.data());
      if (!district.plans.includes(planId)) return district;
      const updated = { ...district, plans: district.plans.filter((id) => id !== planId) };
      if (memberSnap.exists && memberSnap.get('districtId') === districtId) tx.delete(this.member(planId));
      tx.set(this.district(districtId), updated);
      bump(tx, this.state(districtId), stateOf(stateSnap.data()));
      return updated;
    });
  }

  /**
   * Adds and removes viewers and admins in one transaction (two admins editing at once both land).
   * The roll-up's figures do not depend on who reads them: its generation does not move.
   */
  async changePeople(districtId: string, change: DistrictPeopleRequest): Promise<DistrictDoc> {
    return this.db.runTransaction(async (tx) => {
      const snapshot = await tx.get(this.district(districtId));
      if (!snapshot.exists) throw unknownDistrict();
      const district = DistrictDoc.parse(snapshot.data());
      const edit = (people: readonly string[], add: readonly string[], remove: readonly string[]) =>
        [...new Set([...people, ...add])].filter((email) => !remove.includes(email));
      const updated: DistrictDoc = {
        ...district,
        viewers: edit(district.viewers, change.addViewers, change.removeViewers),
        admins: edit(district.admins, change.addAdmins, change.removeAdmins),
      };
      tx.set(this.district(districtId), updated);
      return updated;
    });
  }

  /**
   * Binds the district's roll-up to a Google Sheet (in place of any earlier workbook) and moves the
   * roll-up's generation in the same transaction, so the next recomputation writes the sheet.
   */
  async bindSheet(districtId: string, spreadsheetId: string): Promise<DistrictDoc> {
    return this.db.runTransaction(async (tx) => {
      const [snapshot, stateSnap] = await Promise.all([
        tx.get(this.district(districtId)),
        tx.get(this.state(districtId)),
      ]);
      if (!snapshot.exists) throw unknownDistrict();
      const updated: DistrictDoc = {
        ...DistrictDoc.parse(snapshot.data()),
        workbook: { kind: 'sheets', spreadsheetId },
      };
      tx.set(this.district(districtId), updated);
      bump(tx, this.state(districtId), stateOf(stateSnap.data()));
      return updated;
    });
  }

  /**
   * Records a change the roll-up must reflect and claims the recomputation for `holder` if nobody
   * holds it (or the holder's lease ran out). Returns the generation to compute when claimed.
   * The generation moves by a blind increment: a hundred members changing at once must not queue
   * for one document's lock. A caller that then sees the lease held leaves the change to the
   * holder, whose finishing write is conditional on the document being as it read it — so it
   * either saw this increment or released the lease before it, which this caller's read then saw.
   */
  async markChanged(
    districtId: string,
    holder: string,
    now: number,
    leaseMs: number,
  ): Promise<number | undefined> {
    await this.state(districtId).set({ generation: FieldValue.increment(1) }, { merge: true });
    return this.compareAndSet(districtId, (state) =>
      state.leaseExpiresAt > now
        ? { result: undefined }
        : { result: state.generation, write: { leaseHolder: holder, leaseExpiresAt: now + leaseMs } },
    );
  }

  /**
   * Claims a recomputation of a district whose roll-up is behind its generation and whose lease is
   * free (the sweeper: the holder died). Returns the generation to compute when claimed.
   */
  async claimBehind(
    districtId: string,
    holder: string,
    now: number,
    leaseMs: number,
  ): Promise<number | undefined> {
    return this.compareAndSet(districtId, (state) =>
      state.leaseExpiresAt > now || state.computedGeneration >= state.generation
        ? { result: undefined }
        : { result: state.generation, write: { leaseHolder: holder, leaseExpiresAt: now + leaseMs } },
    );
  }

  /**
   * Ends one recomputation of `generation` by `holder`: records it, and releases the lease unless
   * the generation moved meanwhile — then returns the new generation, which the holder computes
   * next (its lease renewed). A holder whose lease was taken over records nothing more.
   */
  async finishRecompute(
    districtId: string,
    holder: string,
    generation: number,
    basis: RollupState['basis'],
    now: Date,
    leaseMs: number,
  ): Promise<number | undefined> {
    return this.compareAndSet(districtId, (state) => {
      const recorded: Partial<RollupState> = {
        recomputations: state.recomputations + 1,
        ...(generation > state.computedGeneration
          ? { computedGeneration: generation, basis, computedAt: now.toISOString() }
          : {}),
      };
      if (state.leaseHolder !== holder) return { result: undefined, write: recorded };
      if (state.generation > generation) {
        return {
          result: state.generation,
          write: { ...recorded, leaseExpiresAt: now.getTime() + leaseMs },
        };
      }
      return { result: undefined, write: { ...recorded, leaseHolder: '', leaseExpiresAt: 0 } };
    });
  }

  /**
   * Reads the roll-up's state, decides, and writes the decision only if the document is still as
   * read (its update time as a precondition), else reads again: optimistic, so a burst of blind
   * increments never waits on a lock, and no decision is made on a state that has moved.
   */
  private async compareAndSet<T>(
    districtId: string,
    decide: (state: RollupState) => { result: T; write?: Partial<RollupState> },
  ): Promise<T> {
    const ref = this.state(districtId);
    for (;;) {
      const snapshot = await ref.get();
      this.documentReads += 1;
      const { result, write } = decide(stateOf(snapshot.data()));
      if (write === undefined) return result;
      try {
        if (snapshot.updateTime === undefined) await ref.create({ ...EMPTY_STATE, ...write });
        else await ref.update(write, { lastUpdateTime: snapshot.updateTime });
        return result;
      } catch (error) {
        // Changed (or created) since read: decide again on what is there now.
        if (!hasGrpcStatus(error, GRPC_STATUS.FAILED_PRECONDITION, GRPC_STATUS.ALREADY_EXISTS)) throw error;
      }
    }
  }
}

/** Moves the roll-up's generation inside a transaction that changed the district. */
function bump(tx: Transaction, ref: DocumentReference, state: RollupState): void {
  tx.set(ref, { ...state, generation: state.generation + 1 });
}

/** A district change refused; the API answers it with its code's status (shared/apiErrors.ts). */
export class DistrictRefusal extends GongjianError<
  Extract<
    ApiErrorCode,
    | 'unknown_district'
    | 'district_exists'
    | 'plan_in_other_district'
    | 'unknown_plan'
    | 'district_sheet_unreachable'
    | 'district_sheet_is_plan'
  >
> {
  override readonly name = 'DistrictRefusal';
}

export function unknownDistrict(): DistrictRefusal {
  return new DistrictRefusal('unknown_district', '找不到这个街道（辖区）', 'Unknown district');
}

function districtExists(districtId: string): DistrictRefusal {
  return new DistrictRefusal(
    'district_exists',
    `街道「${districtId}」已存在`,
    `District "${districtId}" exists already`,
  );
}

function inOtherDistrict(planId: string, other: string): DistrictRefusal {
  return new DistrictRefusal(
    'plan_in_other_district',
    `计划「${planId}」已属于街道「${other}」：一个计划只能属于一个街道，请先从那里移出`,
    `Plan "${planId}" belongs to district "${other}": a plan belongs to one district at most; remove it there first`,
  );
}
