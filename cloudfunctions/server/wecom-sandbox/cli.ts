import { AppError } from '@xiaoer/shared/domain/errors';
import type { Runtime } from '../composition';
import { hostUrlForCli } from '../host/running';
import { robotKeyOf } from '@xiaoer/shared/usecases/reports/robot';
import { NS, PLATFORM, sessionKey, type KfSession, type SentRecord, SandboxStore } from './store';
import { mask, randomId } from './util';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';

/**
 * The CLI side of the sandbox (`npm run cli -- sandbox sent | simulate`). `sandbox sent` reads
 * the sandbox state straight from storage, so it works while the host runs (or after it
 * stopped); `simulate` drives the RUNNING host over HTTP, through the real callback path.
 */

/** What the product sent, oldest first (ARCHITECTURE §5). */
export async function sandboxSentList(rt: Runtime, merchantId: string): Promise<SentRecord[]> {
  const merchant = await requireMerchant(rt.deps, merchantId);
  const store = new SandboxStore(rt.storage, () => rt.deps.clock.now());
  const own = (await store.list<SentRecord>(merchantId, NS.sent)).map((e) => e.value);
  // robot sends carry only the key: those to the group robot this shop pasted (a key never given
  // to a merchant through the control API) are listed as the shop's too
  const robot = merchant.pushRobot ? `robot:${mask(robotKeyOf(rt.deps.secrets.open(merchant.pushRobot.url)))}` : null;
  const viaRobot = robot ? (await store.list<SentRecord>(PLATFORM, NS.sent)).map((e) => e.value).filter((r) => r.to === robot) : [];
  return [...own, ...viaRobot]
    .sort((a, b) => a.at - b.at)
    .map((r) => ({
      at: r.at,
      api: r.api,
      to: r.to,
      msgtype: r.msgtype,
      text: r.text,
      msgid: r.msgid,
      errcode: r.errcode,
      // mass sends only (add_msg_template's recipients, the members a remind or cancel reached)
      ...(r.count !== undefined ? { count: r.count } : {}),
    }));
}

export function sentListText(list: SentRecord[]): string {
  if (!list.length) return '沙箱里还没有发出的消息';
  return list
    .map(
      (r) =>
        `${new Date(r.at).toISOString()}  ${r.api}  → ${r.to || '-'}${r.count !== undefined ? ` (${r.count})` : ''}  ${r.msgtype}  ${r.errcode === 0 ? 'ok' : `errcode ${r.errcode}`}${r.msgid ? `  msgid ${r.msgid}` : ''}\n    ${r.text.replace(/\s+/g, ' ').slice(0, 200)}`,
    )
    .join('\n');
}

export interface SimulateResult {
  /** The reply text (several kf/send_msg to that customer joined by newlines), or null. */
  reply: string | null;
  handoff: boolean;
  /** From posting the message to the first reply (or handoff, or giving up). */
  ms: number;
  /** True when nothing came back within the wait and `handoff` is only the fallback reading. */
  timedOut: boolean;
}

export interface SimulateOptions {
  merchantId: string;
  text: string;
  customer?: string;
  waitMs?: number;
  /** Poll interval; tests shorten it. */
  pollMs?: number;
}

/** Nobody answered at `base`: what to do, naming the setting that points the CLI at the host. */
const NO_HOST = (base: string) =>
  new AppError(
    'SANDBOX.NO_HOST',
    `没找到正在运行的店小二（${base} 没有回应）。先 npm start；已经在运行的话，用和它相同的 DATA_DIR 运行命令行（会自动找到它的端口），或者加上它用的端口，例如 PORT=9000 npm run cli -- simulate …`,
    503,
  );

interface Posted {
  openKfId: string;
  externalUserId: string;
  at: number;
  sentSeq: number;
  callback: { status: number; body: string; error?: string };
}

/**
 * A customer message through the sandbox and the host's real encrypted callback path, then
 * waits for the product's reply in the sent list. A handoff is read from the product's
 * conversation (waiting_human / human_in_wecom) or WeCom's side of the session (state 2/3);
 * no reply within the wait counts as a handoff, flagged `timedOut`.
 */
export async function simulateCustomer(rt: Runtime, o: SimulateOptions): Promise<SimulateResult> {
  await requireMerchant(rt.deps, o.merchantId);
  // the host running on this DATA_DIR, whatever PORT it was started on (host/running.ts)
  const base = hostUrlForCli(rt);
  const customer = o.customer ?? `wmSIM${randomId(12)}`;
  const waitMs = o.waitMs ?? 10_000;
  const pollMs = o.pollMs ?? 150;
  const started = performance.now();

  let res: Response;
  try {
    res = await fetch(`${base}/sandbox/_control/customer-message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: o.merchantId, externalUserId: customer, text: o.text }),
      signal: AbortSignal.timeout(20_000),
    });
  } catch {
    throw NO_HOST(base);
  }
  const env = (await res.json().catch(() => null)) as { ok: boolean; data?: Posted; code?: string; message?: string } | null;
  if (!env) throw NO_HOST(base);
  if (!env.ok || !env.data) {
    if (res.status === 404 && env.code === 'NOT_FOUND.SANDBOX') throw new AppError('SANDBOX.OFF', env.message ?? '企业微信沙箱没有开启');
    throw new AppError(env.code ?? 'SANDBOX.FAILED', env.message ?? `沙箱没有接受这条消息（HTTP ${res.status}）`);
  }
  const posted = env.data;
  if (posted.callback.status !== 200) {
    throw new AppError(
      'SANDBOX.CALLBACK_REJECTED',
      `店小二没有接受回调（HTTP ${posted.callback.status}${posted.callback.error ? ` ${posted.callback.error}` : ''}）：${posted.callback.body.slice(0, 300)}`,
    );
  }

  const store = new SandboxStore(rt.storage, () => rt.deps.clock.now());
  const handedOff = async () => {
    const conv = await rt.storage.conversations.findByCustomer(o.merchantId, customer, 'kf');
    if (conv && (conv.state === 'waiting_human' || conv.state === 'human_in_wecom') && conv.updatedAt >= posted.at) return true;
    const s = await store.get<KfSession>(o.merchantId, NS.kfSession, sessionKey(posted.openKfId, customer));
    return Boolean(s && (s.state === 2 || s.state === 3));
  };

  const replies: string[] = [];
  let firstAt: number | null = null;
  let lastAt = 0;
  let handoffAt: number | null = null;
  let after = posted.sentSeq;
  const deadline = started + waitMs;
  for (;;) {
    const now = performance.now();
    const sent = await fetch(`${base}/sandbox/_control/sent?merchantId=${encodeURIComponent(o.merchantId)}&after=${after}`, { signal: AbortSignal.timeout(10_000) })
      .then((r) => r.json() as Promise<{ ok: boolean; data?: (SentRecord & { seq: number })[] }>)
      .catch(() => {
        throw NO_HOST(base);
      });
    for (const r of sent.data ?? []) {
      after = Math.max(after, r.seq);
      if (r.api === 'kf/send_msg' && r.to === customer && r.errcode === 0) {
        replies.push(r.text);
        firstAt ??= now;
        lastAt = now;
      }
    }
    if (handoffAt === null && (await handedOff())) handoffAt = now;
    // a reply may come in several messages: settle briefly after the last one
    if (firstAt !== null && now - lastAt > 600) break;
    if (firstAt === null && handoffAt !== null && now - handoffAt > 1500) break;
    if (now > deadline) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  const end = firstAt ?? handoffAt;
  if (end === null) return { reply: null, handoff: true, ms: Math.round(performance.now() - started), timedOut: true };
  return { reply: replies.length ? replies.join('\n') : null, handoff: handoffAt !== null, ms: Math.round(end - started), timedOut: false };
}

export function simulateText(r: SimulateResult, waitMs: number): string {
  if (r.timedOut) return `${Math.round(waitMs / 1000)} 秒内没有收到回复，按转人工计（handoff=true 只是超时的读法：店小二没有回这位顾客）`;
  const lines = [];
  if (r.reply !== null) lines.push(`回复：${r.reply}`);
  if (r.handoff) lines.push('已转人工');
  lines.push(`用时 ${r.ms} ms`);
  return lines.join('\n');
}
