import type { Merchant } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import type { SetupProbe } from '../../ports/setup-probe';
import type { WecomApi } from '../../ports/wecom';
import { readStatus } from '../channel-wecom/channel-status';
import { kfAccountsCheck, messageSendCheck, robotCheck, tokenChecks, unreachableFix, withTimeout, type LiveEnv } from './doctor-live';
import { callbackPairs, offlineChecks, RECEIVE_PATH, type DoctorCheck } from './doctor-offline';
import { requireMerchant } from './require-merchant';
import { setupItems, type SetupCheckItem } from './setup-recorded';

export type { DoctorCheck } from './doctor-offline';

/**
 * The setup doctor (issue 17 §4): every check from a new 企业微信 to the first AI answer, in one
 * list the CLI (`doctor`) and the app (企业微信连接检查, `setup.check`) both show. Offline checks
 * read the stored settings; live ones ask WeCom and the callback URL when a client and a probe
 * are given; what only the record can tell (the last event, who gets notices) comes from the
 * channel status, and so do the live ones where nothing can be asked.
 */
export interface DoctorEnv {
  deps: Deps;
  /** Absent: nothing is asked live. */
  wecom?: WecomApi;
  probe?: SetupProbe;
  /** This server's public address (PUBLIC_URL; locally the host's own). */
  appUrl?: () => string | undefined;
}

export interface DoctorOptions {
  /** message/send to the owners and a real line to the group robot: real messages, so only when asked. */
  sendTest?: boolean;
  /** How to run the send test from where the doctor was asked (a CLI flag, a button in the app). */
  sendTestHint?: string;
  /** Each live check's own limit. */
  timeoutMs?: number;
}

export const DOCTOR_TIMEOUT_MS = 8_000;

/** The callback URL WeCom is told: the shop's own setting, else this server's address. */
export function callbackUrlOf(m: Merchant, appUrl?: () => string | undefined): { url: string | null; own: boolean } {
  if (m.wecom.callbackUrl) return { url: m.wecom.callbackUrl, own: false };
  const base = appUrl?.();
  return { url: base ? `${base.replace(/\/+$/, '')}/wecom/callback/${encodeURIComponent(m.id)}` : null, own: true };
}

const ORDER = [
  'fields',
  'aes_key',
  'token',
  'agent_id',
  'callback_url',
  'token_kf',
  'token_app',
  'token_contact',
  'kf_accounts',
  'callback',
  'events',
  'notify',
  'message_send',
  'robot',
];

export async function runDoctor(env: DoctorEnv, merchantId: string, opts: DoctorOptions = {}): Promise<{ checks: DoctorCheck[]; ok: boolean }> {
  const { deps } = env;
  const m = await requireMerchant(deps, merchantId);
  const target = env.probe?.target ?? 'wecom';
  const callback = callbackUrlOf(m, env.appUrl);
  const offline = offlineChecks({ merchant: m, open: deps.secrets.open, callback, target });
  const good = (name: string) => offline.some((c) => c.name === name && c.ok && !c.skipped);
  const live: LiveEnv | null = env.wecom ? { deps, wecom: env.wecom, probe: env.probe, timeoutMs: opts.timeoutMs ?? DOCTOR_TIMEOUT_MS, target } : null;
  const sendTest = Boolean(opts.sendTest);
  const hint = opts.sendTestHint ?? '';

  const [tokens, kf, roundTrip, send, robot] = await Promise.all([
    live?.probe ? tokenChecks(live, m) : null,
    live ? kfAccountsCheck(live, m) : null,
    // a malformed key or an unreachable URL is already named above; a round trip would only repeat it
    live?.probe && callback.url && good('callback_url') && good('aes_key') && good('token') ? roundTripCheck(live, live.probe, m, callback.url) : null,
    live ? messageSendCheck(live, m, sendTest, hint) : null,
    live ? robotCheck(live, m, sendTest) : null,
  ]);

  // read after the live checks: they record what they saw (tokens, kf accounts, the verification)
  const status = await readStatus(deps, m.id);
  const members = await deps.storage.members.list(m.id);
  const recorded = setupItems({
    status,
    tz: m.timezone,
    callbackUrl: callback.url ?? `<店小二的公网地址>/wecom/callback/${m.id}`,
    secrets: { app: Boolean(m.wecom.secrets.app), contact: Boolean(m.wecom.secrets.contact), kf: Boolean(m.wecom.secrets.kf || m.wecom.secrets.app) },
    kfViaApp: !m.wecom.secrets.kf && Boolean(m.wecom.secrets.app),
    agentId: typeof m.wecom.agentId === 'number' ? m.wecom.agentId : null,
    notifiable: members.filter((x) => x.wecomUserId && (x.role === 'owner' || x.onDuty !== false)).length,
  }).map(fromItem);
  const rec = (name: string) => recorded.find((c) => c.name === name)!;

  const tokenLines = ['token_kf', 'token_app', 'token_contact'].map((name) => {
    const now = tokens?.find((c) => c.name === name);
    // a token came back, but a call of this kind was refused for another reason (48002, 95017, …): say that
    return !now || (now.ok && !now.skipped && !rec(name).ok) ? rec(name) : now;
  });
  const notRun = (name: string, label: string): DoctorCheck => ({ name, label, ok: true, detail: '没有检查（这里连不了企业微信）', fix: null, skipped: true });
  const checks = [
    ...offline,
    ...tokenLines,
    kf ?? rec('kf_accounts'),
    roundTrip ?? rec('callback'),
    rec('events'),
    rec('notify'),
    send ?? notRun('message_send', '给老板发企业微信消息'),
    robot ?? notRun('robot', '群机器人'),
  ].sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  return { checks, ok: checks.every((c) => c.ok) };
}

function fromItem(i: SetupCheckItem): DoctorCheck {
  return { name: i.key, label: i.label, ok: i.ok, detail: i.detail, fix: i.fix, ...(i.skipped ? { skipped: true } : {}) };
}

/**
 * The verification WeCom makes when the URL is saved in the console: a GET with an echostr
 * encrypted with the shop's EncodingAESKey and signed with its Token; the right answer is the
 * decrypted echostr and nothing else. Each callback pair is tried (the 微信客服 pair as well).
 */
async function roundTripCheck(env: LiveEnv, probe: SetupProbe, m: Merchant, url: string): Promise<DoctorCheck> {
  const name = 'callback';
  const label = '回调地址验证';
  const path = `/wecom/callback/${m.id}`;
  for (const pair of callbackPairs(m, env.deps.secrets.open)) {
    const echo = env.deps.ids.id('echo').replace(/[^0-9A-Za-z]/g, '');
    const at = {
      timestamp: String(Math.floor(env.deps.clock.now() / 1000)),
      nonce: env.deps.ids
        .id('n')
        .replace(/[^0-9A-Za-z]/g, '')
        .slice(-10),
    };
    const q = probe.verificationQuery({ token: pair.token, aesKey: pair.aesKey }, m.wecom.corpId, echo, at);
    const full = `${url}${url.includes('?') ? '&' : '?'}${Object.entries(q)
      .map(([k, v]) => `${k}=${encodeURIComponent(v)}`)
      .join('&')}`;
    let res: { status: number; body: string };
    try {
      res = await withTimeout(env.deps, env.timeoutMs, probe.get(full, env.timeoutMs));
    } catch {
      const fix =
        env.target === 'sandbox'
          ? unreachableFix('sandbox')
          : `确认店小二在运行、这个域名解析到了它、HTTPS 证书有效（CloudBase：HTTP 访问服务里 ${path} 指向 wecom 函数），再检查一次`;
      return { name, label, ok: false, detail: `${url} 连不上`, fix };
    }
    if (res.status === 200 && res.body === echo) continue;
    const which = pair.which ? `（${pair.which}Token 和 EncodingAESKey）` : '';
    const detail =
      res.status === 401 || res.status === 400
        ? `${url} 不认店里这组 Token 和 EncodingAESKey${which}`
        : res.status === 404
          ? `${url} 找不到这家店（HTTP 404）`
          : res.status === 200
            ? `${url} 回答的内容不对，企业微信会认为验证失败`
            : `${url} 回答了 HTTP ${res.status}`;
    const fix =
      res.status === 401 || res.status === 400
        ? `这个地址后面不是这台店小二，或者那边存的 Token、EncodingAESKey 不一样：到 ${RECEIVE_PATH} 看 URL 是不是 ${url}，两边的 Token 和 EncodingAESKey 改成同一组`
        : res.status === 404
          ? `回调地址的最后一段要是店铺编号：${path}；在 CloudBase 上确认 HTTP 访问服务把 /wecom 指向 wecom 函数`
          : '这个地址后面不是店小二（可能是别的网站或网关拦了）：确认 PUBLIC_URL 和回调地址指向店小二，再检查一次';
    return { name, label, ok: false, detail, fix };
  }
  return { name, label, ok: true, detail: `刚才按企业微信的方式验证了 ${url}，回答正确`, fix: null };
}
