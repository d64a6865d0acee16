import dayjs from 'dayjs';
// `when` needs dayjs's time-zone plugin, which domain/time installs
import '../../domain/time';
import { type ChannelStatus, type TokenResult } from '../channel-wecom/channel-status';
import { describeProblem } from '../channel-wecom/config-problems';

/** One line of 企业微信连接检查: what is checked, what we saw and, when red, what to do. */
export interface SetupCheckItem {
  key: string;
  ok: boolean;
  label: string;
  detail: string;
  fix: string | null;
  /** Not run (not needed or not asked for); counts as ok. */
  skipped?: boolean;
}

/*
 * The checker's items from what the WeCom channel recorded (callback verified, events received,
 * token results and problems, kf accounts, who gets handoff notices): what 企业微信连接检查 shows
 * where nothing can be checked live, and the items only the record can tell (events, notify).
 */

const when = (at: number, tz: string) => dayjs(at).tz(tz).format('M月D日 HH:mm');

/** Why a gettoken failed, and what the owner does about it. */
function tokenFix(t: TokenResult, what: string): string {
  switch (t.errcode) {
    case 40001:
    case 40013:
      return `${what}的 Secret 或 CorpID 不对：到企业微信管理后台重新复制 Secret（复制时不要带空格），再到店铺设置里填一次`;
    case 60020:
      return '企业微信不认这台服务器的 IP：到 应用管理 → 自建应用 → 企业可信IP 里加上服务器的出口 IP';
    case 48002:
      return `${what}没有这个接口的权限：到企业微信管理后台给它开通对应权限`;
    default:
      return `最近一次出错：${t.message ?? t.code ?? '连不上企业微信'}。稍后点"重新检查"；一直不好请联系我们`;
  }
}

export function setupItems(s: {
  status: ChannelStatus;
  tz: string;
  callbackUrl: string;
  secrets: { app: boolean; contact: boolean; kf: boolean };
  /** No 微信客服 secret: kf calls use the self-built app's. */
  kfViaApp?: boolean;
  agentId: number | null;
  notifiable: number;
}): SetupCheckItem[] {
  const { status, tz } = s;
  const items: SetupCheckItem[] = [];
  items.push({
    key: 'callback',
    ok: Boolean(status.callbackVerifiedAt),
    label: '回调地址验证',
    detail: status.callbackVerifiedAt ? `${when(status.callbackVerifiedAt, tz)} 验证通过` : '企业微信还没来验证过回调地址',
    fix: status.callbackVerifiedAt
      ? null
      : `到企业微信管理后台 → 应用管理 → 自建应用（和 微信客服 → API）→ 接收消息 → 设置 API 接收：URL 填 ${s.callbackUrl}，Token 和 EncodingAESKey 填得和店小二里的一样，点保存`,
  });
  const rejected = status.lastRejected && (!status.lastEvent || status.lastRejected.at > status.lastEvent.at);
  items.push({
    key: 'events',
    ok: Boolean(status.lastEvent) && !rejected,
    label: '收到企业微信的消息',
    detail: rejected
      ? `${when(status.lastRejected!.at, tz)} 收到一条对不上签名的消息`
      : status.lastEvent
        ? `最近一次：${when(status.lastEvent.at, tz)}（${status.lastEvent.type || '消息'}）`
        : '还没收到过',
    fix: rejected
      ? 'Token 或 EncodingAESKey 和企业微信后台填的不一样：两边改成同一组，再保存一次'
      : status.lastEvent
        ? null
        : '用微信扫一下你的微信客服二维码，发一句"你好"，再回来点重新检查',
  });
  const kinds: { kind: 'kf' | 'app' | 'contact'; label: string; need: string; what: string }[] = [
    { kind: 'kf', label: '微信客服接口', what: '微信客服', need: 'AI 要靠它回复客户：到 应用管理 → 微信客服 → API 里复制 Secret，填到店铺设置' },
    { kind: 'app', label: '自建应用接口', what: '自建应用', need: '有客户找人时，靠它提醒你和值班的人：到 应用管理 → 自建应用 里复制 Secret 和 AgentId，填到店铺设置' },
    {
      kind: 'contact',
      label: '客户联系接口',
      what: '客户联系',
      need: '加好友自动欢迎、同步客户要用它：到 客户联系 → 客户 → API 里复制 Secret（2023 年 12 月后新建的企业请用自建应用的 Secret）',
    },
  ];
  for (const k of kinds) {
    const t = status.tokens?.[k.kind];
    const has = s.secrets[k.kind];
    // a configuration error a real call got (recorded as it happened, cleared by the next success)
    const p = status.problems?.[k.kind];
    const problem = p ? { ...describeProblem(k.kind, p.errcode, s.kfViaApp), at: p.at } : null;
    // 客户联系 is optional: a shop that only answers through 微信客服 never needs its secret
    if (!has && k.kind === 'contact') {
      items.push({ key: 'token_contact', ok: true, label: k.label, detail: `没填 Secret（用不到客户联系就不用填）。${k.need}`, fix: null, skipped: true });
      continue;
    }
    items.push({
      key: `token_${k.kind}`,
      ok: has && (t ? t.ok : true) && !problem,
      label: k.label,
      detail: !has
        ? '还没填 Secret'
        : problem
          ? `${when(problem.at, tz)} ${problem.title}`
          : !t
            ? '已填 Secret，还没用过'
            : t.ok
              ? `${when(t.at, tz)} 连接正常`
              : `${when(t.at, tz)} 连接失败${t.errcode !== undefined ? `（错误码 ${t.errcode}）` : ''}`,
      fix: !has ? k.need : problem ? problem.fix : t && !t.ok ? tokenFix(t, k.what) : null,
    });
  }
  const kf = status.kfAccounts;
  items.push({
    key: 'kf_accounts',
    ok: Boolean(kf && 'names' in kf && kf.names.length),
    label: '微信客服账号',
    detail: !kf ? '还没查到' : 'error' in kf ? '查不到客服账号' : kf.names.length ? `有 ${kf.names.length} 个：${kf.names.slice(0, 3).join('、')}` : '一个客服账号都没有',
    fix: !kf || 'error' in kf || !kf.names.length ? '到企业微信管理后台 → 应用管理 → 微信客服 里创建一个客服账号，并在 API 里把它交给店小二接待' : null,
  });
  items.push({
    key: 'notify',
    ok: s.notifiable > 0 && s.agentId !== null && s.secrets.app,
    label: '有人找人工时提醒谁',
    detail: s.notifiable > 0 ? `会提醒 ${s.notifiable} 个人` : '没有人会收到企业微信提醒（小程序里的红点还是有的）',
    fix:
      s.notifiable === 0
        ? '到 我的 → 店员和邀请码，给自己和值班的店员填上企业微信账号'
        : s.agentId === null || !s.secrets.app
          ? '还要填自建应用的 AgentId 和 Secret，提醒才能发出去'
          : null,
  });
  return items;
}
