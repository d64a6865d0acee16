import type { KvEntry, Storage } from '@xiaoer/shared/ports/storage';
import { PLATFORM } from '@xiaoer/shared/domain/job';
import type { CorpTagGroup, KfMessage } from '@xiaoer/shared/ports/wecom';
import type { SecretKind } from '@xiaoer/shared/domain/merchant';
import { DEFAULT_CONFIG, RULE_NAMES, type SandboxConfig, type SandboxRules } from './config';

/**
 * All sandbox state lives in the product's KvRepo (SQLite locally, CloudBase in cloudbase mode),
 * under namespaces prefixed `sandbox.`, owned by the merchant it concerns (PLATFORM for the
 * sandbox-wide config, faults and robot keys). So a CLI in another process sees what the host's
 * sandbox did, and a restart keeps it.
 */
export const NS = {
  meta: 'sandbox.meta',
  token: 'sandbox.token',
  tokenKind: 'sandbox.tokenkind',
  kfAccount: 'sandbox.kfaccount',
  kfMsg: 'sandbox.kfmsg',
  kfSession: 'sandbox.kfsession',
  syncToken: 'sandbox.synctoken',
  code: 'sandbox.code',
  customer: 'sandbox.customer',
  contact: 'sandbox.contact',
  tags: 'sandbox.tags',
  media: 'sandbox.media',
  sent: 'sandbox.sent',
  sentMsgid: 'sandbox.sentmsgid',
  groupmsg: 'sandbox.groupmsg',
  /** Mass-send quota: the corp's setting (`setting`) and what each customer received (`delivered`). */
  groupmsgQuota: 'sandbox.gmquota',
  rate: 'sandbox.rate',
  /** 联系我 configurations, by config_id. */
  contactWay: 'sandbox.contactway',
  // PLATFORM-owned
  config: 'sandbox.config',
  fault: 'sandbox.fault',
  webhook: 'sandbox.webhook',
  /** Subscribe messages WeChat delivered, per (template, openid): its side of the one-send-per-credit rule. */
  subscribe: 'sandbox.subscribe',
} as const;
export { PLATFORM };

const MERCHANT_NS = [
  NS.meta,
  NS.token,
  NS.tokenKind,
  NS.kfAccount,
  NS.kfMsg,
  NS.kfSession,
  NS.syncToken,
  NS.code,
  NS.customer,
  NS.contact,
  NS.tags,
  NS.media,
  NS.sent,
  NS.sentMsgid,
  NS.groupmsg,
  NS.groupmsgQuota,
  NS.rate,
  NS.contactWay,
];
const PLATFORM_NS = [NS.config, NS.fault, NS.webhook, NS.rate, NS.sent, NS.meta, NS.subscribe];
const ALL = 1_000_000;

/** One entry of the sent list (ARCHITECTURE §5 `sandbox sent`). `at` is epoch ms on the shared clock. */
export interface SentRecord {
  at: number;
  api: string;
  to: string;
  msgtype: string;
  text: string;
  msgid: string;
  errcode: number;
  /**
   * Mass sends only: add_msg_template's recipients (external_userid or chat_id_list length);
   * remind / cancel: the members reminded or stopped. Absent on every other api.
   */
  count?: number;
}

export interface TokenRecord {
  kind: SecretKind;
  issuedAt: number;
  expiresAt: number;
}

export interface KfAccount {
  open_kfid: string;
  name: string;
  avatar: string;
  createdAt: number;
  /** false: the account is not handed to the API (店小二) to receive; absent = true. */
  manage_privilege?: boolean;
}

/** WeCom's view of one (kf account, customer) session. */
export interface KfSession {
  openKfId: string;
  externalUserId: string;
  /** 0 未处理, 1 智能助手接待, 2 待接入池, 3 人工接待, 4 已结束/未开始. */
  state: 0 | 1 | 2 | 3 | 4;
  servicerUserId?: string;
  lastCustomerAt?: number;
  /** kf/send_msg since the customer's last message. */
  repliesSinceCustomer: number;
  updatedAt: number;
}

/** Welcome codes (客户联系 and kf enter_session) and msg_codes of service_state/trans. */
export interface CodeRecord {
  kind: 'contact_welcome' | 'kf_welcome' | 'kf_session';
  externalUserId: string;
  userId?: string;
  openKfId?: string;
  issuedAt: number;
  expiresAt: number;
  usedAt?: number;
}

export interface SandboxCustomer {
  nickname: string;
  avatar: string;
  gender: number;
  unionid: string;
}

export interface ContactTag {
  group_name: string;
  tag_name: string;
  tag_id: string;
  type: number;
}
export interface SandboxContact {
  external_contact: { external_userid: string; name: string; avatar: string; type: number; gender: number };
  follow_user: { userid: string; remark: string; description: string; createtime: number; tags: ContactTag[]; state?: string; add_way: number }[];
}

export interface MediaRecord {
  type: string;
  contentType: string;
  fileName: string;
  base64: string;
  createdAt: number;
}

/** get_groupmsg_send_result status: 0 unsent, 1 sent, 2 not a friend (any more), 3 quota used up. */
export type GroupMsgResult = 0 | 1 | 2 | 3;

export interface GroupMsgTask {
  msgid: string;
  chatType: 'single' | 'group';
  createdAt: number;
  text: string;
  /** The `sender` of add_msg_template, when it named one (get_groupmsg_list_v2 `creator`). */
  creator?: string;
  attachments?: Record<string, unknown>[];
  allowSelect?: boolean;
  /** cancel_groupmsg_send: members who had not confirmed by then never can. */
  cancelledAt?: number;
  /** Successful remind_groupmsg_send calls (≤ 3 per 24 h). */
  remindedAt?: number[];
  /**
   * userid → recipients (external_userid or chat_id) and confirmation time; `results` (same order
   * as `recipients`) is decided when the member confirms. Records from before it existed read as
   * all sent once the task is.
   */
  tasks: { userid: string; status: 0 | 2; sendTime?: number; recipients: string[]; results?: GroupMsgResult[] }[];
}

/**
 * How an injected fault shows: a WeCom errcode, or trouble on the wire; `lost`: WeCom carries the
 * call out (a send reaches the customer and the sent list) but its answer never arrives.
 */
export type FaultMode = 'errcode' | 'timeout' | 'reset' | 'http5xx' | 'lost';

export interface Fault {
  mode?: FaultMode;
  errcode: number;
  times: number;
  merchantId?: string;
}

export const seqKey = (n: number) => String(n).padStart(12, '0');
export const sessionKey = (openKfId: string, externalUserId: string) => `${openKfId}:${externalUserId}`;

/** Thin compare-and-set helpers over the KvRepo, plus an in-process lock for ordered logs. */
export class SandboxStore {
  private locks = new Map<string, Promise<unknown>>();

  constructor(
    private storage: Storage,
    private now: () => number,
  ) {}

  async get<T>(merchantId: string, ns: string, key: string): Promise<T | null> {
    return (await this.storage.kv.get<T>(merchantId, ns, key))?.value ?? null;
  }

  async list<T>(merchantId: string, ns: string): Promise<KvEntry<T>[]> {
    return this.storage.kv.list<T>(merchantId, ns, ALL);
  }

  /**
   * Compare-and-set loop: `fn` gets the current value (null when absent) and returns the next
   * one, or undefined to leave it. Returns the value now stored and whether this call wrote it.
   */
  async update<T>(merchantId: string, ns: string, key: string, fn: (cur: T | null) => T | undefined): Promise<{ value: T | null; changed: boolean }> {
    for (let i = 0; i < 50; i++) {
      const cur = await this.storage.kv.get<T>(merchantId, ns, key);
      const next = fn(cur ? cur.value : null);
      if (next === undefined) return { value: cur ? cur.value : null, changed: false };
      if (await this.storage.kv.set(merchantId, ns, key, next, cur ? cur.version : null, this.now())) return { value: next, changed: true };
    }
    throw new Error(`sandbox: too much contention on ${ns}/${key}`);
  }

  async put<T>(merchantId: string, ns: string, key: string, value: T): Promise<void> {
    await this.update<T>(merchantId, ns, key, () => value);
  }

  /** Writes only when absent; true when this call created it. */
  async create<T>(merchantId: string, ns: string, key: string, value: T): Promise<boolean> {
    return this.storage.kv.set(merchantId, ns, key, value, null, this.now());
  }

  async delete(merchantId: string, ns: string, key: string): Promise<void> {
    await this.storage.kv.delete(merchantId, ns, key);
  }

  /** Serializes `fn` per key in this process (the host is the only writer of the ordered logs). */
  async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }

  /**
   * Appends to an ordered log (key = zero-padded sequence): the sequence is allocated and the
   * entry written under one lock, so a reader never sees n+1 before n.
   */
  async append<T>(merchantId: string, ns: string, value: T): Promise<number> {
    return this.locked(`${merchantId}|${ns}`, async () => {
      const { value: seq } = await this.update<{ n: number }>(merchantId, NS.meta, `seq:${ns}`, (c) => ({ n: (c?.n ?? 0) + 1 }));
      await this.create(merchantId, ns, seqKey(seq!.n), value);
      return seq!.n;
    });
  }

  async lastSeq(merchantId: string, ns: string): Promise<number> {
    return (await this.get<{ n: number }>(merchantId, NS.meta, `seq:${ns}`))?.n ?? 0;
  }

  async config(overrides: Partial<SandboxRules> = {}): Promise<SandboxConfig> {
    const stored = await this.get<Partial<SandboxConfig>>(PLATFORM, NS.config, 'config');
    const rules = { ...DEFAULT_CONFIG.rules, ...overrides, ...(stored?.rules ?? {}) };
    for (const k of Object.keys(rules)) if (!(RULE_NAMES as readonly string[]).includes(k)) delete (rules as Record<string, unknown>)[k];
    return { ...DEFAULT_CONFIG, ...(stored ?? {}), rules };
  }

  /** Removes every sandbox entry of the merchant (or, without one, of every merchant and the platform). */
  async clear(merchantIds: string[], platform: boolean): Promise<number> {
    let n = 0;
    const wipe = async (m: string, spaces: string[]) => {
      for (const ns of spaces) {
        for (const e of await this.list(m, ns)) {
          // the kf message sequence survives a reset: WeCom's cursors never go backwards, and a product
          // holding a cursor from before the reset must still see the messages after it
          if (ns === NS.meta && e.key === `seq:${NS.kfMsg}`) continue;
          await this.delete(m, ns, e.key);
          n++;
        }
      }
    };
    for (const m of merchantIds) await wipe(m, MERCHANT_NS);
    if (platform) await wipe(PLATFORM, PLATFORM_NS);
    return n;
  }
}

/** Sandbox content types we hand out for kf messages (the port's shape). */
export type SandboxKfMessage = KfMessage;
export type SandboxTagGroup = CorpTagGroup & { tag: NonNullable<CorpTagGroup['tag']> };
