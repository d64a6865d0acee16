import type { Merchant, SecretKind } from '../../domain/merchant';
import type { ChannelStatus, ConfigProblem } from './channel-status';

/** A configuration problem as the owner reads it: what is wrong and what to do, in plain Chinese. */
export interface ProblemText {
  title: string;
  fix: string;
}

const WHAT: Record<SecretKind, string> = { kf: '微信客服', app: '自建应用', contact: '客户联系' };

/** Where in the WeCom admin console each secret is copied from. */
const WHERE: Record<SecretKind, string> = {
  kf: '应用管理 → 微信客服 → API',
  app: '应用管理 → 自建应用 → 你的应用',
  contact: '客户与上下游 → 客户联系 → API',
};

// the app shows the connection read-only: the new value goes wherever the shop's WeCom settings are kept
const PUT_IT = '换到店小二的企业微信设置里';

/**
 * What a configuration errcode (CONFIG_ERRCODES) on a call of `kind` means for the owner.
 * `kfViaApp`: the shop has no 微信客服 secret and kf calls use the self-built app's.
 */
export function describeProblem(kind: SecretKind, errcode: number, kfViaApp = false): ProblemText {
  const secretOf: SecretKind = kind === 'kf' && kfViaApp ? 'app' : kind;
  switch (errcode) {
    case 40001:
      return { title: `${WHAT[secretOf]}的 Secret 不对`, fix: `到企业微信管理后台 → ${WHERE[secretOf]} 重新复制 Secret（不要带空格），${PUT_IT}` };
    case 40013:
      return { title: '企业 ID 不对', fix: `到企业微信管理后台 → 我的企业 → 企业信息，复制最下面的企业 ID，${PUT_IT}` };
    case 40056:
      return { title: '自建应用的 AgentId 不对', fix: `到企业微信管理后台 → 应用管理 → 自建应用 → 你的应用，复制 AgentId，${PUT_IT}` };
    case 60020:
      return { title: '企业微信不认这台服务器的 IP', fix: '到企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 → 企业可信IP，加上店小二服务器的出口 IP' };
    case 48002:
      return kind === 'kf'
        ? { title: '店小二没有权限收发微信客服消息', fix: '到企业微信管理后台 → 应用管理 → 微信客服 → API，把你的自建应用加到"可调用接口的应用"里' }
        : kind === 'contact'
          ? { title: '店小二没有权限读客户联系', fix: '到企业微信管理后台 → 客户与上下游 → 客户联系 → API，把你的自建应用加到"可调用接口的应用"里' }
          : { title: '自建应用没有这项权限', fix: '到企业微信管理后台 → 应用管理 → 自建应用 → 你的应用，检查它的可见范围和接口权限' };
    case 95000:
    case 95004:
      return { title: '找不到微信客服账号', fix: '到企业微信管理后台 → 应用管理 → 微信客服，看看客服账号是不是被删了；新建以后在 API 里把它交给店小二接待' };
    case 95011:
      return { title: '微信客服账号还在企业微信里接待', fix: '到企业微信管理后台 → 应用管理 → 微信客服 → API，把客服账号交给 API（店小二）接待' };
    case 95012:
      return { title: '企业微信还没开通微信客服', fix: '到企业微信管理后台 → 应用管理 → 微信客服，先开通微信客服，再在 API 里把客服账号交给店小二接待' };
    case 95017:
      return { title: '微信客服的 API 没有打开', fix: '到企业微信管理后台 → 应用管理 → 微信客服 → API，打开 API，并把客服账号交给店小二接待' };
    default:
      return { title: `${WHAT[kind]}接口设置有问题`, fix: '打开 我 → 企业微信连接检查，照着红色的那一项改' };
  }
}

/** What each kind of call is for, in the owner's words: why the problem matters. */
const EFFECT: Record<SecretKind, string> = {
  kf: 'AI 现在回不了客户',
  app: '有客户找人时，企业微信提醒发不出去',
  contact: '加好友的欢迎语和客户资料同步停了',
};

export interface WecomProblem extends ProblemText {
  kind: SecretKind;
  /** What stops working until it is fixed. */
  effect: string;
  at: number;
}

/** The problems the channel recorded, most harmful first (customers first, then notices, then contacts). */
export function wecomProblems(status: ChannelStatus, merchant: Pick<Merchant, 'wecom'>): WecomProblem[] {
  const kfViaApp = !merchant.wecom.secrets.kf && Boolean(merchant.wecom.secrets.app);
  const order: SecretKind[] = ['kf', 'app', 'contact'];
  return order.flatMap((kind) => {
    const p: ConfigProblem | undefined = status.problems?.[kind];
    return p ? [{ kind, ...describeProblem(kind, p.errcode, kfViaApp), effect: EFFECT[kind], at: p.at }] : [];
  });
}
