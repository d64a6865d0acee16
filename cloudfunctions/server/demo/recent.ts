import { addDays } from '@xiaoer/shared/domain/time';
import { DEMO_PRODUCTS } from './catalog';
import { line } from './orders';
import { DAY, HOUR, MIN } from './time';
import type { DemoWorld } from './world';

/**
 * The conversations of the last 1–3 hours, what the owner sees first: a regular whose order of
 * yesterday was a cup short, still waiting for a person, and three the AI answered.
 */
export function playRecentHours(w: DemoWorld): void {
  const { rng, cal, anchor, chats } = w;
  const recentPool = rng.shuffle(w.people.filter((p) => p.lostAt === undefined && !p.corporate && p.createdAt < anchor - 7 * DAY));
  const [waiting, r1, r2, r3] = [recentPool.find((p) => p.regular) ?? recentPool[0], ...recentPool.filter((p) => !p.regular).slice(0, 3)];
  for (const p of [waiting, r1, r2, r3]) w.reserved.add(p.ext);

  const yesterday = addDays(cal.today, -1);
  const yo = cal.dayStart(yesterday) + 18 * HOUR + rng.int(0, 70) * MIN;
  const yang = DEMO_PRODUCTS.find((x) => x.sku === 'yangzhi')!;
  const hong = DEMO_PRODUCTS.find((x) => x.sku === 'hongyou')!;
  w.orders.order(waiting, Math.min(yo, anchor - 3 * HOUR - 30 * MIN), [line(yang.sku, yang.name, 2, yang.priceFen), line(hong.sku, hong.name, 1, hong.priceFen)]);
  chats.session(waiting, anchor - rng.int(80, 110) * MIN, {
    topics: [],
    handoff: {
      key: 'missing_cup',
      ask: '我昨天的订单少了一杯，怎么处理',
      staff: '',
      after: `点了两杯${yang.name}一杯${hong.name}，只收到两杯${yang.name}，${hong.name}没有`,
    },
    waiting: true,
  });
  chats.session(r1, anchor - rng.int(120, 165) * MIN, { topics: ['pregnancy'], firstText: '怀孕 5 个月了，可以喝你们家的果茶吗' });
  chats.session(r2, anchor - rng.int(95, 118) * MIN, { topics: ['delivery'], firstText: '你们外卖能送到西溪银泰吗？配送费多少' });
  chats.session(r3, anchor - rng.int(60, 75) * MIN, { topics: ['new_items', 'sweetness'], firstText: '今天有什么新品吗', thanks: true });
}
