import { LIMITS } from './config';
import { allProductCustomers, contactFromCustomer, findContact, useCode } from './customers';
import { NS, type CodeRecord, type SandboxContact } from './store';
import { obj, str, strList } from './util';
import { CONTACT, checkText, decCursor, fail, intIn, need, pageOf, type Handlers, type SandboxEnv } from './wx';

/** 客户联系: contacts, member by member, and the welcome message a new contact's WelcomeCode allows. */
export function contactHandlers(env: SandboxEnv): Handlers {
  const { store } = env;
  return {
    'externalcontact/get': {
      kinds: CONTACT,
      method: 'GET',
      run: async (ctx) => {
        const ext = ctx.req.query.get('external_userid') ?? '';
        if (!ext) fail('invalidParam', 'external_userid is required');
        const c = await findContact(env, ctx.merchant.id, ext);
        if (!c) fail('notContact');
        return { external_contact: c.external_contact, follow_user: c.follow_user };
      },
    },

    'externalcontact/batch/get_by_user': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const users = strList(ctx.body.userid_list);
        if (!users || users.length < 1 || users.length > 100) fail('invalidParam', 'userid_list takes 1..100 userids');
        const limit = intIn(ctx.body.limit, 1, 100, 50, 'limit');
        const offset = decCursor(ctx.body.cursor);
        const contacts = new Map<string, SandboxContact>();
        for (const c of await allProductCustomers(env, ctx.merchant.id)) {
          const x = contactFromCustomer(c);
          if (x) contacts.set(c.externalUserId, x);
        }
        for (const e of await store.list<SandboxContact>(ctx.merchant.id, NS.contact)) contacts.set(e.key, e.value);
        const rows: Record<string, unknown>[] = [];
        for (const ext of [...contacts.keys()].sort()) {
          const c = contacts.get(ext)!;
          for (const fu of c.follow_user) {
            if (!users.includes(fu.userid)) continue;
            const { tags, ...rest } = fu;
            rows.push({ external_contact: c.external_contact, follow_info: { ...rest, tag_id: tags.map((t) => t.tag_id) } });
          }
        }
        return pageOf('external_contact_list', rows, offset, limit);
      },
    },

    'externalcontact/send_welcome_msg': {
      kinds: CONTACT,
      method: 'POST',
      run: async (ctx) => {
        const code = need(ctx.body, 'welcome_code');
        const peek = await store.get<CodeRecord>(ctx.merchant.id, NS.code, code);
        if (peek) ctx.rec.to = peek.externalUserId;
        const content = str(obj(ctx.body.text).content);
        const attachments = Array.isArray(ctx.body.attachments) ? ctx.body.attachments : [];
        if (!content && !attachments.length) fail('invalidParam', 'text and attachments cannot both be empty');
        if (attachments.length > 9) fail('invalidParam', 'at most 9 attachments');
        if (content) checkText(ctx.rules, content, LIMITS.longTextBytes);
        await useCode(env, ctx, code, ['contact_welcome']);
        return {};
      },
    },
  };
}
