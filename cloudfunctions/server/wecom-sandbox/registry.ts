import crypto from 'node:crypto';
import type { Merchant, SecretKind } from '@xiaoer/shared/domain/merchant';
import type { Conversation } from '@xiaoer/shared/domain/conversation';
import type { Runtime } from '../composition';
import { LIMITS } from './config';
import { NS, sessionKey, type KfAccount, type KfSession, type SandboxStore } from './store';
import { requireMerchant } from '@xiaoer/shared/usecases/shop/require-merchant';

/**
 * Merchants are known from the product's own storage: the sandbox reads the merchant and opens
 * its sealed secrets; nothing is registered by hand. On first use it also learns the merchant's
 * kf accounts (those its kf conversations went through) and the sessions of its recent kf
 * conversations (last customer message time and replies since), so a reply inside the 48 h
 * window works against a shop whose history was written straight into storage.
 */
export class MerchantRegistry {
  private booting = new Map<string, Promise<void>>();

  constructor(
    private rt: Runtime,
    private store: SandboxStore,
  ) {}

  get(merchantId: string): Promise<Merchant | null> {
    return this.rt.storage.merchants.get(merchantId);
  }

  /** The merchant a control request names, its accounts and sessions learnt; 404 when there is none. */
  async require(merchantId: string): Promise<Merchant> {
    const m = await requireMerchant(this.rt.deps, merchantId);
    await this.ensure(m);
    return m;
  }

  async byCorpId(corpId: string): Promise<Merchant[]> {
    return (await this.rt.storage.merchants.listAll()).filter((m) => m.wecom.corpId === corpId);
  }

  /** The plaintext secret of a kind, or undefined. */
  secret(m: Merchant, kind: SecretKind): string | undefined {
    const sealed = m.wecom.secrets[kind];
    return sealed ? this.rt.deps.secrets.open(sealed) : undefined;
  }

  /** The callback pair WeCom would use: the 微信客服 pair for kf callbacks when the merchant has one. */
  callbackPair(m: Merchant, kf: boolean): { token: string; aesKey: string } {
    const pair = kf && m.wecom.kfCallback ? m.wecom.kfCallback : m.wecom.callback;
    return { token: this.rt.deps.secrets.open(pair.token), aesKey: this.rt.deps.secrets.open(pair.aesKey) };
  }

  /**
   * The account of a merchant whose conversations name none: stable per (corp, merchant), so
   * every process of the sandbox agrees on it.
   */
  static defaultKfId(m: Merchant): string {
    return `wk${crypto.createHash('sha1').update(`${m.wecom.corpId}:${m.id}`).digest('hex').slice(0, 20)}`;
  }

  async accounts(m: Merchant): Promise<KfAccount[]> {
    await this.ensure(m);
    return (await this.store.list<KfAccount>(m.id, NS.kfAccount)).map((e) => e.value);
  }

  async addAccount(m: Merchant, openKfId: string, name?: string, managePrivilege = true): Promise<void> {
    await this.store.create<KfAccount>(m.id, NS.kfAccount, openKfId, {
      open_kfid: openKfId,
      name: name ?? m.name,
      avatar: '',
      createdAt: this.rt.deps.clock.now(),
      ...(managePrivilege ? {} : { manage_privilege: false }),
    });
  }

  /** The account a control request plays: the one it names (learnt if new), else the merchant's first. */
  async accountFor(m: Merchant, wanted?: string): Promise<string> {
    if (wanted) {
      await this.addAccount(m, wanted); // a customer writing to an account WeCom has: the sandbox learns it
      return wanted;
    }
    return (await this.accounts(m))[0]?.open_kfid ?? MerchantRegistry.defaultKfId(m);
  }

  /** Learns the merchant's accounts and recent sessions once (again after a reset). */
  ensure(m: Merchant): Promise<void> {
    const running = this.booting.get(m.id);
    if (running) return running;
    const p = (async () => {
      if (await this.store.get(m.id, NS.meta, 'init')) return;
      await this.bootstrap(m);
      await this.store.put(m.id, NS.meta, 'init', { at: this.rt.deps.clock.now() });
    })().finally(() => this.booting.delete(m.id));
    this.booting.set(m.id, p);
    return p;
  }

  private async bootstrap(m: Merchant) {
    const now = this.rt.deps.clock.now();
    const accounts = new Set<string>();
    const recent: Conversation[] = [];
    let cursor: string | undefined;
    // most recently updated first: stop once conversations are older than the window can reach
    outer: for (let page = 0; page < 50; page++) {
      const res = await this.rt.storage.conversations.list(m.id, { limit: 100, cursor });
      for (const c of res.items) {
        if (c.channel !== 'kf') continue;
        if (c.kfAccountId) accounts.add(c.kfAccountId);
        if (c.updatedAt < now - LIMITS.kfWindowMs - 24 * 3600_000) break outer;
        recent.push(c);
      }
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    if (!accounts.size) accounts.add(MerchantRegistry.defaultKfId(m));
    for (const id of accounts) await this.addAccount(m, id);
    for (const c of recent) {
      const openKfId = c.kfAccountId ?? MerchantRegistry.defaultKfId(m);
      const messages = await this.rt.storage.messages.listByConversation(m.id, c.id, 20);
      let replies = 0;
      for (let i = messages.length - 1; i >= 0 && messages[i].sender !== 'customer'; i--) {
        if (messages[i].sender === 'ai' || messages[i].sender === 'staff') replies++;
      }
      const state: KfSession['state'] = c.wecomState !== undefined ? (c.wecomState as KfSession['state']) : c.state === 'human_in_wecom' ? 3 : c.state === 'closed' ? 4 : 1;
      await this.store.create<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, c.externalUserId), {
        openKfId,
        externalUserId: c.externalUserId,
        state,
        lastCustomerAt: c.lastCustomerMessageAt,
        repliesSinceCustomer: replies,
        updatedAt: now,
      });
    }
  }
}
