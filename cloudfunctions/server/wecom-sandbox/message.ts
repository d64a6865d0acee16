import { LIMITS } from './config';
import { obj, randomId, str } from './util';
import { checkText, fail, need, type Handlers } from './wx';

const APP_MSGTYPES = new Set(['text', 'markdown', 'textcard', 'news', 'mpnews', 'image', 'voice', 'video', 'file', 'template_card', 'miniprogram_notice']);

/** App messages from the self-built app (handoff notices, report pushes to members): only its own agentid, only with the app token. */
export function messageHandlers(): Handlers {
  return {
    'message/send': {
      kinds: ['app'],
      method: 'POST',
      run: async (ctx) => {
        const b = ctx.body;
        if (!ctx.merchant.wecom.agentId || Number(b.agentid) !== ctx.merchant.wecom.agentId) fail('invalidAgentId');
        const msgtype = need(b, 'msgtype');
        if (!APP_MSGTYPES.has(msgtype)) fail('invalidMsgtype');
        const touser = str(b.touser);
        if (!touser && !str(b.toparty) && !str(b.totag)) fail('invalidParam', 'touser, toparty and totag cannot all be empty');
        if (touser && touser !== '@all' && touser.split('|').length > 1000) fail('invalidParam', 'touser takes at most 1000 userids');
        if (msgtype === 'text' || msgtype === 'markdown') checkText(ctx.rules, str(obj(b[msgtype]).content), LIMITS.textBytes);
        if (msgtype === 'textcard') {
          // the card's limits (title ≤ 128 B, description ≤ 512 B) and its required link
          const card = obj(b.textcard);
          checkText(ctx.rules, str(card.title), 128);
          checkText(ctx.rules, str(card.description), 512);
          need(card, 'url');
        }
        return { invaliduser: '', invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: randomId(40) };
      },
    },
  };
}
