import { LIMITS } from './config';
import { NS, type ContactTag, type SandboxContact, type SandboxTagGroup } from './store';
import { findContact } from './customers';
import { limited } from './inflight';
import { obj, randomId, str, strList } from './util';
import { CONTACT, fail, need, type Ctx, type Handlers, type SandboxEnv } from './wx';

/** Characters as WeCom counts them (code points, so an emoji is one). */
export const chars = (s: string) => [...s].length;

/** 客户联系 corp tags: groups of tags per merchant, and the tags members put on their contacts; each API at most 5 calls at once per corp. */
export function tagHandlers(env: SandboxEnv): Handlers {
  const all: Handlers = {
    'externalcontact/get_corp_tag_list': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const groups = await tagGroups(env, ctx.merchant.id);
        const gids = strList(ctx.body.group_id) ?? [];
        const tids = strList(ctx.body.tag_id) ?? [];
        if (gids.length) return { tag_group: groups.filter((g) => gids.includes(g.group_id)) };
        if (tids.length) return { tag_group: groups.map((g) => ({ ...g, tag: g.tag.filter((t) => tids.includes(t.id)) })).filter((g) => g.tag.length) };
        return { tag_group: groups };
      },
    },
    'externalcontact/add_corp_tag': { kinds: CONTACT, method: 'POST', run: (ctx) => addCorpTag(env, ctx) },
    'externalcontact/edit_corp_tag': { kinds: CONTACT, method: 'POST', run: (ctx) => editCorpTag(env, ctx) },
    'externalcontact/del_corp_tag': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const tids = strList(ctx.body.tag_id) ?? [];
        const gids = strList(ctx.body.group_id) ?? [];
        if (!tids.length && !gids.length) fail('invalidParam', 'tag_id and group_id cannot both be empty');
        await env.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
          const groups = structuredClone(cur ?? []);
          for (const gid of gids) if (!groups.some((g) => g.group_id === gid)) fail('invalidTagId', gid);
          for (const tid of tids) if (!groups.some((g) => g.tag.some((t) => t.id === tid))) fail('invalidTagId', tid);
          // a group whose tags are all deleted goes too
          return groups
            .filter((g) => !gids.includes(g.group_id))
            .map((g) => ({ ...g, tag: g.tag.filter((t) => !tids.includes(t.id)) }))
            .filter((g) => g.tag.length);
        });
        return {};
      },
    },
    'externalcontact/mark_tag': { kinds: CONTACT, method: 'POST', run: (ctx) => markTag(env, ctx) },
  };
  return Object.fromEntries(Object.entries(all).map(([api, h]) => [api, limited(env.store, h)]));
}

async function tagGroups(env: SandboxEnv, merchantId: string): Promise<SandboxTagGroup[]> {
  return (await env.store.get<SandboxTagGroup[]>(merchantId, NS.tags, 'groups')) ?? [];
}

/** Adds tags to a group named by id, or by name (created when new); tag names are unique in a group. */
async function addCorpTag(env: SandboxEnv, ctx: Ctx) {
  const b = ctx.body;
  const wanted = Array.isArray(b.tag) ? b.tag.map(obj) : [];
  if (!wanted.length || wanted.some((t) => !str(t.name))) fail('invalidParam', 'tag needs 1+ names');
  if (ctx.rules.thirtyChars && wanted.some((t) => chars(str(t.name)) > LIMITS.nameChars)) fail('invalidParam', `tag names are at most ${LIMITS.nameChars} characters`);
  const groupId = str(b.group_id);
  const groupName = str(b.group_name);
  if (!groupId && !groupName) fail('invalidParam', 'group_id or group_name is required');
  if (ctx.rules.thirtyChars && chars(groupName) > LIMITS.nameChars) fail('invalidParam', `group_name is at most ${LIMITS.nameChars} characters`);
  let result: SandboxTagGroup | null = null;
  await env.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
    const groups = structuredClone(cur ?? []);
    let g = groupId ? groups.find((x) => x.group_id === groupId) : groups.find((x) => x.group_name === groupName);
    if (groupId && !g) fail('invalidTagId', `group ${groupId}`);
    if (!g) {
      g = { group_id: `et${randomId(20)}`, group_name: groupName, create_time: Math.floor(ctx.now / 1000), order: Number(b.order) || 0, deleted: false, tag: [] };
      groups.push(g);
    }
    const added: SandboxTagGroup['tag'] = [];
    for (const t of wanted) {
      if (g.tag.some((x) => x.name === str(t.name)) || added.some((x) => x.name === str(t.name))) fail('tagNameExists', str(t.name));
      added.push({ id: `et${randomId(20)}`, name: str(t.name), create_time: Math.floor(ctx.now / 1000), order: Number(t.order) || 0, deleted: false });
    }
    g.tag.push(...added);
    result = { ...g, tag: added };
    return groups;
  });
  return { tag_group: result };
}

/** Renames or reorders a group or a tag, whichever the id names. */
async function editCorpTag(env: SandboxEnv, ctx: Ctx) {
  const id = need(ctx.body, 'id');
  const name = ctx.body.name === undefined ? undefined : str(ctx.body.name);
  const order = ctx.body.order === undefined ? undefined : Number(ctx.body.order);
  // the documented limit is on tag names; a group name is held to it too (WeCom's doc is silent on groups)
  if (name && ctx.rules.thirtyChars && chars(name) > LIMITS.nameChars) fail('invalidParam', `names are at most ${LIMITS.nameChars} characters`);
  await env.store.update<SandboxTagGroup[]>(ctx.merchant.id, NS.tags, 'groups', (cur) => {
    const groups = structuredClone(cur ?? []);
    const g = groups.find((x) => x.group_id === id);
    if (g) {
      if (name && groups.some((x) => x !== g && x.group_name === name)) fail('tagNameExists', name);
      if (name) g.group_name = name;
      if (order !== undefined) g.order = order;
      return groups;
    }
    for (const grp of groups) {
      const t = grp.tag.find((x) => x.id === id);
      if (!t) continue;
      if (name && grp.tag.some((x) => x !== t && x.name === name)) fail('tagNameExists', name);
      if (name) t.name = name;
      if (order !== undefined) t.order = order;
      return groups;
    }
    fail('invalidTagId', id);
  });
  return {};
}

/** A member's tags on one of their contacts. */
async function markTag(env: SandboxEnv, ctx: Ctx) {
  const userid = need(ctx.body, 'userid');
  const ext = need(ctx.body, 'external_userid');
  const add = strList(ctx.body.add_tag ?? []) ?? fail('invalidParam', 'add_tag must be a list of tag ids');
  const remove = strList(ctx.body.remove_tag ?? []) ?? fail('invalidParam', 'remove_tag must be a list of tag ids');
  if (!add.length && !remove.length) fail('invalidParam', 'add_tag and remove_tag cannot both be empty');
  const groups = await tagGroups(env, ctx.merchant.id);
  const tagById = new Map<string, ContactTag>();
  for (const g of groups) for (const t of g.tag) tagById.set(t.id, { group_name: g.group_name, tag_name: t.name, tag_id: t.id, type: 1 });
  for (const id of [...add, ...remove]) if (!tagById.has(id)) fail('invalidTagId', id);
  const base = await findContact(env, ctx.merchant.id, ext);
  if (!base) fail('notContact');
  await env.store.update<SandboxContact>(ctx.merchant.id, NS.contact, ext, (cur) => {
    const c = structuredClone(cur ?? base);
    const fu = c.follow_user.find((f) => f.userid === userid);
    if (!fu) fail('notContact', `${ext} is not a customer of ${userid}`);
    fu.tags = fu.tags.filter((t) => !remove.includes(t.tag_id));
    for (const id of add) if (!fu.tags.some((t) => t.tag_id === id)) fu.tags.push(tagById.get(id)!);
    return c;
  });
  return {};
}
