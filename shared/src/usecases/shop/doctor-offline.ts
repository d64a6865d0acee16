import { CorpId, type Merchant, type SealedSecret } from '../../domain/merchant';

/** One line of the setup doctor: a stable English `name`, the rest in the owner's words. */
export interface DoctorCheck {
  name: string;
  label: string;
  ok: boolean;
  /** What was seen; names only, never a secret's value. */
  detail: string;
  /** null when ok; otherwise what to do, with the console path to click. */
  fix: string | null;
  /** Not run (not needed, not asked for, or something it depends on is already red); counts as ok. */
  skipped?: boolean;
}

/** The one place the owner types WeCom values into 店小二 (the app shows them read-only). */
export const PUT_IN = '填到店小二的企业微信设置里';
/** Where the callback Token and EncodingAESKey live in the WeCom admin console. */
export const RECEIVE_PATH = '企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 → 接收消息 → 设置API接收';

const pass = (name: string, label: string, detail: string): DoctorCheck => ({ name, label, ok: true, detail, fix: null });
const fail = (name: string, label: string, detail: string, fix: string): DoctorCheck => ({ name, label, ok: false, detail, fix });
const skip = (name: string, label: string, detail: string): DoctorCheck => ({ name, label, ok: true, detail, fix: null, skipped: true });

/** A sealed value opened, or '' when it is absent or can't be opened (a key change, a damaged record). */
export function openOr(open: (s: SealedSecret) => string, sealed: SealedSecret | undefined): string {
  if (!sealed) return '';
  try {
    return open(sealed);
  } catch {
    return '';
  }
}

export interface OfflineInput {
  merchant: Merchant;
  open: (s: SealedSecret) => string;
  /** The callback URL WeCom is told; `own`: derived from this server's address rather than set for the shop. */
  callback: { url: string | null; own: boolean };
  /** The local sandbox reaches the host on its local address, so the host's own local URL is fine there. */
  target: 'sandbox' | 'wecom';
}

/** The plaintext callback pairs (default first, then the 微信客服 pair), as stored. */
export function callbackPairs(m: Merchant, open: OfflineInput['open']): { which: string; token: string; aesKey: string }[] {
  const pairs = [{ which: '', token: openOr(open, m.wecom.callback?.token), aesKey: openOr(open, m.wecom.callback?.aesKey) }];
  if (m.wecom.kfCallback) pairs.push({ which: '微信客服的', token: openOr(open, m.wecom.kfCallback.token), aesKey: openOr(open, m.wecom.kfCallback.aesKey) });
  return pairs;
}

const WHERE = {
  corpId: '企业微信管理后台 → 我的企业 → 企业信息，最下面的企业ID',
  kf: '企业微信管理后台 → 应用管理 → 微信客服 → API 里的 Secret（或者只用自建应用的 Secret，并把应用加到「可调用接口的应用」）',
  app: '企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 里的 Secret',
  agentId: '企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 里的 AgentId',
  pair: `${RECEIVE_PATH} 里的 Token 和 EncodingAESKey（点「随机获取」生成）`,
};

/** Everything the doctor can tell without the network: fields present and well-formed, a callback URL WeCom can reach. */
export function offlineChecks(input: OfflineInput): DoctorCheck[] {
  return [fieldsCheck(input), aesKeyCheck(input), tokenCheck(input), agentIdCheck(input.merchant), callbackUrlCheck(input)];
}

function fieldsCheck({ merchant: m, open }: OfflineInput): DoctorCheck {
  const missing: { what: string; where: string }[] = [];
  if (!m.wecom.corpId || !CorpId.safeParse(m.wecom.corpId).success) missing.push({ what: '企业ID（CorpID）', where: WHERE.corpId });
  if (!m.wecom.secrets.kf && !m.wecom.secrets.app) missing.push({ what: '微信客服的 Secret', where: WHERE.kf });
  if (!m.wecom.secrets.app) missing.push({ what: '自建应用的 Secret', where: WHERE.app });
  if (m.wecom.agentId === undefined || m.wecom.agentId === null) missing.push({ what: 'AgentId', where: WHERE.agentId });
  const pair = callbackPairs(m, open)[0];
  if (!pair.token || !pair.aesKey) missing.push({ what: 'Token 和 EncodingAESKey', where: WHERE.pair });
  const label = '必填项';
  const optional = m.wecom.secrets.contact ? '' : '（客户联系的 Secret 没填：加好友自动欢迎、客户标签和群发要用它，用到再填）';
  if (!missing.length) return pass('fields', label, `企业ID、Secret、AgentId、Token、EncodingAESKey 都填了${optional}`);
  return fail('fields', label, `还缺：${missing.map((x) => x.what).join('、')}`, `到 ${missing.map((x) => `${x.where}`).join('；')}，复制以后${PUT_IN}`);
}

function aesKeyCheck({ merchant: m, open }: OfflineInput): DoctorCheck {
  const label = 'EncodingAESKey';
  const pairs = callbackPairs(m, open).filter((p) => p.aesKey);
  if (!pairs.length) return skip('aes_key', label, '还没填（见「必填项」）');
  for (const p of pairs) {
    const key = p.aesKey;
    const problem = key.length !== 43 ? `有 ${key.length} 位，应该正好 43 位` : !/^[A-Za-z0-9]{43}$/.test(key) ? '里面有字母和数字以外的字符（空格、符号）' : null;
    if (problem) {
      return fail(
        'aes_key',
        label,
        `${p.which}EncodingAESKey ${problem}`,
        `到 ${RECEIVE_PATH}，点 EncodingAESKey 旁边的「随机获取」，把 43 位完整复制（前后不要带空格），${PUT_IN}，两边保存成同一个`,
      );
    }
  }
  return pass('aes_key', label, `43 位，格式正确${pairs.length > 1 ? '（两组都对）' : ''}`);
}

function tokenCheck({ merchant: m, open }: OfflineInput): DoctorCheck {
  const label = 'Token';
  const pairs = callbackPairs(m, open).filter((p) => p.token);
  if (!pairs.length) return skip('token', label, '还没填（见「必填项」）');
  for (const p of pairs) {
    // the console's rule (domain/merchant.ts CallbackToken): letters and digits, at most 32
    const problem = p.token.length > 32 ? `有 ${p.token.length} 位，最多 32 位` : !/^[A-Za-z0-9]+$/.test(p.token) ? '里面有字母和数字以外的字符（空格、符号）' : null;
    if (problem) return fail('token', label, `${p.which}Token ${problem}`, `到 ${RECEIVE_PATH}，点 Token 旁边的「随机获取」，完整复制，${PUT_IN}，两边保存成同一个`);
  }
  return pass('token', label, '格式正确（字母和数字，不超过 32 位）');
}

function agentIdCheck(m: Merchant): DoctorCheck {
  const label = 'AgentId';
  // read as stored: a record written by hand or by an older version may hold anything here
  const raw: unknown = m.wecom.agentId;
  if (raw === undefined || raw === null) return skip('agent_id', label, '还没填（见「必填项」）');
  if (typeof raw === 'number' && Number.isInteger(raw) && raw > 0) return pass('agent_id', label, `${raw}`);
  return fail('agent_id', label, 'AgentId 不是一串数字', `到 ${WHERE.agentId}（一串数字，比如 1000002），${PUT_IN}`);
}

/** Why WeCom's servers can't call this URL, or null when it is a public https address. */
export function unreachableUrl(url: string): string | null {
  // parsed by hand: shared code compiles without Node's or the DOM's URL
  const u = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[0-9a-f:.]+\]|[^/:?#]+)(?::\d{1,5})?(?:[/?#]|$)/i.exec(url.trim());
  if (!u) return '不是一个完整的网址';
  const host = u[2].replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\./.test(host) || host === '0.0.0.0') return `是本机地址（${host}），企业微信的服务器连不上`;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    const inside = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127) || a === 0;
    if (inside) return `是内网地址（${host}），企业微信的服务器连不上`;
  } else if (host.includes(':')) {
    if (/^(fc|fd|fe8|fe9|fea|feb)/.test(host)) return `是内网地址（${host}），企业微信的服务器连不上`;
  } else if (!host.includes('.') || /\.(local|lan|internal|home)$/.test(host)) {
    return `不是公网域名（${host}），企业微信的服务器连不上`;
  }
  if (u[1].toLowerCase() !== 'https') return '不是 https 开头（企业微信要求回调地址用 https）';
  return null;
}

function callbackUrlCheck({ merchant: m, callback, target }: OfflineInput): DoctorCheck {
  const label = '回调地址';
  const path = `/wecom/callback/${m.id}`;
  const setIt = `再到 ${RECEIVE_PATH}，URL 填 https://<店小二的公网地址>${path}，点保存`;
  if (!callback.url) {
    return fail(
      'callback_url',
      label,
      '不知道店小二的公网地址，企业微信没法把消息送过来',
      `给店小二设置 PUBLIC_URL（它的公网 https 地址；在 CloudBase 上是 HTTP 访问服务的域名），${setIt}`,
    );
  }
  const problem = unreachableUrl(callback.url);
  if (!problem) return pass('callback_url', label, callback.url);
  // the built-in sandbox is on this machine and calls the host where it listens
  if (callback.own && target === 'sandbox') return pass('callback_url', label, `${callback.url}（本地沙箱用这个地址；接真的企业微信前要设置 PUBLIC_URL 为公网 https 地址）`);
  const fix = callback.own
    ? `把店小二放到有公网 https 地址的地方（上线用 CloudBase 的 HTTP 访问服务），设置 PUBLIC_URL，${setIt}`
    : `这家店的回调地址是单独设置的：换成公网 https 地址（上线用 CloudBase 的 HTTP 访问服务），${PUT_IN}，${setIt}`;
  return fail('callback_url', label, `${callback.url} ${problem}`, fix);
}
