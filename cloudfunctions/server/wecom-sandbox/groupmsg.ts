import { LIMITS } from './config';
import { allProductCustomers } from './customers';
import { groupMsgLock, resultsOf } from './groupmsg-confirm';
import { NS, type GroupMsgTask, type SandboxContact } from './store';
import { byteLength, obj, randomId, str, strList } from './util';
import { CONTACT, checkText, decCursor, fail, intIn, need, pageOf, type Ctx, type Handlers, type SandboxEnv } from './wx';

/**
 * 客户联系 mass messages (protocol doc §5, §10): a template becomes one task per sending member;
 * members confirm it in their app (control `groupmsg-confirm`), each recipient is decided then
 * (sent, not a friend, quota used up: groupmsg-quota.ts), and the results say who got it.
 * Reminds and cancels act on the members who have not confirmed.
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
        const results = task ? resultsOf(task) : [];
        // send_time only for the ones that went out (status 1), as WeCom answers it
        const rows = (task?.recipients ?? []).map((r, i) => ({
          [key]: r,
          userid,
          status: results[i],
          ...(results[i] === 1 && task!.sendTime ? { send_time: Math.floor(task!.sendTime / 1000) } : {}),
        }));
        return pageOf('send_list', rows, offset, limit);
      },
    },

    'externalcontact/get_groupmsg_list_v2': { kinds: CONTACT, method: 'POST', run: (ctx) => listV2(env, ctx) },

    'externalcontact/remind_groupmsg_send': {
      kinds: CONTACT,
      method: 'POST',
      run: (ctx) =>
        taskWrite(env, ctx, (t) => {
          const unsent = t.tasks.filter((x) => x.status === 0).map((x) => x.userid);
          ctx.rec.to = unsent.join('|');
          ctx.rec.count = unsent.length;
          const recent = (t.remindedAt ?? []).filter((at) => at > ctx.now - 24 * 3600_000);
          if (ctx.rules.remindThreePerDay && recent.length >= LIMITS.remindsPerDay) fail('remindLimit', `already reminded ${recent.length} times in 24 h`);
          return { ...t, remindedAt: [...recent, ctx.now] };
        }),
    },

    'externalcontact/cancel_groupmsg_send': {
      kinds: CONTACT,
      method: 'POST',
      run: (ctx) =>
        taskWrite(env, ctx, (t) => {
          // what was sent stays sent: only the members still holding it are stopped
          const stopped = t.cancelledAt === undefined ? t.tasks.filter((x) => x.status === 0).map((x) => x.userid) : [];
          ctx.rec.to = stopped.join('|');
          ctx.rec.count = stopped.length;
          return { ...t, cancelledAt: t.cancelledAt ?? ctx.now };
        }),
    },
  };
}

/** A change of one task by msgid (unknown → 40058), under the lock confirmations take. */
async function taskWrite(env: SandboxEnv, ctx: Ctx, fn: (t: GroupMsgTask) => GroupMsgTask): Promise<Record<string, unknown>> {
  const msgid = need(ctx.body, 'msgid');
  await env.store.locked(groupMsgLock(ctx.merchant.id), async () => {
    const t = await env.store.get<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid);
    if (!t) fail('invalidParam', 'unknown msgid');
    await env.store.put<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid, fn(t));
  });
  return {};
}

/** get_groupmsg_list_v2: the tasks created in [start_time, end_time] (seconds), oldest first, paged. */
async function listV2(env: SandboxEnv, ctx: Ctx): Promise<Record<string, unknown>> {
  const b = ctx.body;
  const chatType = b.chat_type === undefined ? 'single' : str(b.chat_type);
  if (chatType !== 'single' && chatType !== 'group') fail('invalidParam', 'chat_type is single or group');
  if (b.start_time === undefined || b.end_time === undefined) fail('invalidParam', 'start_time and end_time are required');
  const start = intIn(b.start_time, 0, Number.MAX_SAFE_INTEGER, 0, 'start_time');
  const end = intIn(b.end_time, 0, Number.MAX_SAFE_INTEGER, 0, 'end_time');
  if (start > end) fail('invalidParam', 'start_time is after end_time');
  if (ctx.rules.groupmsgListRange && end - start > LIMITS.groupmsgListRangeS) fail('invalidParam', 'start_time and end_time are more than a month apart');
  const filterType = intIn(b.filter_type, 0, 2, 2, 'filter_type');
  const limit = intIn(b.limit, 1, 100, 50, 'limit');
  const creator = str(b.creator);
  const rows = (await env.store.list<GroupMsgTask>(ctx.merchant.id, NS.groupmsg))
    .map((e) => e.value)
    .filter((t) => t.chatType === chatType)
    .filter((t) => Math.floor(t.createdAt / 1000) >= start && Math.floor(t.createdAt / 1000) <= end)
    // every task made through the API is the corp's (create_type 0): filter_type 1 (个人) finds none
    .filter(() => filterType !== 1)
    .filter((t) => !creator || t.creator === creator)
    .sort((a, z) => a.createdAt - z.createdAt || a.msgid.localeCompare(z.msgid))
    .map((t) => ({
      msgid: t.msgid,
      ...(t.creator ? { creator: t.creator } : {}),
      create_time: Math.floor(t.createdAt / 1000),
      create_type: 0,
      ...(t.text ? { text: { content: t.text } } : {}),
      ...(t.attachments?.length ? { attachments: t.attachments } : {}),
    }));
  return pageOf('group_msg_list', rows, decCursor(b.cursor), limit);
}

async function addMsgTemplate(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const chatType = (str(b.chat_type) || 'single') as 'single' | 'group';
  if (chatType !== 'single' && chatType !== 'group') fail('invalidParam', 'chat_type is single or group');
  const sender = str(b.sender);
  const content = str(obj(b.text).content);
  const attachments = checkAttachments(ctx, b.attachments);
  if (!content && !attachments.length) fail('invalidParam', 'text and attachments cannot both be empty');
  if (content) checkText(ctx.rules, content, LIMITS.longTextBytes);
  if (b.allow_select !== undefined && typeof b.allow_select !== 'boolean') fail('invalidParam', 'allow_select must be a boolean');
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
  await env.store.create<GroupMsgTask>(ctx.merchant.id, NS.groupmsg, msgid, {
    msgid,
    chatType,
    createdAt: ctx.now,
    text: content,
    ...(sender ? { creator: sender } : {}),
    attachments,
    allowSelect: b.allow_select === true,
    tasks,
  });
  return { fail_list: failList, msgid };
}

/** The fields each attachment type needs (protocol doc §5); text fields must be strings. */
const ATTACHMENT_FIELDS: Record<string, { need: string[][]; text: string[] }> = {
  // image: media_id or pic_url
  image: { need: [['media_id', 'pic_url']], text: ['media_id', 'pic_url'] },
  link: { need: [['title'], ['url']], text: ['title', 'picurl', 'desc', 'url'] },
  miniprogram: { need: [['title'], ['pic_media_id'], ['appid'], ['page']], text: ['title', 'pic_media_id', 'appid', 'page'] },
  video: { need: [['media_id']], text: ['media_id'] },
  file: { need: [['media_id']], text: ['media_id'] },
};

/**
 * add_msg_template attachments: each a known msgtype with its required fields (always: a
 * malformed request), and the limits of rule templateAttachments (≤ 9, link desc ≤ 512 bytes,
 * mini-program title ≤ 64 bytes). Media ids are not looked up: the product may name media
 * uploaded before a reset.
 */
function checkAttachments(ctx: Ctx, v: unknown): Record<string, unknown>[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail('invalidParam', 'attachments must be a list');
  if (ctx.rules.templateAttachments && v.length > LIMITS.templateAttachments) fail('invalidParam', `at most ${LIMITS.templateAttachments} attachments`);
  return v.map((a, i) => {
    const msgtype = str(obj(a).msgtype);
    const spec = ATTACHMENT_FIELDS[msgtype];
    if (!spec) fail('invalidParam', `attachments[${i}].msgtype must be image, link, miniprogram, video or file`);
    const part = obj(obj(a)[msgtype]);
    for (const f of spec.text) if (part[f] !== undefined && typeof part[f] !== 'string') fail('invalidParam', `attachments[${i}].${msgtype}.${f} must be a string`);
    for (const any of spec.need) if (!any.some((f) => str(part[f]))) fail('invalidParam', `attachments[${i}].${msgtype}.${any.join(' or ')} is required`);
    if (ctx.rules.templateAttachments) {
      if (msgtype === 'link' && byteLength(str(part.desc)) > LIMITS.linkDescBytes) fail('invalidParam', `attachments[${i}].link.desc exceeds ${LIMITS.linkDescBytes} bytes`);
      if (msgtype === 'miniprogram' && byteLength(str(part.title)) > LIMITS.miniprogramTitleBytes) {
        fail('invalidParam', `attachments[${i}].miniprogram.title exceeds ${LIMITS.miniprogramTitleBytes} bytes`);
      }
    }
    return { msgtype, [msgtype]: part };
  });
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
