import type { Message } from '@xiaoer/shared/domain/conversation';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { raiseAlert } from '@xiaoer/shared/usecases/alerts/store';
import { recordUnanswered } from '@xiaoer/shared/usecases/knowledge/teach';
import { buildDemoShop, type DemoShopData } from './build';
import { DEMO_MERCHANT_ID } from './catalog';
import { createDemoMerchant, finishMerchant } from './merchant';
import { seedDemoTags } from './tags';

const SEED_AUDIT_ID = 'demo-seed';

/**
 * Seeds the demo 奶茶店 with a knowledge base, ~200 customers and 30 days of chats, orders
 * and counters. Idempotent: the merchant is created last, so "merchant exists" means "seed
 * complete"; every row and counter event has a deterministic id, so a re-run after a crash
 * completes the seed without duplicates.
 */
export async function seedDemoShop(deps: Deps): Promise<{ created: boolean; merchantId: string }> {
  const existing = await deps.storage.merchants.get(DEMO_MERCHANT_ID);
  if (existing) {
    await finishMerchant(deps, existing);
    return { created: false, merchantId: DEMO_MERCHANT_ID };
  }
  await writeShopData(deps, buildDemoShop(await claimAnchor(deps)));
  const created = await createDemoMerchant(deps);
  await finishMerchant(deps, (await deps.storage.merchants.get(DEMO_MERCHANT_ID))!);
  return { created, merchantId: DEMO_MERCHANT_ID };
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

/** Every row but the merchant's, upserted or added under its deterministic id. */
async function writeShopData(deps: Deps, data: DemoShopData): Promise<void> {
  const s = deps.storage;
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
  await queueHandedOffQuestions(deps, data, byConv);
  for (let i = 0; i < data.counters.length; i += 500) await s.counters.increment(DEMO_MERCHANT_ID, data.counters.slice(i, i + 500));
  for (const a of data.alerts) await raiseAlert(deps, DEMO_MERCHANT_ID, a);
  await seedDemoTags(deps, data.conversations, data.messages, data.anchor);
}

/** The question the AI handed over waits in "AI 没答上来" too, as the channel would have put it there. */
async function queueHandedOffQuestions(deps: Deps, data: DemoShopData, byConv: Map<string, Message[]>): Promise<void> {
  for (const c of data.conversations.filter((x) => x.state === 'waiting_human')) {
    const q = [...(byConv.get(c.id) ?? [])].reverse().find((m) => m.sender === 'customer' && m.type === 'text');
    if (q && q.type === 'text') {
      await recordUnanswered(deps, {
        merchantId: DEMO_MERCHANT_ID,
        conversationId: c.id,
        externalUserId: c.externalUserId,
        question: q.text,
        reason: 'handoff:order',
        askedAt: q.at,
      });
    }
  }
}
