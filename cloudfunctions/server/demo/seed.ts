import type { Customer, CustomerSource } from '@xiaoer/shared/domain/customer';
import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import type { CounterName } from '@xiaoer/shared/domain/counters';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import type { Day } from '@xiaoer/shared/domain/ids';
import type { AppError } from '@xiaoer/shared/domain/errors';
import { addDays, dayOf, startOfDay } from '@xiaoer/shared/domain/time';
import type { CounterIncrement } from '@xiaoer/shared/ports/storage';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { recordUnanswered } from '@xiaoer/shared/usecases/knowledge/teach';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { Rng } from './prng';
import {
  DEMO_FACTS,
  DEMO_FAQS,
  DEMO_HOURS,
  DEMO_KF_ACCOUNT,
  DEMO_PERSONA,
  DEMO_PRODUCTS,
  DEMO_SHOP,
  DEMO_WECOM,
  HANDOFF_REPLIES,
  HANDOFF_SCENARIOS,
  type DemoFaq,
  type HandoffScenario,
} from './catalog';
import {
  ASK_PREFIXES,
  CORPORATE_NAMES,
  GIVEN_NAMES,
  NICKNAMES,
  PHONE_PREFIXES,
  REPLY_CLOSERS,
  REPLY_OPENERS,
  SOURCE_STATES,
  STAFF_WECOM_USERIDS,
  SURNAMES,
  THANKS,
  THANKS_REPLIES,
} from './people';

export const DEMO_MERCHANT_ID = 'demo-naicha';
export { DEMO_WECOM } from './catalog';

const TZ = DEMO_SHOP.timezone;
const SEED = 0x5eed_2026;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ACTIVITY_DAYS = 30;
const CUSTOMER_DAYS = 90;
const CUSTOMER_COUNT = 200;
const SEED_AUDIT_ID = 'demo-seed';
/** ensureLocalMember's owner: staff replies in the demo are signed by this member. */
const OWNER_MEMBER_ID = 'local-owner';

/** Relative activity per local hour: chats happen round the clock (the AI answers), mostly at lunch and after work. */
const CHAT_HOURS = [0.3, 0.1, 0, 0, 0, 0, 0, 0.3, 0.8, 1.5, 3, 4, 5, 5, 4, 4, 4, 5, 5, 5, 4, 3, 1.5, 0.8];
/** Orders only while open: 10:00 to the 21:45 last call. */
const ORDER_HOURS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 4, 6, 6, 4, 5, 4, 4, 5, 5, 4, 3, 0, 0];
const OPEN_WINDOW: [number, number] = [10 * HOUR, 21 * HOUR + 45 * MIN];
const ALL_DAY: [number, number] = [0, DAY];

/** Everything the seed writes, as a pure function of the anchor instant. */
export interface DemoShopData {
  anchor: number;
  today: Day;
  faqs: StoredFaq[];
  products: StoredProduct[];
  facts: Record<string, unknown>;
  customers: Customer[];
  conversations: Conversation[];
  messages: Message[];
  orders: Order[];
  counters: CounterIncrement[];
}

interface Person {
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

interface DraftOrder {
  ext: string;
  placedAt: number;
  items: Order['items'];
  refundAt?: number;
}

interface SessionPlan {
  topics: string[];
  /** Replaces the first topic's generated question. */
  firstText?: string;
  handoff?: HandoffScenario;
  /** The handoff stays open: nobody has picked it up yet. */
  waiting?: boolean;
  thanks?: boolean;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const round2 = (x: number) => Math.round(x * 100) / 100;
const weekday = (day: Day) => new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday
const preview = (text: string) => Array.from(text).slice(0, 60).join('');
const FAQ_BY_ID = new Map(DEMO_FAQS.map((f) => [f.id, f]));
const ORDERISH = new Set(['order_howto', 'delivery', 'reservation', 'recommend', 'new_items', 'size_price', 'sweetness', 'toppings']);

/**
 * The seed's days in Asia/Shanghai: the domain's dayOf/startOfDay computed once per day of the
 * window, then looked up (dayOf costs ~50 µs a call, and the seed needs tens of thousands).
 */
function dayCalendar(anchor: number) {
  const today = dayOf(anchor, TZ);
  const days: Day[] = [];
  for (let k = CUSTOMER_DAYS + 2; k >= -2; k--) days.push(addDays(today, -k));
  const starts = days.map((d) => startOfDay(d, TZ));
  const startOf = new Map(days.map((d, i) => [d, starts[i]]));
  return {
    today,
    dayStart: (d: Day) => startOf.get(d) ?? startOfDay(d, TZ),
    dayOf: (t: number): Day => {
      if (t < starts[0] || t >= starts[starts.length - 1]) return dayOf(t, TZ);
      let lo = 0;
      let hi = starts.length - 1; // starts[lo] <= t < starts[hi]
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (starts[mid] <= t) lo = mid;
        else hi = mid;
      }
      return days[lo];
    },
  };
}

/**
 * Builds the demo shop's data. Deterministic: a fixed-seed PRNG and `anchor` (the seed's "now")
 * are the only inputs; days are computed in Asia/Shanghai.
 */
export function buildDemoShop(anchor: number): DemoShopData {
  const rng = new Rng(SEED);
  const { today, dayOf: localDay, dayStart } = dayCalendar(anchor);
  const localOffset = (t: number) => t - dayStart(localDay(t));

  /** An instant on `day` before `until`, hour chosen by `weights`, inside [window) of the day. */
  const sampleInstant = (day: Day, weights: number[], until: number, window: [number, number] = ALL_DAY): number | null => {
    const s = dayStart(day);
    const slots: { from: number; to: number; w: number }[] = [];
    for (let h = 0; h < 24; h++) {
      if (!weights[h]) continue;
      const from = s + Math.max(h * HOUR, window[0]);
      const to = Math.min(s + Math.min((h + 1) * HOUR, window[1]), until);
      if (to - from < MIN) continue;
      slots.push({ from, to, w: (weights[h] * (to - from)) / HOUR });
    }
    if (!slots.length) return null;
    const slot = rng.weighted(slots, (x) => x.w);
    return slot.from + Math.floor(rng.float() * (slot.to - slot.from));
  };
  /** Share of a day's activity (by `weights`) that lies before `until`. */
  const shareBefore = (day: Day, weights: number[], until: number, window: [number, number] = ALL_DAY) => {
    const s = dayStart(day);
    let done = 0;
    let total = 0;
    for (let h = 0; h < 24; h++) {
      const from = s + Math.max(h * HOUR, window[0]);
      const to = s + Math.min((h + 1) * HOUR, window[1]);
      if (to <= from) continue;
      const w = (weights[h] * (to - from)) / HOUR;
      total += w;
      done += (w * Math.min(Math.max(until - from, 0), to - from)) / (to - from);
    }
    return total ? done / total : 0;
  };

  // ---- customers -------------------------------------------------------------------------
  const createdAts: number[] = [];
  for (let k = ACTIVITY_DAYS - 1; k >= 0; k--) {
    const d = addDays(today, -k);
    const wd = weekday(d);
    let n = wd === 0 || wd === 6 ? rng.int(3, 5) : rng.int(1, 3);
    const until = k === 0 ? anchor - 25 * MIN : dayStart(d) + DAY;
    if (k === 0) n = Math.max(1, Math.round(n * shareBefore(d, CHAT_HOURS, until)));
    for (let i = 0; i < n; i++) {
      const t = sampleInstant(d, CHAT_HOURS, until);
      if (t !== null) createdAts.push(t);
    }
  }
  while (createdAts.length < CUSTOMER_COUNT) {
    const d = addDays(today, -rng.int(ACTIVITY_DAYS, CUSTOMER_DAYS - 1));
    createdAts.push(sampleInstant(d, CHAT_HOURS, Infinity)!);
  }
  createdAts.sort((a, b) => a - b);

  const usedNames = new Set<string>();
  const usedPhones = new Set<string>();
  const nicknames = rng.shuffle(NICKNAMES);
  const realName = () => {
    for (;;) {
      const n = rng.pick(SURNAMES) + rng.pick(GIVEN_NAMES);
      if (!usedNames.has(n)) return n;
    }
  };
  const phone = () => {
    for (;;) {
      let p = rng.pick(PHONE_PREFIXES);
      for (let i = 0; i < 8; i++) p += String(rng.int(0, 9));
      if (!usedPhones.has(p)) {
        usedPhones.add(p);
        return p;
      }
    }
  };
  const sources: [CustomerSource, number][] = [
    ['kf', 32],
    ['contact_way', 22],
    ['qr', 20],
    ['campaign', 8],
    ['referral', 10],
    ['search', 8],
  ];
  const corporateIdx = new Set(
    rng.shuffle(createdAts.map((t, i) => ({ t, i })).filter((x) => x.t < anchor - 20 * DAY)).slice(0, CORPORATE_NAMES.length).map((x) => x.i),
  );
  let corporateNo = 0;
  const people: Person[] = createdAts.map((createdAt, i) => {
    const ext = `wmDEMO${pad(i + 1, 4)}`;
    const source = rng.weighted(sources, (s) => s[1])[0];
    let sourceState: string | undefined;
    if (source === 'contact_way' || source === 'qr' || source === 'campaign') sourceState = rng.pick(SOURCE_STATES[source]);
    if (source === 'referral' && i > 0) sourceState = `ref:wmDEMO${pad(rng.int(1, i), 4)}`;
    const followUserId = source === 'kf' || source === 'search' ? undefined : rng.pick(STAFF_WECOM_USERIDS);
    const corporate = corporateIdx.has(i);
    const old = createdAt < anchor - 21 * DAY;
    const regular = !corporate && old && rng.chance(0.3);
    const student = !corporate && (sourceState === 'student-week' || rng.chance(0.12));
    let name: string;
    let hasPhone: boolean;
    if (corporate) {
      name = CORPORATE_NAMES[corporateNo++];
      hasPhone = true;
    } else if (rng.chance(0.38) || !nicknames.length) {
      name = realName();
      hasPhone = rng.chance(0.6);
    } else {
      name = nicknames.pop()!;
      hasPhone = rng.chance(0.3);
    }
    usedNames.add(name);
    return {
      ext,
      name,
      phone: hasPhone ? phone() : undefined,
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
  });
  const byExt = new Map(people.map((p) => [p.ext, p]));

  // A few customers who left (deleted the contact) within the last month.
  const lostCandidates = rng.shuffle(
    people.filter((p) => !p.regular && !p.corporate && p.source !== 'kf' && p.source !== 'search' && p.createdAt < anchor - 20 * DAY),
  );
  let lostLeft = 5;
  for (const p of lostCandidates) {
    if (!lostLeft) break;
    const d = addDays(today, -rng.int(2, 26));
    const t = sampleInstant(d, CHAT_HOURS, anchor - HOUR);
    if (t === null || t < p.createdAt + 7 * DAY) continue;
    p.lostAt = t;
    lostLeft--;
  }

  // ---- activity --------------------------------------------------------------------------
  const threads = new Map<string, Message[]>();
  const sessionStarts = new Map<string, number[]>();
  const chatted = new Set<string>(); // `${ext}|${day}`: one session per customer per day
  const drafts: DraftOrder[] = [];
  const incs = new Map<string, CounterIncrement>();
  const open: { waiting: { ext: string; since: number } | null } = { waiting: null };

  const inc = (name: CounterName, at: number, eventId: string, amount = 1) => {
    const key = `${name}|${eventId}`;
    if (!incs.has(key)) incs.set(key, { day: localDay(at), name, amount, eventId });
  };
  const convId = (ext: string) => `demo-conv-${ext}`;
  const reserved = new Set<string>(); // the recent conversations' customers
  const active = (p: Person, t: number) => p.createdAt < t - 30 * MIN && !(p.lostAt !== undefined && t > p.lostAt - DAY);

  const pickCustomer = (t: number, forChat: boolean, weight: (p: Person) => number): Person | null => {
    const day = localDay(t);
    const pool = people.filter(
      (p) => active(p, t) && !(forChat && chatted.has(`${p.ext}|${day}`)) && !(reserved.has(p.ext) && t >= anchor - 4 * HOUR),
    );
    return pool.length ? rng.weighted(pool, weight) : null;
  };
  const chatWeight = (p: Person) => (p.regular ? 5 : 1) * (p.member ? 1.5 : 1);
  const orderWeight = (p: Person) => (p.regular ? 7 : 1) * (p.member ? 1.6 : 1) * (p.corporate ? 0.4 : 1);

  const topicWeight = (p: Person, isNew: boolean) => (f: DemoFaq) => {
    let w = f.weight;
    if (p.corporate && (f.id === 'group_order' || f.id === 'invoice')) w *= 6;
    if (p.student && f.id === 'student') w *= 6;
    if (p.lessSugar && (f.id === 'sweetness' || f.id === 'sugar_substitute')) w *= 2;
    if (p.member && (f.id === 'points' || f.id === 'stored_value')) w *= 1.5;
    if (p.member && f.id === 'member') w *= 0.3;
    if (isNew && ['member', 'address', 'hours', 'recommend', 'delivery'].includes(f.id)) w *= 2;
    return w;
  };
  const pickTopics = (p: Person, isNew: boolean): string[] => {
    const n = rng.weighted([1, 2, 3], (x) => (x === 1 ? 55 : x === 2 ? 32 : 13));
    const chosen: string[] = [];
    const w = topicWeight(p, isNew);
    while (chosen.length < n) {
      const f = rng.weighted(DEMO_FAQS, (x) => (chosen.includes(x.id) ? 0 : w(x)));
      chosen.push(f.id);
    }
    return chosen;
  };
  const askFor = (topic: string) => {
    const f = FAQ_BY_ID.get(topic)!;
    const q = rng.pick([f.question, ...f.alternatives, ...f.asks, ...f.asks]);
    return rng.pick(ASK_PREFIXES) + q;
  };
  const replyFor = (topic: string) => rng.pick(REPLY_OPENERS) + FAQ_BY_ID.get(topic)!.answer + rng.pick(REPLY_CLOSERS);

  /** Writes one chat session (customer questions, AI answers, maybe a handoff) and its counters. */
  const session = (p: Person, start: number, plan: SessionPlan): { end: number; staffAt?: number } => {
    const day = localDay(start);
    chatted.add(`${p.ext}|${day}`);
    const starts = sessionStarts.get(p.ext) ?? [];
    starts.push(start);
    sessionStarts.set(p.ext, starts);
    const thread = threads.get(p.ext) ?? [];
    threads.set(p.ext, thread);
    let k = 0;
    let firstMsg: { id: string; at: number } | null = null;
    let responded = false;
    let question: { id: string; at: number } | null = null;
    const say = (sender: 'customer' | 'ai' | 'staff', at: number, text: string, answer?: Message['answer']) => {
      const id = `demo-msg-${p.ext}-${day}-${pad(k++, 2)}`;
      const m: Message = {
        id,
        merchantId: DEMO_MERCHANT_ID,
        conversationId: convId(p.ext),
        sender,
        at,
        type: 'text',
        text,
        ...(sender === 'staff' ? { senderId: OWNER_MEMBER_ID } : {}),
        ...(sender === 'customer' ? {} : { delivery: 'sent' as const }),
        ...(answer ? { answer } : {}),
      };
      thread.push(m);
      if (sender === 'customer') {
        firstMsg ??= { id, at };
        question = { id, at };
        inc('customerMessages', at, `demo:msg:${id}`);
        inc('consultations', at, `demo:consult:${localDay(at)}:${p.ext}`);
        return;
      }
      if (!responded && firstMsg) {
        responded = true;
        inc('firstResponseMsSum', firstMsg.at, `demo:frt:${firstMsg.id}`, at - firstMsg.at);
        inc('firstResponseCount', firstMsg.at, `demo:frt:${firstMsg.id}`);
      }
      if (answer && question) {
        inc(answer.handoff ? 'aiHandoffs' : 'aiAnswered', question.at, `demo:ai:${question.id}`);
        question = null;
      }
    };

    let t = start;
    plan.topics.forEach((topic, i) => {
      if (i > 0) t += rng.int(15, 90) * 1000;
      say('customer', t, i === 0 && plan.firstText ? plan.firstText : askFor(topic));
      t += rng.int(1500, 5500);
      say('ai', t, replyFor(topic), { knowledgeIds: [topic], confidence: round2(0.78 + rng.float() * 0.2), handoff: false });
    });
    let staffAt: number | undefined;
    const h = plan.handoff;
    if (h) {
      if (plan.topics.length) t += rng.int(20, 120) * 1000;
      say('customer', t, h.ask);
      t += rng.int(1500, 4000);
      say('ai', t, rng.pick(HANDOFF_REPLIES), { knowledgeIds: [], confidence: round2(0.15 + rng.float() * 0.3), handoff: true });
      if (plan.waiting) {
        open.waiting = { ext: p.ext, since: t };
        t += rng.int(40, 120) * 1000;
        say('customer', t, h.after);
      } else {
        t += rng.int(3, 18) * MIN;
        staffAt = t;
        say('staff', t, h.staff);
        if (rng.chance(0.7)) {
          t += rng.int(1, 4) * MIN;
          say('customer', t, h.after);
        }
      }
    } else if (plan.thanks) {
      t += rng.int(20, 90) * 1000;
      say('customer', t, rng.pick(THANKS));
      t += rng.int(1500, 4000);
      say('ai', t, rng.pick(THANKS_REPLIES), { knowledgeIds: [], confidence: 0.95, handoff: false });
    }
    return { end: t, staffAt };
  };

  const inOpenHours = (t: number) => {
    const off = localOffset(t);
    return off >= OPEN_WINDOW[0] && off < OPEN_WINDOW[1];
  };
  const items = (p: Person): Order['items'] => {
    const n = rng.weighted([1, 2, 3], (x) => (x === 1 ? 50 : x === 2 ? 35 : 15));
    const out: Order['items'] = [];
    const used = new Set<string>();
    while (out.length < n) {
      const pr = rng.weighted(DEMO_PRODUCTS, (x) =>
        used.has(x.sku) ? 0 : x.popularity * (p.fruit && (x.attributes as { category: string }).category === '鲜果茶' ? 2 : 1),
      );
      used.add(pr.sku);
      const large = rng.chance(0.3);
      out.push({
        sku: pr.sku,
        name: large ? `${pr.name}（大杯）` : pr.name,
        qty: rng.chance(0.15) ? 2 : 1,
        priceFen: pr.priceFen + (large ? 300 : 0),
      });
    }
    return out;
  };
  const bigItems = (): Order['items'] => {
    const cups = rng.int(10, 36);
    const discount = cups >= 50 ? 0.85 : cups >= 20 ? 0.9 : 1;
    const kinds = rng.shuffle(DEMO_PRODUCTS.filter((x) => x.stock > 20)).slice(0, rng.int(2, 3));
    const qty = kinds.map(() => 3);
    for (let left = cups - 3 * kinds.length; left > 0; left--) qty[rng.int(0, kinds.length - 1)]++;
    return kinds.map((pr, i) => ({
      sku: pr.sku,
      name: discount < 1 ? `${pr.name}（团购价）` : pr.name,
      qty: qty[i],
      priceFen: Math.round(pr.priceFen * discount),
    }));
  };
  const order = (p: Person, placedAt: number, its: Order['items']): DraftOrder => {
    const o: DraftOrder = { ext: p.ext, placedAt, items: its };
    drafts.push(o);
    return o;
  };

  // The recent conversations (last 1–3 h), one of them waiting for a person.
  const recentPool = rng.shuffle(people.filter((p) => p.lostAt === undefined && !p.corporate && p.createdAt < anchor - 7 * DAY));
  const [w, r1, r2, r3] = [recentPool.find((p) => p.regular) ?? recentPool[0], ...recentPool.filter((p) => !p.regular).slice(0, 3)];
  for (const p of [w, r1, r2, r3]) reserved.add(p.ext);
  {
    const yesterday = addDays(today, -1);
    const yo = dayStart(yesterday) + 18 * HOUR + rng.int(0, 70) * MIN;
    const yang = DEMO_PRODUCTS.find((x) => x.sku === 'yangzhi')!;
    const hong = DEMO_PRODUCTS.find((x) => x.sku === 'hongyou')!;
    order(w, Math.min(yo, anchor - 3 * HOUR - 30 * MIN), [
      { sku: yang.sku, name: yang.name, qty: 2, priceFen: yang.priceFen },
      { sku: hong.sku, name: hong.name, qty: 1, priceFen: hong.priceFen },
    ]);
    session(w, anchor - rng.int(80, 110) * MIN, {
      topics: [],
      handoff: {
        key: 'missing_cup',
        ask: '我昨天的订单少了一杯，怎么处理',
        staff: '',
        after: `点了两杯${yang.name}一杯${hong.name}，只收到两杯${yang.name}，${hong.name}没有`,
      },
      waiting: true,
    });
    session(r1, anchor - rng.int(120, 165) * MIN, { topics: ['pregnancy'], firstText: '怀孕 5 个月了，可以喝你们家的果茶吗' });
    session(r2, anchor - rng.int(95, 118) * MIN, { topics: ['delivery'], firstText: '你们外卖能送到西溪银泰吗？配送费多少' });
    session(r3, anchor - rng.int(60, 75) * MIN, { topics: ['new_items', 'sweetness'], firstText: '今天有什么新品吗', thanks: true });
  }

  // Office buyers order a big batch once or twice a month, on a weekday afternoon.
  const corpDays = new Map<Day, Person[]>();
  for (const p of people.filter((x) => x.corporate)) {
    const n = rng.int(1, 2);
    for (let i = 0; i < n; i++) {
      const d = addDays(today, -rng.int(1, ACTIVITY_DAYS - 1));
      const wd = weekday(d);
      if (wd === 0 || wd === 6) continue;
      corpDays.set(d, [...(corpDays.get(d) ?? []), p]);
    }
  }
  const newOnDay = new Map<Day, Person[]>();
  for (const p of people) {
    const d = localDay(p.createdAt);
    newOnDay.set(d, [...(newOnDay.get(d) ?? []), p]);
  }

  for (let k = ACTIVITY_DAYS - 1; k >= 0; k--) {
    const d = addDays(today, -k);
    const s = dayStart(d);
    const isToday = k === 0;
    const chatUntil = isToday ? anchor - 20 * MIN : s + DAY;
    const orderUntil = isToday ? anchor - 2 * MIN : s + DAY;
    const wd = weekday(d);
    const weekend = wd === 0 || wd === 6;
    const sessionsOn = () => people.filter((p) => chatted.has(`${p.ext}|${d}`)).length;
    const maybeOrderAfter = (p: Person, end: number, chance: number) => {
      const t = end + rng.int(2, 12) * MIN;
      if (rng.chance(chance) && t < orderUntil && inOpenHours(t) && localDay(t) === d) order(p, t, items(p));
    };

    // 1) first contact of the day's new customers
    for (const p of newOnDay.get(d) ?? []) {
      const start = p.source === 'kf' ? p.createdAt : p.createdAt + rng.int(1, 20) * MIN;
      if (p.source !== 'kf' && !rng.chance(0.45)) continue;
      if (start >= chatUntil || localDay(start) !== d || chatted.has(`${p.ext}|${d}`)) continue;
      const { end } = session(p, start, { topics: pickTopics(p, true), thanks: rng.chance(0.25) });
      maybeOrderAfter(p, end, 0.35);
    }

    // 2) office orders: a question late morning, the batch in the afternoon
    for (const p of corpDays.get(d) ?? []) {
      if (!active(p, s + 10 * HOUR) || chatted.has(`${p.ext}|${d}`)) continue;
      const start = s + 10 * HOUR + 30 * MIN + rng.int(0, 120) * MIN;
      if (start >= chatUntil) continue;
      session(p, start, { topics: rng.chance(0.5) ? ['group_order', 'invoice'] : ['group_order'] });
      const at = s + 14 * HOUR + 30 * MIN + rng.int(0, 90) * MIN;
      if (at < orderUntil) order(p, at, bigItems());
    }

    // 3) everyday questions
    let target = weekend ? rng.int(10, 15) : wd === 5 ? rng.int(8, 12) : rng.int(6, 10);
    if (isToday) target = Math.round(target * shareBefore(d, CHAT_HOURS, chatUntil)) + sessionsOn();
    for (let i = sessionsOn(); i < target; i++) {
      const t = sampleInstant(d, CHAT_HOURS, chatUntil);
      if (t === null) break;
      const p = pickCustomer(t, true, chatWeight);
      if (!p) continue;
      let plan: SessionPlan = { topics: pickTopics(p, false), thanks: rng.chance(0.2) };
      let before: DraftOrder | null = null;
      const canHandoff = t < anchor - HOUR && localOffset(t) <= 20 * HOUR + 30 * MIN && localOffset(t) >= 9 * HOUR;
      if (canHandoff && rng.chance(0.1)) {
        let h = rng.weighted(HANDOFF_SCENARIOS, (x) => (x.order === 'refund' ? 2 : 1));
        if (h.order) {
          const at = h.order === 'refund' ? t - rng.int(25, 70) * MIN : t - rng.int(3, 8) * MIN;
          if (inOpenHours(at) && localDay(at) === d && active(p, at)) before = order(p, at, items(p));
          else h = rng.pick(HANDOFF_SCENARIOS.filter((x) => !x.order));
        }
        plan = { topics: [], handoff: h };
      }
      const { end, staffAt } = session(p, t, plan);
      if (before && plan.handoff?.order === 'refund' && staffAt !== undefined && localDay(staffAt) === d) before.refundAt = staffAt;
      if (!plan.handoff) maybeOrderAfter(p, end, plan.topics.some((x) => ORDERISH.has(x)) ? 0.5 : 0.12);
    }

    // 4) the rest of the day's orders (walk-ins who pay with their member account, the mini program…)
    let orderTarget = weekend ? rng.int(15, 22) : wd === 5 ? rng.int(11, 15) : rng.int(9, 14);
    if (isToday) {
      const share = shareBefore(d, ORDER_HOURS, orderUntil, OPEN_WINDOW);
      orderTarget = share > 0 ? Math.max(3, Math.round(orderTarget * share)) : 0;
    }
    const placedToday = drafts.filter((o) => localDay(o.placedAt) === d).length;
    for (let i = placedToday; i < orderTarget; i++) {
      const t = sampleInstant(d, ORDER_HOURS, orderUntil, OPEN_WINDOW);
      if (t === null) break;
      const p = pickCustomer(t, false, orderWeight);
      if (p) order(p, t, items(p));
    }
  }

  // ---- rows ------------------------------------------------------------------------------
  drafts.sort((a, b) => a.placedAt - b.placedAt || (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
  const seqByDay = new Map<Day, number>();
  const orders: Order[] = drafts.map((o) => {
    const d = localDay(o.placedAt);
    const n = (seqByDay.get(d) ?? 0) + 1;
    seqByDay.set(d, n);
    const id = `demo-o-${d.replaceAll('-', '')}-${pad(n, 3)}`;
    const amountFen = o.items.reduce((sum, it) => sum + it.qty * it.priceFen, 0);
    const done = o.placedAt + rng.int(6, 25) * MIN;
    const status: Order['status'] = o.refundAt !== undefined ? 'refunded' : done <= anchor ? 'fulfilled' : 'paid';
    const updatedAt = status === 'refunded' ? o.refundAt! : status === 'fulfilled' ? done : o.placedAt;
    inc('orders', o.placedAt, `demo:order:${id}`);
    inc('revenueFen', o.placedAt, `demo:paid:${id}`, amountFen);
    if (status === 'refunded') {
      inc('refunds', updatedAt, `demo:refund:${id}`);
      inc('revenueFen', updatedAt, `demo:refund:${id}`, -amountFen);
    }
    return { id, merchantId: DEMO_MERCHANT_ID, externalUserId: o.ext, amountFen, status, items: o.items, placedAt: o.placedAt, updatedAt };
  });

  const messages: Message[] = [];
  const conversations: Conversation[] = [];
  const lastCustomerMsg = new Map<string, number>();
  for (const p of people) {
    const thread = threads.get(p.ext);
    if (!thread?.length) continue;
    thread.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
    messages.push(...thread);
    const first = thread[0];
    const last = thread[thread.length - 1];
    const lastCustomer = [...thread].reverse().find((m) => m.sender === 'customer');
    if (lastCustomer) lastCustomerMsg.set(p.ext, lastCustomer.at);
    const starts = sessionStarts.get(p.ext)!.slice().sort((a, b) => a - b);
    const isWaiting = open.waiting?.ext === p.ext;
    const state: Conversation['state'] = isWaiting ? 'waiting_human' : anchor - last.at > 48 * HOUR ? 'closed' : 'ai';
    conversations.push({
      id: convId(p.ext),
      merchantId: DEMO_MERCHANT_ID,
      externalUserId: p.ext,
      channel: 'kf',
      kfAccountId: DEMO_KF_ACCOUNT,
      state,
      wecomState: state === 'closed' ? 4 : 1,
      sessionStartedAt: starts[starts.length - 1],
      lastCustomerMessageAt: lastCustomer?.at,
      ...(isWaiting ? { waitingSince: open.waiting!.since } : {}),
      missed: false,
      lastMessagePreview: last.type === 'text' ? preview(last.text) : '',
      updatedAt: last.at,
      createdAt: first.at,
    });
  }

  const ordersOf = new Map<string, Order[]>();
  for (const o of orders) ordersOf.set(o.externalUserId!, [...(ordersOf.get(o.externalUserId!) ?? []), o]);
  const customers: Customer[] = people.map((p) => {
    const os = ordersOf.get(p.ext) ?? [];
    const kept = os.filter((o) => o.status !== 'refunded' && o.status !== 'cancelled');
    const lastOrderAt = os.length ? Math.max(...os.map((o) => o.placedAt)) : undefined;
    const lastMessageAt = lastCustomerMsg.get(p.ext);
    const tags: string[] = [];
    if (p.regular) tags.push('常客');
    if (p.createdAt >= anchor - 14 * DAY) tags.push('新客');
    if (p.member) tags.push('会员');
    if (p.fruit) tags.push('爱喝果茶');
    if (p.lessSugar) tags.push('少糖党');
    if (p.corporate) tags.push('企业团购');
    if (p.student) tags.push('学生');
    inc('newCustomers', p.createdAt, `demo:new:${p.ext}`);
    if (p.lostAt !== undefined) inc('lostCustomers', p.lostAt, `demo:lost:${p.ext}`);
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
      totalSpentFen: kept.reduce((sum, o) => sum + o.amountFen, 0),
      orderCount: kept.length,
      ...(lastMessageAt !== undefined ? { lastMessageAt } : {}),
      ...(lastOrderAt !== undefined ? { lastOrderAt } : {}),
      lost: p.lostAt !== undefined,
      createdAt: p.createdAt,
      updatedAt: Math.max(p.createdAt, threadEnd ?? 0, ...os.map((o) => o.updatedAt), p.lostAt ?? 0),
    };
  });

  const kbAt = anchor - 3 * DAY;
  return {
    anchor,
    today,
    faqs: DEMO_FAQS.map(({ asks: _a, weight: _w, ...f }) => ({ ...f, merchantId: DEMO_MERCHANT_ID, updatedAt: kbAt })),
    products: DEMO_PRODUCTS.map(({ popularity: _p, ...pr }) => ({ ...pr, merchantId: DEMO_MERCHANT_ID, updatedAt: kbAt })),
    facts: { ...DEMO_FACTS },
    customers,
    conversations,
    messages,
    orders,
    counters: [...incs.values()],
  };
}

/**
 * The seed's "now", kept in the audit log before anything else is written, so a run that
 * crashed half-way is finished later with exactly the same rows and counter event ids.
 */
async function claimAnchor(deps: Deps): Promise<number> {
  const find = async () => {
    const entry = (await deps.storage.audit.list(DEMO_MERCHANT_ID, 50)).find((e) => e.id === SEED_AUDIT_ID);
    const anchor = entry?.detail.anchor;
    return typeof anchor === 'number' && Number.isInteger(anchor) ? anchor : null;
  };
  const earlier = await find();
  if (earlier !== null) return earlier;
  const now = deps.clock.now();
  await deps.storage.audit.append({
    id: SEED_AUDIT_ID,
    merchantId: DEMO_MERCHANT_ID,
    actor: 'system',
    action: 'demo.seed',
    target: DEMO_MERCHANT_ID,
    detail: { anchor: now },
    at: now,
  });
  // two seeders starting together: the first entry wins, both build from it
  return (await find()) ?? now;
}

/** What createMerchant can't set (hours, persona) and the owner; no writes when already done. */
async function finishMerchant(deps: Deps, merchant: Merchant): Promise<void> {
  if (!merchant.businessHours && !merchant.aiPersona) {
    await deps.storage.merchants.save({ ...merchant, businessHours: DEMO_HOURS, aiPersona: DEMO_PERSONA });
  }
  const owner = await ensureLocalMember(deps, DEMO_MERCHANT_ID, 'owner');
  if (!owner.wecomUserId) await deps.storage.members.save({ ...owner, wecomUserId: DEMO_WECOM.ownerUserId });
}

/**
 * Seeds the demo 奶茶店 with a knowledge base, ~200 customers and 30 days of chats, orders
 * and counters. Idempotent: the merchant is created last, so "merchant exists" means "seed
 * complete"; every row and counter event has a deterministic id, so a re-run after a crash
 * completes the seed without duplicates.
 */
export async function seedDemoShop(deps: Deps): Promise<{ created: boolean; merchantId: string }> {
  const s = deps.storage;
  const existing = await s.merchants.get(DEMO_MERCHANT_ID);
  if (existing) {
    await finishMerchant(deps, existing);
    return { created: false, merchantId: DEMO_MERCHANT_ID };
  }
  const data = buildDemoShop(await claimAnchor(deps));

  for (const f of data.faqs) await s.knowledge.upsertFaq(f);
  for (const p of data.products) await s.knowledge.upsertProduct(p);
  await s.knowledge.setFacts(DEMO_MERCHANT_ID, data.facts, data.anchor);
  for (const c of data.customers) await s.customers.upsert(c);
  const byConv = new Map<string, Message[]>();
  for (const m of data.messages) byConv.set(m.conversationId, [...(byConv.get(m.conversationId) ?? []), m]);
  for (const c of data.conversations) {
    await s.conversations.upsert(c);
    for (const m of byConv.get(c.id) ?? []) await s.messages.add(m);
  }
  for (const o of data.orders) await s.orders.add(o);
  // the question the AI handed over waits in "AI 没答上来" too, as the channel would have put it there
  for (const c of data.conversations.filter((x) => x.state === 'waiting_human')) {
    const q = [...(byConv.get(c.id) ?? [])].reverse().find((m) => m.sender === 'customer' && m.type === 'text');
    if (q && q.type === 'text') await recordUnanswered(deps, { merchantId: DEMO_MERCHANT_ID, conversationId: c.id, externalUserId: c.externalUserId, question: q.text, reason: 'handoff:order', askedAt: q.at });
  }
  for (let i = 0; i < data.counters.length; i += 500) await s.counters.increment(DEMO_MERCHANT_ID, data.counters.slice(i, i + 500));

  try {
    await createMerchant(deps, {
      id: DEMO_MERCHANT_ID,
      name: DEMO_SHOP.name,
      industry: DEMO_SHOP.industry,
      timezone: DEMO_SHOP.timezone,
      corpId: DEMO_WECOM.corpId,
      token: DEMO_WECOM.token,
      aesKey: DEMO_WECOM.aesKey,
      kfSecret: DEMO_WECOM.kfSecret,
      appSecret: DEMO_WECOM.appSecret,
      agentId: DEMO_WECOM.agentId,
    });
  } catch (err) {
    if ((err as AppError).code !== 'CONFLICT.MERCHANT_EXISTS') throw err;
    // another seeder finished first with the same rows
    await finishMerchant(deps, (await s.merchants.get(DEMO_MERCHANT_ID))!);
    return { created: false, merchantId: DEMO_MERCHANT_ID };
  }
  await finishMerchant(deps, (await s.merchants.get(DEMO_MERCHANT_ID))!);
  return { created: true, merchantId: DEMO_MERCHANT_ID };
}
