import type { InboxEntry } from '../domain/inbox';
import type { StoredFaq } from '../domain/knowledge';
import type { Merchant } from '../domain/merchant';
import type { KfEvent, KfMessage } from '../ports/wecom';
import type { Deps } from '../ports/deps';
import { createMerchant } from '../usecases/shop/merchants';
import { createFaqAnswerer } from './bigram-answerer';
import type { Answerer } from '../ports/answerer';
import type { WecomOptions } from '../usecases/channel-wecom/context';
import { FakeWecomApi } from './fake-wecom-api';
import { stableHash } from '../usecases/channel-wecom/msgid';
import type { InboxContext } from '../usecases/channel-wecom/inbox';

/**
 * Test support for the WeCom channel (platform-free; the tests bring SQLite deps and a
 * ManualClock from test/helpers/deps.ts).
 */

/** The official callback vector A's credentials (test/helpers/host.ts). */
export const VECTOR_A = {
  corpId: 'wx5823bf96d3bd56c7',
  token: 'QDG6eK',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

export const SHOP = 'shop-a';
export const KF = 'wkAAAA0001';

/** A deliberately small flat-XML reader for test callbacks (the server uses fast-xml-parser). */
export function parseFlatXml(text: string): Record<string, unknown> {
  const inner = /^\s*<xml>([\s\S]*)<\/xml>\s*$/.exec(text);
  if (!inner) throw new Error('not <xml>');
  const out: Record<string, unknown> = {};
  const re = /<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  for (let m = re.exec(inner[1]); m; m = re.exec(inner[1])) out[m[1]] = m[2] ?? m[3] ?? '';
  return out;
}

export function xmlOf(fields: Record<string, string | number>): string {
  return `<xml>${Object.entries(fields)
    .map(([k, v]) => (typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`))
    .join('')}</xml>`;
}

export interface Harness {
  deps: Deps;
  fake: FakeWecomApi;
  ctx: InboxContext;
  merchant: Merchant;
  answerer: Answerer & { questions: string[] };
  /** Stores a callback in the inbox as the server would (dedupe key = hash of the plaintext). */
  callback(fields: Record<string, string | number>): Promise<InboxEntry>;
  /** A kf_msg_or_event callback for the test kf account. */
  kfCallback(token?: string): Promise<InboxEntry>;
  text(ext: string, content: string, extra?: Partial<KfMessage>): KfMessage;
  media(ext: string, type: 'image' | 'voice' | 'video' | 'file', extra?: Partial<KfMessage>): KfMessage;
  event(ext: string, event: Omit<KfEvent, 'external_userid' | 'open_kfid'>, extra?: Partial<KfMessage>): KfMessage;
  servicer(ext: string, servicer: string, content: string): KfMessage;
  counters(): Promise<Record<string, number>>;
}

export const FAQS: Omit<StoredFaq, 'merchantId' | 'updatedAt'>[] = [
  { id: 'hours', question: '你们几点开门？营业时间是多少', answer: '我们每天 10:00–22:00 营业，21:45 停止点单。', alternatives: ['几点关门', '营业时间'], enabled: true },
  { id: 'delivery', question: '可以送外卖吗？配送范围多大', answer: '门店 3 公里内可以配送，满 30 元免配送费。', alternatives: ['能送到吗', '外卖配送'], enabled: true },
  { id: 'parking', question: '附近好停车吗', answer: '大厦地下车库前 30 分钟免费。', alternatives: ['停车方便吗'], enabled: true },
];

export async function setupHarness(deps: Deps, options: Partial<WecomOptions> = {}): Promise<Harness> {
  const { merchant } = await createMerchant(deps, { id: SHOP, name: '茶小满', ...VECTOR_A, kfSecret: 'kf-secret', contactSecret: 'contact-secret' });
  for (const f of FAQS) await deps.storage.knowledge.upsertFaq({ ...f, merchantId: SHOP, updatedAt: deps.clock.now() });
  const fake = new FakeWecomApi();
  const faq = createFaqAnswerer(deps.storage.knowledge);
  const questions: string[] = [];
  const answerer = {
    questions,
    answer: async (input: Parameters<Answerer['answer']>[0]) => {
      questions.push(input.text);
      return faq.answer(input);
    },
  };
  const ctx: InboxContext = { deps, wecom: fake, answerer, parseXml: parseFlatXml, options };
  const sec = () => Math.floor(deps.clock.now() / 1000);
  const base = (ext: string, extra: Partial<KfMessage> = {}): KfMessage => ({
    msgid: fake.nextMsgId(),
    open_kfid: KF,
    external_userid: ext,
    send_time: sec(),
    origin: 3,
    msgtype: 'text',
    ...extra,
  });
  const callback = async (fields: Record<string, string | number>) => {
    const plaintext = xmlOf(fields);
    const entry: InboxEntry = {
      merchantId: SHOP,
      dedupeKey: `sha:${stableHash(plaintext)}`,
      msgType: String(fields.MsgType ?? ''),
      event: String(fields.Event ?? ''),
      plaintext,
      receivedAt: deps.clock.now(),
      status: 'pending',
      attempts: 0,
    };
    await deps.storage.inbox.put(entry);
    return (await deps.storage.inbox.get(SHOP, entry.dedupeKey))!;
  };
  let tokens = 0;
  return {
    deps,
    fake,
    ctx,
    merchant,
    answerer,
    callback,
    kfCallback: (token?: string) =>
      callback({ ToUserName: VECTOR_A.corpId, CreateTime: sec(), MsgType: 'event', Event: 'kf_msg_or_event', Token: token ?? `TOKEN${++tokens}`, OpenKfId: KF }),
    text: (ext, content, extra) => base(ext, { msgtype: 'text', text: { content }, ...extra }),
    media: (ext, type, extra) => base(ext, { msgtype: type, [type]: { media_id: `MEDIA_${type}_${fake.nextMsgId()}` }, ...extra }),
    event: (ext, event, extra) => base(ext, { origin: 4, msgtype: 'event', external_userid: undefined, event: { open_kfid: KF, external_userid: ext, ...event }, ...extra }),
    servicer: (ext, servicer, content) => base(ext, { origin: 5, servicer_userid: servicer, text: { content } }),
    counters: async () => {
      const day = new Date(deps.clock.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const days = await deps.storage.counters.days(SHOP, day, day);
      return { ...days[day] };
    },
  };
}
