/**
 * WeCom's view of the merchant's customers: what the sandbox itself recorded (control routes),
 * else what the product's own customer rows say, as if WeCom had known them all along.
 */
import type { Customer } from '@xiaoer/shared/domain/customer';
import { NS, type CodeRecord, type SandboxContact, type SandboxCustomer } from './store';
import { fail, type Ctx, type SandboxEnv } from './wx';

export async function allProductCustomers(env: SandboxEnv, merchantId: string): Promise<Customer[]> {
  const out: Customer[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 200; i++) {
    const page = await env.rt.storage.customers.list(merchantId, { limit: 100, cursor });
    out.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

/** A 客户联系 contact for a product customer some member follows; null for the others. */
export function contactFromCustomer(c: Customer): SandboxContact | null {
  if (!c.followUserId) return null;
  return {
    external_contact: { external_userid: c.externalUserId, name: c.name || c.externalUserId, avatar: c.avatar ?? '', type: 1, gender: 0 },
    follow_user: [{ userid: c.followUserId, remark: '', description: '', createtime: Math.floor(c.createdAt / 1000), tags: [], state: c.sourceState, add_way: 1 }],
  };
}

/** A 客户联系 contact: the sandbox's own record, else one derived from the product's customer (followUserId). */
export async function findContact(env: SandboxEnv, merchantId: string, ext: string): Promise<SandboxContact | null> {
  const own = await env.store.get<SandboxContact>(merchantId, NS.contact, ext);
  if (own) return own;
  const c = await env.rt.storage.customers.get(merchantId, ext);
  return c ? contactFromCustomer(c) : null;
}

/** A 微信客服 customer as kf/customer/batchget describes them. */
export async function kfCustomer(env: SandboxEnv, merchantId: string, ext: string): Promise<SandboxCustomer | null> {
  const own = await env.store.get<SandboxCustomer>(merchantId, NS.customer, ext);
  if (own) return own;
  const c = await env.rt.storage.customers.get(merchantId, ext);
  return c ? { nickname: c.name || ext, avatar: c.avatar ?? '', gender: 0, unionid: '' } : null;
}

/** Uses a welcome code / msg_code once (rule welcomeCode: single use, 20 s or its own TTL). */
export async function useCode(env: SandboxEnv, ctx: Ctx, code: string, kinds: CodeRecord['kind'][]): Promise<CodeRecord> {
  const { value } = await env.store.update<CodeRecord>(ctx.merchant.id, NS.code, code, (c) => {
    if (!c || !kinds.includes(c.kind)) fail('welcomeCodeInvalid', 'unknown code');
    if (ctx.rules.welcomeCode && c.usedAt !== undefined) fail('welcomeCodeUsed');
    if (ctx.rules.welcomeCode && ctx.now > c.expiresAt) fail('welcomeCodeInvalid', `expired ${Math.round((ctx.now - c.issuedAt) / 1000)} s after it was issued`);
    return { ...c, usedAt: c.usedAt ?? ctx.now };
  });
  return value!;
}
