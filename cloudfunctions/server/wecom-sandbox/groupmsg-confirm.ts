import { AppError } from '@xiaoer/shared/domain/errors';
import type { SandboxRules } from './config';
import { deliver } from './groupmsg-quota';
import { NS, type GroupMsgResult, type GroupMsgTask, type SandboxContact } from './store';
import type { SandboxEnv } from './wx';

/** One lock per merchant for every write of a mass-send task (confirm, cancel), so none is lost or doubled. */
export const groupMsgLock = (merchantId: string) => `${merchantId}|groupmsg`;

/**
 * Who each customer is a friend of at WeCom: the sandbox's own contacts (control contact-add,
 * contact-delete) over the product's customers (their member, unless the product saw them go).
 */
export async function friendsOf(env: SandboxEnv, merchantId: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await env.rt.storage.customers.listFacts(merchantId, { limit: 1000, cursor });
    for (const c of page.items) if (c.followUserId && !c.lost) out.set(c.externalUserId, new Set([c.followUserId]));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  for (const e of await env.store.list<SandboxContact>(merchantId, NS.contact)) out.set(e.key, new Set(e.value.follow_user.map((f) => f.userid)));
  return out;
}

export interface MemberOutcome {
  userid: string;
  /** `sent`: confirmed by this call; `already_sent`: confirmed before. */
  result: 'sent' | 'already_sent';
  sendTime: number;
  /** Recipients by send_result status: 1, 2 and 3. */
  delivered: number;
  notFriend: number;
  quotaUsedUp: number;
}

/**
 * A member (or every member) confirms the task in the WeCom client: each recipient is decided
 * now (groupmsg-quota `deliver`). A cancelled task can no longer be confirmed by members who had
 * not: that answers an error naming them, and nothing changes.
 */
export async function confirmGroupMsg(env: SandboxEnv, rules: SandboxRules, g: { merchantId: string; msgid: string; userid?: string }) {
  const m = await env.registry.require(g.merchantId);
  return env.store.locked(groupMsgLock(m.id), async () => {
    const now = env.rt.deps.clock.now();
    const t = await env.store.get<GroupMsgTask>(m.id, NS.groupmsg, g.msgid);
    if (!t) throw new AppError('NOT_FOUND.GROUPMSG', `沙箱里这家店没有 ${g.msgid} 这条群发`, 404);
    const targets = t.tasks.filter((x) => !g.userid || x.userid === g.userid);
    if (!targets.length) throw new AppError('NOT_FOUND.GROUPMSG_MEMBER', `${g.userid} 不是这条群发的发送成员（${t.tasks.map((x) => x.userid).join('、')}）`, 404);
    const pending = targets.filter((x) => x.status === 0);
    if (t.cancelledAt !== undefined && pending.length) {
      throw new AppError('CONFLICT.GROUPMSG_CANCELLED', `这条群发已经取消了，${pending.map((x) => x.userid).join('、')} 还没发的不能再发`, 409);
    }
    const friends = t.chatType === 'single' && pending.length ? await friendsOf(env, m.id) : null;
    const decided = new Map<string, GroupMsgResult[]>();
    for (const x of pending) {
      const isFriend = (id: string) => !friends || friends.get(id)?.has(x.userid) === true;
      decided.set(x.userid, await deliver(env.store, m.id, now, rules.massSendQuota, x.recipients, isFriend));
    }
    const tasks = t.tasks.map((x) => {
      const results = decided.get(x.userid);
      return results ? { ...x, status: 2 as const, sendTime: now, results } : x;
    });
    if (decided.size) await env.store.put<GroupMsgTask>(m.id, NS.groupmsg, t.msgid, { ...t, tasks });
    const members: MemberOutcome[] = tasks
      .filter((x) => targets.some((y) => y.userid === x.userid))
      .map((x) => {
        const rs = resultsOf(x);
        const n = (s: GroupMsgResult) => rs.filter((r) => r === s).length;
        return { userid: x.userid, result: decided.has(x.userid) ? 'sent' : 'already_sent', sendTime: x.sendTime ?? now, delivered: n(1), notFriend: n(2), quotaUsedUp: n(3) };
      });
    return { msgid: t.msgid, members };
  });
}

/** Each recipient's send_result status; a task confirmed before results were kept reads as all sent. */
export function resultsOf(x: GroupMsgTask['tasks'][number]): GroupMsgResult[] {
  if (x.status === 0) return x.recipients.map(() => 0);
  return x.results ?? x.recipients.map(() => 1);
}
