import type { z } from 'zod';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import type { CallbackSender } from './callback';
import { LIMITS } from './config';
import type { CustomerMessage, KfEvent, KfSessionBody, ServicerMessage } from './control-schemas';
import { NS, sessionKey, type CodeRecord, type KfSession, type MediaRecord, type SandboxCustomer, type SandboxKfMessage } from './store';
import { randomId } from './util';
import type { SandboxEnv } from './wx';

/** WeCom's side of 微信客服: customers and servicers writing, events, and the session state WeCom keeps. */
export class KfSide {
  constructor(
    private env: SandboxEnv,
    private callbacks: CallbackSender,
  ) {}

  private now() {
    return this.env.rt.deps.clock.now();
  }

  private appendKf(m: Merchant, msg: SandboxKfMessage): Promise<number> {
    return this.env.store.append(m.id, NS.kfMsg, msg);
  }

  async customerMessage(b: z.infer<typeof CustomerMessage>, base: string) {
    const { store, registry } = this.env;
    const m = await registry.require(b.merchantId);
    const openKfId = await registry.accountFor(m, b.openKfId);
    const now = this.now();
    const ext = b.externalUserId;
    await this.rememberCustomer(m, ext, b.nickname);
    // replies to this message come after this point of the sent list
    const sentSeq = await store.lastSeq(m.id, NS.sent);
    const msgid = randomId(32);
    let body: Partial<SandboxKfMessage>;
    if (b.image) {
      const mediaId = `3${randomId(47)}`;
      await store.create<MediaRecord>(m.id, NS.media, mediaId, {
        type: 'image',
        contentType: b.image.contentType,
        fileName: b.image.fileName,
        base64: b.image.base64,
        createdAt: now,
      });
      body = { msgtype: 'image', image: { media_id: mediaId } };
    } else {
      body = { msgtype: 'text', text: { content: b.text! } };
    }
    const msg = { msgid, open_kfid: openKfId, external_userid: ext, send_time: Math.floor(now / 1000), origin: 3, ...body } as SandboxKfMessage;
    await this.appendKf(m, msg);
    // a customer message: a new session if none is open, and the 48 h / 5-reply budget starts again
    await store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, ext), (cur) => {
      const fresh = !cur || cur.state === 4;
      return {
        openKfId,
        externalUserId: ext,
        state: fresh ? 0 : cur.state,
        servicerUserId: fresh ? undefined : cur.servicerUserId,
        lastCustomerAt: now,
        repliesSinceCustomer: 0,
        updatedAt: now,
      };
    });
    const callback = await this.callbacks.kf(m, openKfId, base);
    return { merchantId: m.id, openKfId, externalUserId: ext, msgid, at: now, sentSeq, callback };
  }

  /** The customer, as kf/customer/batchget will describe them. */
  private async rememberCustomer(m: Merchant, ext: string, nickname: string | undefined) {
    const { store } = this.env;
    const known = await store.get<SandboxCustomer>(m.id, NS.customer, ext);
    if (known && !nickname) return;
    const product = await this.env.rt.storage.customers.get(m.id, ext);
    await store.put<SandboxCustomer>(m.id, NS.customer, ext, {
      nickname: nickname ?? known?.nickname ?? (product?.name || `顾客${ext.slice(-4)}`),
      avatar: '',
      gender: 0,
      unionid: '',
    });
  }

  async servicerMessage(b: z.infer<typeof ServicerMessage>, base: string) {
    const m = await this.env.registry.require(b.merchantId);
    const openKfId = await this.env.registry.accountFor(m, b.openKfId);
    const now = this.now();
    const msgid = randomId(32);
    await this.appendKf(m, {
      msgid,
      open_kfid: openKfId,
      external_userid: b.externalUserId,
      send_time: Math.floor(now / 1000),
      origin: 5,
      servicer_userid: b.servicerUserId,
      msgtype: 'text',
      text: { content: b.text },
    });
    return { msgid, openKfId, at: now, callback: await this.callbacks.kf(m, openKfId, base) };
  }

  async kfEvent(b: z.infer<typeof KfEvent>, base: string) {
    const { store, registry } = this.env;
    const m = await registry.require(b.merchantId);
    const openKfId = await registry.accountFor(m, b.openKfId);
    const now = this.now();
    let welcomeCode: string | undefined;
    const event: Record<string, unknown> = { event_type: b.eventType, open_kfid: openKfId, external_userid: b.externalUserId, ...b.event };
    if (b.eventType === 'enter_session') {
      welcomeCode = randomId(40);
      await store.create<CodeRecord>(m.id, NS.code, welcomeCode, {
        kind: 'kf_welcome',
        externalUserId: b.externalUserId,
        openKfId,
        issuedAt: now,
        expiresAt: now + LIMITS.welcomeCodeTtlMs,
      });
      Object.assign(event, { scene: b.scene, scene_param: b.sceneParam, welcome_code: welcomeCode });
      await store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, b.externalUserId), (cur) =>
        cur && cur.state !== 4 ? undefined : { openKfId, externalUserId: b.externalUserId, state: 0, repliesSinceCustomer: 0, updatedAt: now },
      );
    }
    const msgid = randomId(32);
    await this.appendKf(m, { msgid, open_kfid: openKfId, send_time: Math.floor(now / 1000), origin: 4, msgtype: 'event', event: event as unknown as SandboxKfMessage['event'] });
    return { msgid, openKfId, at: now, welcomeCode, callback: b.notify ? await this.callbacks.kf(m, openKfId, base) : null };
  }

  async kfSession(b: z.infer<typeof KfSessionBody>) {
    const m = await this.env.registry.require(b.merchantId);
    const openKfId = await this.env.registry.accountFor(m, b.openKfId);
    const now = this.now();
    const { value } = await this.env.store.update<KfSession>(m.id, NS.kfSession, sessionKey(openKfId, b.externalUserId), (cur) => ({
      openKfId,
      externalUserId: b.externalUserId,
      state: (b.serviceState ?? cur?.state ?? 1) as KfSession['state'],
      servicerUserId: b.servicerUserId ?? cur?.servicerUserId,
      lastCustomerAt: b.lastCustomerMessageAt ?? cur?.lastCustomerAt,
      repliesSinceCustomer: b.repliesSinceCustomer ?? cur?.repliesSinceCustomer ?? 0,
      updatedAt: now,
    }));
    return value;
  }
}
