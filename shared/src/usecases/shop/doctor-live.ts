import { AppError } from '../../domain/errors';
import type { Merchant, SecretKind } from '../../domain/merchant';
import type { Deps } from '../../ports/deps';
import type { SetupProbe } from '../../ports/setup-probe';
import { WecomApiError, type WecomApi } from '../../ports/wecom';
import { clearProblem, readStatus, recordStatus, recordToken } from '../channel-wecom/channel-status';
import { describeProblem } from '../channel-wecom/config-problems';
import { robotKeyOf } from '../reports/robot';
import { openOr, type DoctorCheck } from './doctor-offline';

/**
 * The setup doctor's checks that talk to WeCom or to the callback URL. Each has its own time
 * limit, and a failure of any kind — an errcode, no answer, no network — becomes a red line
 * with its fix, never an exception.
 */
export interface LiveEnv {
  deps: Deps;
  wecom: WecomApi;
  probe?: SetupProbe;
  timeoutMs: number;
  target: 'sandbox' | 'wecom';
}

/** Rejects with DOCTOR.TIMEOUT after `ms` (the adapters have their own limits; this bounds retries and backoff too). */
export function withTimeout<T>(deps: Deps, ms: number, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = deps.timers.after(ms, () => reject(new AppError('DOCTOR.TIMEOUT', `${Math.round(ms / 100) / 10} 秒内没有回答`, 504)));
    work.then(
      (v) => {
        cancel();
        resolve(v);
      },
      (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** What to do when WeCom (or the sandbox) does not answer at all. */
export function unreachableFix(target: LiveEnv['target']): string {
  return target === 'sandbox'
    ? '连不上本地沙箱：先用 npm start 把店小二跑起来（沙箱在它里面），用同一个 DATA_DIR 再检查一次'
    : '检查这台服务器能不能上网、能不能打开 https://qyapi.weixin.qq.com；在 CloudBase 上看云函数能不能访问公网，稍后再检查一次';
}

const IP_FIX =
  '到 企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 → 企业可信IP → 配置，加上店小二服务器的出口 IP。CloudBase 的云函数默认没有固定的出口 IP：先在 云开发控制台 → 云函数 → 网络配置 里开通固定出口 IP（公网固定IP），再把这个 IP 填进企业可信IP';

/** An error of a live call as the owner reads it: what went wrong, and what to do. */
export function explain(err: unknown, kind: SecretKind, target: LiveEnv['target'], kfViaApp = false): { detail: string; fix: string } {
  if (err instanceof WecomApiError) {
    const p = describeProblem(kind, err.errcode, kfViaApp);
    const fix = err.errcode === 60020 ? IP_FIX : p.fix;
    return { detail: `${p.title}（错误码 ${err.errcode}）`, fix };
  }
  const code = err instanceof AppError ? err.code : '';
  const what = code === 'WECOM.TIMEOUT' || code === 'DOCTOR.TIMEOUT' ? '等了很久没有回答' : code === 'WECOM.UPSTREAM' ? '企业微信暂时不可用' : '连不上';
  return { detail: `${target === 'sandbox' ? '本地沙箱' : '企业微信'}${what}`, fix: unreachableFix(target) };
}

const KINDS: { kind: SecretKind; name: string; label: string; what: string }[] = [
  { kind: 'kf', name: 'token_kf', label: '微信客服接口', what: '微信客服' },
  { kind: 'app', name: 'token_app', label: '自建应用接口', what: '自建应用' },
  { kind: 'contact', name: 'token_contact', label: '客户联系接口', what: '客户联系' },
];
const NEED: Record<SecretKind, string> = {
  kf: 'AI 要靠它回复客户：到 企业微信管理后台 → 应用管理 → 微信客服 → API 里复制 Secret，填到店小二的企业微信设置里',
  app: '有客户找人时，靠它提醒你和值班的人：到 企业微信管理后台 → 应用管理 → 自建应用 → 你的应用 里复制 Secret 和 AgentId，填到店小二的企业微信设置里',
  contact: '',
};

/** gettoken per secret the shop has (微信客服 falls back to the app's secret, as the API client does). */
export async function tokenChecks(env: LiveEnv, m: Merchant): Promise<DoctorCheck[]> {
  const s = m.wecom.secrets;
  const kfViaApp = !s.kf && Boolean(s.app);
  return Promise.all(
    KINDS.map(async ({ kind, name, label, what }): Promise<DoctorCheck> => {
      const has = kind === 'kf' ? Boolean(s.kf || s.app) : Boolean(s[kind]);
      if (!has && kind === 'contact') return { name, label, ok: true, detail: '没填 Secret（用不到客户联系就不用填）', fix: null, skipped: true };
      if (!has) return { name, label, ok: false, detail: '还没填 Secret', fix: NEED[kind] };
      if (!env.probe) return { name, label, ok: true, detail: '没有检查（这里连不了企业微信）', fix: null, skipped: true };
      const via = kind === 'kf' && kfViaApp ? '（用自建应用的 Secret）' : '';
      try {
        await withTimeout(env.deps, env.timeoutMs, env.probe.gettoken(m.id, kind));
        await recordToken(env.deps, m.id, kind, { ok: true });
        // a wrong secret, CorpID or IP recorded earlier is over once a token comes back
        const problem = (await readStatus(env.deps, m.id)).problems?.[kind];
        if (problem && [40001, 40013, 60020].includes(problem.errcode) && problem.api === 'gettoken') await clearProblem(env.deps, m.id, kind);
        return { name, label, ok: true, detail: `${what}的 Secret 能换到 access_token${via}`, fix: null };
      } catch (err) {
        await recordToken(env.deps, m.id, kind, {
          ok: false,
          code: err instanceof AppError ? err.code : 'WECOM.UNREACHABLE',
          ...(err instanceof WecomApiError ? { errcode: err.errcode } : {}),
          message: err instanceof Error ? err.message.slice(0, 200) : '连不上企业微信',
        });
        const e = explain(err, kind, env.target, kfViaApp);
        return { name, label, ok: false, detail: `gettoken 失败${via}：${e.detail}`, fix: e.fix };
      }
    }),
  );
}

/** kf/account/list: at least one account, and one this app may receive for (manage_privilege). */
export async function kfAccountsCheck(env: LiveEnv, m: Merchant): Promise<DoctorCheck> {
  const name = 'kf_accounts';
  const label = '微信客服账号';
  const create = '到 企业微信管理后台 → 应用管理 → 微信客服，创建一个客服账号，再到 微信客服 → API 里把它交给店小二（你的自建应用）接待';
  if (!m.wecom.secrets.kf && !m.wecom.secrets.app) return { name, label, ok: true, detail: '没有查（先填微信客服的 Secret）', fix: null, skipped: true };
  try {
    const r = await withTimeout(env.deps, env.timeoutMs, env.wecom.kfAccountList(m.id, { offset: 0, limit: 100 }));
    const all = r.account_list;
    await recordStatus(env.deps, m.id, (cur) => ({ ...cur, kfAccounts: { at: env.deps.clock.now(), names: all.map((a) => a.name) } }));
    const usable = all.filter((a) => a.manage_privilege !== false);
    const names = (list: typeof all) =>
      list
        .slice(0, 3)
        .map((a) => a.name)
        .join('、');
    if (!all.length) return { name, label, ok: false, detail: '企业微信里一个客服账号都没有', fix: create };
    if (!usable.length) {
      return {
        name,
        label,
        ok: false,
        detail: `有 ${all.length} 个（${names(all)}），但都没有交给店小二接待`,
        fix: '到 企业微信管理后台 → 应用管理 → 微信客服 → API，把客服账号交给店小二（你的自建应用）接待',
      };
    }
    return { name, label, ok: true, detail: `有 ${usable.length} 个能用：${names(usable)}`, fix: null };
  } catch (err) {
    await recordStatus(env.deps, m.id, (cur) => ({ ...cur, kfAccounts: { at: env.deps.clock.now(), error: (err instanceof Error ? err.message : String(err)).slice(0, 200) } }));
    const e = explain(err, 'kf', env.target, !m.wecom.secrets.kf);
    return { name, label, ok: false, detail: `查不到客服账号：${e.detail}`, fix: e.fix };
  }
}

const TEST_TEXT = '【店小二连接检查】这是一条测试消息。收到它，说明有客户找人时，企业微信提醒能发到你这里。';

/** message/send to the owners — only when asked (`sendTest`), since it is a real message. */
export async function messageSendCheck(env: LiveEnv, m: Merchant, sendTest: boolean, hint: string): Promise<DoctorCheck> {
  const name = 'message_send';
  const label = '给老板发企业微信消息';
  if (!sendTest) return { name, label, ok: true, detail: `没有发测试消息（会真的发一条到老板的企业微信）。${hint}`, fix: null, skipped: true };
  if (!m.wecom.secrets.app || !m.wecom.agentId) return { name, label, ok: false, detail: '没法发：自建应用的 Secret 或 AgentId 还没填', fix: NEED.app };
  const owners = (await env.deps.storage.members.list(m.id)).filter((x) => x.role === 'owner' && x.wecomUserId).map((x) => x.wecomUserId!);
  if (!owners.length)
    return {
      name,
      label,
      ok: false,
      detail: '老板还没填企业微信账号，不知道发给谁',
      fix: '打开店小二 → 我 → 店员和邀请码，给自己填上企业微信账号（企业微信管理后台 → 通讯录 里这个人的「账号」）',
    };
  try {
    const r = await withTimeout(env.deps, env.timeoutMs, env.wecom.messageSend(m.id, { touser: owners.join('|'), msgtype: 'text', text: { content: TEST_TEXT } }));
    const invalid = (r.invaliduser ?? '').split('|').filter(Boolean);
    if (invalid.length) {
      return {
        name,
        label,
        ok: false,
        detail: `企业微信说这些账号发不到：${invalid.join('、')}`,
        fix: '到 企业微信管理后台 → 通讯录 查这个人的「账号」（不是名字），在 我 → 店员和邀请码 里改对；再看 应用管理 → 自建应用 → 你的应用 → 可见范围 里有没有他',
      };
    }
    return { name, label, ok: true, detail: `已发给 ${owners.join('、')}，请在企业微信里看一下有没有收到`, fix: null };
  } catch (err) {
    const e = explain(err, 'app', env.target);
    return {
      name,
      label,
      ok: false,
      detail: `没发出去：${e.detail}`,
      fix:
        err instanceof WecomApiError && err.errcode === 81013
          ? '到 企业微信管理后台 → 通讯录 查老板的「账号」，在 我 → 店员和邀请码 里改对；再看 应用管理 → 自建应用 → 你的应用 → 可见范围 里有没有他'
          : e.fix,
    };
  }
}

const ROBOT_FIX = '到那个企业微信群 → 右上角「…」→ 群机器人，复制 Webhook 地址，在店小二 我 → 店铺设置 → 推送方式 → 企业微信群机器人 里重新保存';

/**
 * The group robot, if the shop has one. Without `sendTest` it is probed with an empty text: WeCom
 * refuses that with 44004 (empty content) when the key is good and 93000 when it is not, so
 * nothing shows in the group. (Both codes are what the sandbox answers and community reports
 * show for the robot webhook; WeCom's docs list no probe.) With `sendTest` a real line is sent.
 */
export async function robotCheck(env: LiveEnv, m: Merchant, sendTest: boolean): Promise<DoctorCheck> {
  const name = 'robot';
  const label = '群机器人';
  if (!m.pushRobot) return { name, label, ok: true, detail: '没有设置群机器人（报表不发到群里就不用管）', fix: null, skipped: true };
  let key: string;
  try {
    key = robotKeyOf(openOr(env.deps.secrets.open, m.pushRobot.url));
  } catch {
    return { name, label, ok: false, detail: '存下的群机器人地址不对', fix: ROBOT_FIX };
  }
  try {
    const content = sendTest ? '【店小二连接检查】群机器人能收到店小二的消息。' : '';
    await withTimeout(env.deps, env.timeoutMs, env.wecom.webhookSend(key, { msgtype: 'text', text: { content } }));
    return { name, label, ok: true, detail: sendTest ? `（${m.pushRobot.hint}）已往群里发了一条测试消息` : `（${m.pushRobot.hint}）能连上`, fix: null };
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === 44004 && !sendTest)
      return { name, label, ok: true, detail: `（${m.pushRobot.hint}）能连上，地址有效（试探时没有往群里发消息）`, fix: null };
    if (err instanceof WecomApiError && err.errcode === 93000)
      return { name, label, ok: false, detail: `（${m.pushRobot.hint}）地址失效了：机器人被移出群了，或者地址复制错了`, fix: ROBOT_FIX };
    if (err instanceof WecomApiError) return { name, label, ok: false, detail: `群机器人没收下（错误码 ${err.errcode}）`, fix: ROBOT_FIX };
    const e = explain(err, 'app', env.target);
    return { name, label, ok: false, detail: `群机器人${e.detail}`, fix: e.fix };
  }
}
