import { LIMITS } from './config';
import { allProductCustomers } from './customers';
import { NS, type GroupMsgTask, type SandboxContact } from './store';
import { obj, randomId, str, strList } from './util';
import { CONTACT, checkText, decCursor, fail, intIn, need, pageOf, type Ctx, type Handlers, type SandboxEnv } from './wx';

/**
 * 客户联系 mass messages: a template becomes one task per sending member; members confirm it in
 * their app (control `groupmsg-confirm`), and the results say who got it.
 */
export function groupMsgHandlers(env: SandboxEnv): Handlers {
  const { store } = env;
  return {
    'externalcontact/add_msg_template': { kinds: CONTACT, method: 'POST', run: (ctx) => addMsgTemplate(env, ctx) },

    'externalcontact/get_groupmsg_task': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const msgid = need(ctx.body, 'msgid');
        const limit = intIn(ctx.body.limit, 1, 1000, 500, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const t = await store.get<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid);
        if (!t) fail('invalidParam', 'unknown msgid');
        const rows = t.tasks.map((x) => ({ userid: x.userid, status: x.status, ...(x.sendTime ? { send_time: Math.floor(x.sendTime / 1000) } : {}) }));
        return pageOf('task_list', rows, offset, limit);
      },
    },

    'externalcontact/get_groupmsg_send_result': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const msgid = need(ctx.body, 'msgid');
        const userid = need(ctx.body, 'userid');
        const limit = intIn(ctx.body.limit, 1, 1000, 500, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const t = await store.get<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid);
        if (!t) fail('invalidParam', 'unknown msgid');
        const task = t.tasks.find((x) => x.userid === userid);
        const key = t.chatType === 'group' ? 'chat_id' : 'external_userid';
        const rows = (task?.recipients ?? []).map((r) => ({
          [key]: r,
          userid,
          status: task!.status === 2 ? 1 : 0,
          ...(task!.sendTime ? { send_time: Math.floor(task!.sendTime / 1000) } : {}),
        }));
        return pageOf('send_list', rows, offset, limit);
      },
    },
  };
}

async function addMsgTemplate(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const chatType = (str(b.chat_type) || 'single') as 'single' | 'group';
  if (chatType !== 'single' && chatType !== 'group') fail('invalidParam', 'chat_type is single or group');
  const sender = str(b.sender);
  const content = str(obj(b.text).content);
  const attachments = Array.isArray(b.attachments) ? b.attachments : [];
  if (!content && !attachments.length) fail('invalidParam', 'text and attachments cannot both be empty');
  if (content) checkText(ctx.rules, content, LIMITS.longTextBytes);
  const msgid = `msg${randomId(28)}`;
  let tasks: GroupMsgTask['tasks'];
  const failList: string[] = [];
  if (chatType === 'group') {
    const chats = strList(b.chat_id_list ?? []) ?? fail('invalidParam', 'chat_id_list must be a list');
    if (!sender) fail('invalidParam', 'sender is required for chat_type group');
    if (chats.length > LIMITS.templateChats) fail('invalidParam', `chat_id_list exceeds ${LIMITS.templateChats}`);
    tasks = [{ userid: sender, status: 0, recipients: chats }];
  } else {
    const ids = strList(b.external_userid ?? []) ?? fail('invalidParam', 'external_userid must be a list');
    if (!ids.length && !sender) fail('invalidParam', 'external_userid and sender cannot both be empty');
    if (ctx.rules.templateRecipients && ids.length > LIMITS.templateRecipients) fail('invalidParam', `external_userid exceeds ${LIMITS.templateRecipients}`);
    tasks = sender ? [{ userid: sender, status: 0, recipients: ids }] : await tasksByFollower(env, ctx.merchant.id, ids, failList);
  }
  await env.store.create<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid, { msgid, chatType, createdAt: ctx.now, text: content, tasks });
  return { fail_list: failList, msgid };
}

/** No sender: each customer's own member sends; customers nobody follows go to `failList`. */
async function tasksByFollower(env: SandboxEnv, merchantId: string, ids: string[], failList: string[]): Promise<GroupMsgTask['tasks']> {
  const follow = new Map<string, string>();
  for (const c of await allProductCustomers(env, merchantId)) if (c.followUserId) follow.set(c.externalUserId, c.followUserId);
  for (const e of await env.store.list<SandboxContact>(merchantId, NS.contact)) {
    const u = e.value.follow_user[0]?.userid;
    if (u) follow.set(e.key, u);
  }
  const byUser = new Map<string, string[]>();
  for (const id of ids) {
    const u = follow.get(id);
    if (!u) failList.push(id);
    else byUser.set(u, [...(byUser.get(u) ?? []), id]);
  }
  return [...byUser].map(([userid, recipients]) => ({ userid, status: 0 as const, recipients }));
}
