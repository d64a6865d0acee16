import type { Alert } from '@xiaoer/shared/domain/alert';
import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';
import type { Order } from '@xiaoer/shared/domain/commerce';
import type { StoredFaq, StoredProduct } from '@xiaoer/shared/domain/knowledge';
import type { Day } from '@xiaoer/shared/domain/ids';
import type { CounterIncrement } from '@xiaoer/shared/ports/storage';
import { demoAlerts } from './alerts';
import { ChatLog } from './chats';
import { CounterLog } from './counters';
import { createPeople, customerRows } from './customers';
import { earlierOrders } from './earlier';
import { playHistory } from './history';
import { knowledgeRows } from './knowledge';
import { OrderBook } from './orders';
import { Rng } from './prng';
import { playRecentHours } from './recent';
import { DemoCalendar } from './time';
import type { DemoWorld } from './world';

const SEED = 0x5eed_2026;

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
  alerts: Alert[];
}

/**
 * Builds the demo shop's data. Deterministic: a fixed-seed PRNG and `anchor` (the seed's "now")
 * are the only inputs; days are computed in Asia/Shanghai. The steps draw from the one PRNG, so
 * their order is part of the data: changing it changes every row after it.
 */
export function buildDemoShop(anchor: number): DemoShopData {
  const rng = new Rng(SEED);
  const cal = new DemoCalendar(anchor, rng);
  const people = createPeople(rng, cal, anchor);
  const counters = new CounterLog(cal);
  const world: DemoWorld = { anchor, rng, cal, people, counters, chats: new ChatLog(rng, cal, counters), orders: new OrderBook(rng, cal), reserved: new Set() };

  playRecentHours(world);
  playHistory(world);

  const month = world.orders.rows(anchor, counters, world.reserved);
  // the best customers' months before: every spend tier has someone (own PRNG: the month is unchanged)
  const orders = [...earlierOrders(people, cal, anchor, counters, new Set(month.map((o) => o.id))), ...month];
  const { conversations, messages, lastCustomerMsg } = world.chats.rows(people, anchor);
  const customers = customerRows(people, orders, world.chats.threads, lastCustomerMsg, counters, anchor);
  const kb = knowledgeRows(anchor);
  const alerts = demoAlerts(cal, anchor, kb.products, orders);
  return { anchor, today: cal.today, ...kb, customers, conversations, messages, orders, counters: counters.list(), alerts };
}
