import type { Customer } from '../../domain/customer';
import type { ManualClock } from '../../domain/time';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { createMerchant } from '../shop/merchants';
import { saveRule } from './rules';
import { applyAllRules, evaluateCustomer, previewRule } from './run';

/**
 * What the speed work on tag rules must not change: the batch reads rule facts, not documents,
 * and events reuse compiled rules — a preview still shows the most recently active matches, and
 * a rule changed (even within the same millisecond, by any writer) applies to the next event.
 */

const SHOP = 'shop';
const DAY = 86_400_000;
let deps: Deps & { clock: ManualClock };

function customer(ext: string, over: Partial<Customer> = {}): Customer {
  const now = deps.clock.now();
  return {
    merchantId: SHOP,
    externalUserId: ext,
    name: ext,
    source: 'qr',
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: now - 100 * DAY,
    updatedAt: now,
    ...over,
  };
}
const tagsOf = async (ext: string) => (await deps.storage.customers.get(SHOP, ext))!.tags;

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: SHOP, name: '茶小满', corpId: 'ww1234567890abcdef', token: 'tok', aesKey: 'a'.repeat(43) });
});
afterEach(() => deps.storage.close());

it('previews the 10 most recently active matches, most recent first, whatever order storage reads them in', async () => {
  const now = deps.clock.now();
  // ids in the opposite order of activity; activity from messages, orders or only being added
  for (let i = 0; i < 25; i++) {
    const at = now - i * DAY;
    const when = i % 3 === 0 ? { lastMessageAt: at } : i % 3 === 1 ? { lastOrderAt: at } : { createdAt: at };
    await deps.storage.customers.upsert(customer(`wm${String(99 - i)}`, { totalSpentFen: i % 2 ? 200_000 : 0, orderCount: 1, ...when }));
  }
  await deps.storage.customers.upsert(customer('wm00', { totalSpentFen: 999_000, lastMessageAt: now + DAY, lost: true }));
  const p = await previewRule(deps, SHOP, { when: { field: 'totalSpentFen', op: '>=', value: 100_000 } });
  expect(p.count).toBe(12);
  expect(p.sample.map((s) => s.externalUserId)).toEqual(['wm98', 'wm96', 'wm94', 'wm92', 'wm90', 'wm88', 'wm86', 'wm84', 'wm82', 'wm80']);
});

it('applies a rule changed within the same millisecond to the next event, and to the batch', async () => {
  await deps.storage.customers.upsert(customer('wm1', { totalSpentFen: 50_000, orderCount: 2 }));
  const { rule } = await saveRule(deps, SHOP, { rule: { name: 'VIP', tags: ['VIP'], when: { field: 'totalSpentFen', op: '>=', value: 100_000 } } });
  expect(await evaluateCustomer(deps, SHOP, 'wm1')).toMatchObject({ added: [] });
  // same clock reading: only the rule's content tells the versions apart
  await saveRule(deps, SHOP, { id: rule.id, rule: { name: 'VIP', tags: ['VIP'], when: { field: 'totalSpentFen', op: '>=', value: 10_000 } } });
  expect(await evaluateCustomer(deps, SHOP, 'wm1')).toMatchObject({ added: ['VIP'] });
  expect(await tagsOf('wm1')).toEqual(['VIP']);
  // written straight to storage (another process, an import) with the same updatedAt: still seen
  await deps.storage.tagRules.upsert({ ...rule, tags: ['大客户'], removeTags: ['VIP'], when: { field: 'orderCount', op: '>=', value: 2 } });
  expect(await applyAllRules(deps, SHOP)).toMatchObject({ changed: 1, added: 1, removed: 1 });
  expect(await tagsOf('wm1')).toEqual(['大客户']);
  // a disabled rule no longer runs on events
  await deps.storage.tagRules.upsert({ ...rule, enabled: false, tags: ['不该有'] });
  expect(await evaluateCustomer(deps, SHOP, 'wm1')).toBeNull();
});
