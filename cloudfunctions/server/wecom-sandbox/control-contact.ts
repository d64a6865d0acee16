import type { z } from 'zod';
import { AppError } from '@xiaoer/shared/domain/errors';
import type { CallbackSender } from './callback';
import { LIMITS } from './config';
import type { ContactWay } from './contact-way';
import type { ContactAdd, ContactDelete, ContactWayAdd } from './control-schemas';
import { findContact } from './customers';
import { NS, type CodeRecord, type SandboxContact } from './store';
import { cdata, randomId } from './util';
import type { SandboxEnv } from './wx';

/**
 * WeCom's side of 客户联系: a customer adds a member. The contact is recorded (or the member added
 * to an existing one), with a 20 s WelcomeCode, and the change_external_contact callback sent.
 */
export async function contactAdd(env: SandboxEnv, callbacks: CallbackSender, b: z.infer<typeof ContactAdd>, base: string) {
  const { store } = env;
  const m = await env.registry.require(b.merchantId);
  const now = env.rt.deps.clock.now();
  const sec = Math.floor(now / 1000);
  const existing = await findContact(env, m.id, b.externalUserId);
  await store.update<SandboxContact>(m.id, NS.contact, b.externalUserId, (cur) => {
    const c: SandboxContact = structuredClone(
      cur ??
        existing ?? {
          external_contact: { external_userid: b.externalUserId, name: b.name ?? `客户${b.externalUserId.slice(-4)}`, avatar: '', type: 1, gender: 0 },
          follow_user: [],
        },
    );
    if (b.name) c.external_contact.name = b.name;
    if (!c.follow_user.some((f) => f.userid === b.userId)) {
      c.follow_user.push({ userid: b.userId, remark: '', description: '', createtime: sec, tags: [], state: b.state, add_way: 1 });
    }
    return c;
  });
  let welcomeCode: string | undefined;
  if (b.welcome) {
    welcomeCode = randomId(43);
    await store.create<CodeRecord>(m.id, NS.code, welcomeCode, {
      kind: 'contact_welcome',
      externalUserId: b.externalUserId,
      userId: b.userId,
      issuedAt: now,
      expiresAt: now + LIMITS.welcomeCodeTtlMs,
    });
  }
  const xml =
    `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${sec}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_contact')}</Event><ChangeType>${cdata('add_external_contact')}</ChangeType>` +
    `<UserID>${cdata(b.userId)}</UserID><ExternalUserID>${cdata(b.externalUserId)}</ExternalUserID>` +
    (b.state !== undefined ? `<State>${cdata(b.state)}</State>` : '') +
    (welcomeCode ? `<WelcomeCode>${cdata(welcomeCode)}</WelcomeCode>` : '') +
    `</xml>`;
  return { welcomeCode, callback: b.notify ? await callbacks.deliver(m, xml, false, base) : null };
}

/**
 * A customer adds a member through a 联系我 code (add_contact_way): the callback carries the
 * way's `state` (WeCom leaves State out when the way has none) and a WelcomeCode, so the product's
 * welcome text and channel tags can be tested end to end. skip_verify false would make WeCom wait
 * for the member to accept; the sandbox plays the accepted case, the one that sends the callback.
 */
export async function contactWayAdd(env: SandboxEnv, callbacks: CallbackSender, b: z.infer<typeof ContactWayAdd>, base: string) {
  const m = await env.registry.require(b.merchantId);
  const way = await env.store.get<ContactWay>(m.id, NS.contactWay, b.configId);
  if (!way) throw new AppError('NOT_FOUND.CONTACT_WAY', `沙箱里这家店没有 ${b.configId} 这个联系我二维码`, 404);
  if (b.userId && !way.user.includes(b.userId)) throw new AppError('INPUT.INVALID', `${b.userId} 不在这个二维码的成员里（${way.user.join('、') || '只配了部门'}）`, 400);
  // a way made of departments only: the sandbox knows no members of a department, so one must be named
  const userId = b.userId ?? way.user[0];
  if (!userId) throw new AppError('INPUT.INVALID', '这个二维码只配了部门，要给 userId', 400);
  const out = await contactAdd(
    env,
    callbacks,
    { merchantId: m.id, userId, externalUserId: b.externalUserId, name: b.name, state: way.state || undefined, welcome: b.welcome, notify: b.notify },
    base,
  );
  return { userId, state: way.state, ...out };
}

/**
 * A customer deletes a member (WeCom's del_follow_user): the sandbox's contact keeps the customer
 * without that member — an empty follow_user when it was the last — so a mass send from them
 * answers send_result status 2, whatever the product's own customer row still says. The product
 * hears it through the callback, as from WeCom.
 */
export async function contactDelete(env: SandboxEnv, callbacks: CallbackSender, b: z.infer<typeof ContactDelete>, base: string) {
  const m = await env.registry.require(b.merchantId);
  const sec = Math.floor(env.rt.deps.clock.now() / 1000);
  const existing = await findContact(env, m.id, b.externalUserId);
  if (!existing?.follow_user.some((f) => f.userid === b.userId)) {
    throw new AppError('NOT_FOUND.CONTACT', `沙箱里 ${b.externalUserId} 不是 ${b.userId} 的客户`, 404);
  }
  await env.store.update<SandboxContact>(m.id, NS.contact, b.externalUserId, (cur) => {
    const c: SandboxContact = structuredClone(cur ?? existing);
    return { ...c, follow_user: c.follow_user.filter((f) => f.userid !== b.userId) };
  });
  const xml =
    `<xml><ToUserName>${cdata(m.wecom.corpId)}</ToUserName><FromUserName>${cdata('sys')}</FromUserName><CreateTime>${sec}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('change_external_contact')}</Event><ChangeType>${cdata('del_follow_user')}</ChangeType>` +
    `<UserID>${cdata(b.userId)}</UserID><ExternalUserID>${cdata(b.externalUserId)}</ExternalUserID></xml>`;
  return { callback: b.notify ? await callbacks.deliver(m, xml, false, base) : null };
}
