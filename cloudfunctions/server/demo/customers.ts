import type { Customer, CustomerSource } from '@xiaoer/shared/domain/customer';
import type { Message } from '@xiaoer/shared/domain/conversation';
import type { Order } from '@xiaoer/shared/domain/commerce';
import { addDays } from '@xiaoer/shared/domain/time';
import { customerTotals } from '@xiaoer/shared/usecases/orders/facts';
import { DEMO_MERCHANT_ID } from './catalog';
import type { CounterLog } from './counters';
import { customerExt } from './ids';
import { CORPORATE_NAMES, GIVEN_NAMES, NICKNAMES, PHONE_PREFIXES, SOURCE_STATES, STAFF_WECOM_USERIDS, SURNAMES } from './people';
import type { Rng } from './prng';
import { ACTIVITY_DAYS, CHAT_HOURS, CUSTOMER_DAYS, DAY, HOUR, MIN, weekday, type DemoCalendar } from './time';

const CUSTOMER_COUNT = 200;

const SOURCES: [CustomerSource, number][] = [
  ['kf', 32],
  ['contact_way', 22],
  ['qr', 20],
  ['campaign', 8],
  ['referral', 10],
  ['search', 8],
];

/** A demo customer while the data is made: what they are like decides what they ask and order. */
export interface Person {
  ext: string;
  name: string;
  phone?: string;
  source: CustomerSource;
  sourceState?: string;
  followUserId?: string;
  createdAt: number;
  regular: boolean;
  member: boolean;
  student: boolean;
  corporate: boolean;
  fruit: boolean;
  lessSugar: boolean;
  lostAt?: number;
}

/** Customers first seen over the last 90 days (a handful a day in the last 30), a few of whom left since. */
export function createPeople(rng: Rng, cal: DemoCalendar, anchor: number): Person[] {
  const createdAts = firstSeenTimes(rng, cal, anchor);
  const names = new NameBook(rng);
  const corporateIdx = new Set(
    rng
      .shuffle(createdAts.map((t, i) => ({ t, i })).filter((x) => x.t < anchor - 20 * DAY))
      .slice(0, CORPORATE_NAMES.length)
      .map((x) => x.i),
  );
  let corporateNo = 0;
  const people = createdAts.map((createdAt, i) => describePerson(rng, names, anchor, createdAt, i, corporateIdx.has(i) ? CORPORATE_NAMES[corporateNo++] : undefined));
  markLost(rng, cal, anchor, people);
  return people;
}

function firstSeenTimes(rng: Rng, cal: DemoCalendar, anchor: number): number[] {
  const createdAts: number[] = [];
  for (let k = ACTIVITY_DAYS - 1; k >= 0; k--) {
    const d = addDays(cal.today, -k);
    const wd = weekday(d);
    let n = wd === 0 || wd === 6 ? rng.int(3, 5) : rng.int(1, 3);
    const until = k === 0 ? anchor - 25 * MIN : cal.dayStart(d) + DAY;
    if (k === 0) n = Math.max(1, Math.round(n * cal.shareBefore(d, CHAT_HOURS, until)));
    for (let i = 0; i < n; i++) {
      const t = cal.sampleInstant(d, CHAT_HOURS, until);
      if (t !== null) createdAts.push(t);
    }
  }
  while (createdAts.length < CUSTOMER_COUNT) {
    const d = addDays(cal.today, -rng.int(ACTIVITY_DAYS, CUSTOMER_DAYS - 1));
    createdAts.push(cal.sampleInstant(d, CHAT_HOURS, Infinity)!);
  }
  return createdAts.sort((a, b) => a - b);
}

/** Names and phone numbers, none used twice. */
class NameBook {
  private readonly usedNames = new Set<string>();
  private readonly usedPhones = new Set<string>();
  private readonly nicknames: string[];

  constructor(private readonly rng: Rng) {
    this.nicknames = rng.shuffle(NICKNAMES);
  }

  /** Office buyers go by their company and always leave a number; others by a real name or a nickname. */
  next(corporateName: string | undefined): { name: string; hasPhone: boolean } {
    const { rng } = this;
    let name: string;
    let hasPhone: boolean;
    if (corporateName !== undefined) {
      name = corporateName;
      hasPhone = true;
    } else if (rng.chance(0.38) || !this.nicknames.length) {
      name = this.realName();
      hasPhone = rng.chance(0.6);
    } else {
      name = this.nicknames.pop()!;
      hasPhone = rng.chance(0.3);
    }
    this.usedNames.add(name);
    return { name, hasPhone };
  }

  private realName(): string {
    for (;;) {
      const n = this.rng.pick(SURNAMES) + this.rng.pick(GIVEN_NAMES);
      if (!this.usedNames.has(n)) return n;
    }
  }

  phone(): string {
    for (;;) {
      let p = this.rng.pick(PHONE_PREFIXES);
      for (let i = 0; i < 8; i++) p += String(this.rng.int(0, 9));
      if (!this.usedPhones.has(p)) {
        this.usedPhones.add(p);
        return p;
      }
    }
  }
}

function describePerson(rng: Rng, names: NameBook, anchor: number, createdAt: number, i: number, corporateName: string | undefined): Person {
  const source = rng.weighted(SOURCES, (s) => s[1])[0];
  let sourceState: string | undefined;
  if (source === 'contact_way' || source === 'qr' || source === 'campaign') sourceState = rng.pick(SOURCE_STATES[source]);
  if (source === 'referral' && i > 0) sourceState = `ref:${customerExt(rng.int(1, i))}`;
  const followUserId = source === 'kf' || source === 'search' ? undefined : rng.pick(STAFF_WECOM_USERIDS);
  const corporate = corporateName !== undefined;
  const old = createdAt < anchor - 21 * DAY;
  const regular = !corporate && old && rng.chance(0.3);
  const student = !corporate && (sourceState === 'student-week' || rng.chance(0.12));
  const { name, hasPhone } = names.next(corporateName);
  return {
    ext: customerExt(i + 1),
    name,
    phone: hasPhone ? names.phone() : undefined,
    source,
    sourceState,
    followUserId,
    createdAt,
    regular,
    member: corporate || (regular ? rng.chance(0.85) : rng.chance(0.3)),
    student,
    corporate,
    fruit: rng.chance(0.35),
    lessSugar: rng.chance(0.28),
  };
}

/** A few customers who left (deleted the contact) within the last month. */
function markLost(rng: Rng, cal: DemoCalendar, anchor: number, people: Person[]): void {
  const candidates = rng.shuffle(people.filter((p) => !p.regular && !p.corporate && p.source !== 'kf' && p.source !== 'search' && p.createdAt < anchor - 20 * DAY));
  let left = 5;
  for (const p of candidates) {
    if (!left) break;
    const d = addDays(cal.today, -rng.int(2, 26));
    const t = cal.sampleInstant(d, CHAT_HOURS, anchor - HOUR);
    if (t === null || t < p.createdAt + 7 * DAY) continue;
    p.lostAt = t;
    left--;
  }
}

/** Whether the customer can chat or order at `t`: known by then, and not about to leave. */
export const isActive = (p: Person, t: number) => p.createdAt < t - 30 * MIN && !(p.lostAt !== undefined && t > p.lostAt - DAY);

function tagsOf(p: Person, anchor: number): string[] {
  const tags: string[] = [];
  if (p.regular) tags.push('常客');
  if (p.createdAt >= anchor - 14 * DAY) tags.push('新客');
  if (p.member) tags.push('会员');
  if (p.fruit) tags.push('爱喝果茶');
  if (p.lessSugar) tags.push('少糖党');
  if (p.corporate) tags.push('企业团购');
  if (p.student) tags.push('学生');
  return tags;
}

/** The customer rows, their totals taken from their orders and chats. */
export function customerRows(
  people: Person[],
  orders: Order[],
  threads: Map<string, Message[]>,
  lastCustomerMsg: Map<string, number>,
  counters: CounterLog,
  anchor: number,
): Customer[] {
  const ordersOf = new Map<string, Order[]>();
  for (const o of orders) ordersOf.set(o.externalUserId!, [...(ordersOf.get(o.externalUserId!) ?? []), o]);
  return people.map((p) => {
    const os = ordersOf.get(p.ext) ?? [];
    // the order webhook's own totals, so a replayed order event leaves the customer as seeded
    const { totalSpentFen, orderCount, firstOrderAt, lastOrderAt, categories } = customerTotals(os);
    const lastMessageAt = lastCustomerMsg.get(p.ext);
    const tags = tagsOf(p, anchor);
    counters.inc('newCustomers', p.createdAt, `demo:new:${p.ext}`);
    if (p.lostAt !== undefined) counters.inc('lostCustomers', p.lostAt, `demo:lost:${p.ext}`);
    const threadEnd = threads.get(p.ext)?.at(-1)?.at;
    return {
      merchantId: DEMO_MERCHANT_ID,
      externalUserId: p.ext,
      name: p.name,
      ...(p.phone ? { phone: p.phone } : {}),
      source: p.source,
      ...(p.sourceState ? { sourceState: p.sourceState } : {}),
      ...(p.followUserId ? { followUserId: p.followUserId } : {}),
      tags,
      totalSpentFen,
      orderCount,
      ...(lastMessageAt !== undefined ? { lastMessageAt } : {}),
      ...(lastOrderAt !== undefined ? { lastOrderAt } : {}),
      ...(firstOrderAt !== undefined ? { firstOrderAt } : {}),
      ...(categories.length ? { categories } : {}),
      lost: p.lostAt !== undefined,
      createdAt: p.createdAt,
      updatedAt: Math.max(p.createdAt, threadEnd ?? 0, ...os.map((o) => o.updatedAt), p.lostAt ?? 0),
    };
  });
}
