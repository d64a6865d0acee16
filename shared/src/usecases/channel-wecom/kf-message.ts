import type { Message } from '../../domain/conversation';
import type { KfMessage } from '../../ports/wecom';

/** Our message id for a WeCom kf msgid: the same WeCom message always maps to the same row. */
export const messageIdFor = (msgid: string) => `kf_${msgid}`;
/** The one kf conversation of a customer, when none exists yet. */
/** Whose message or event it is (events carry the customer inside). */
export const customerOf = (m: KfMessage) => m.external_userid || m.event?.external_userid || '';

export const kfConversationId = (externalUserId: string) => `kf-${externalUserId}`;

export const isText = (m: KfMessage) => m.msgtype === 'text' && typeof m.text?.content === 'string';

/** The instant WeCom gives (seconds), in ms. */
export const sentAt = (m: KfMessage) => (Number.isFinite(m.send_time) && m.send_time > 0 ? m.send_time * 1000 : 0);

const LABELS: Record<string, string> = {
  image: '[图片]',
  voice: '[语音]',
  video: '[视频]',
  file: '[文件]',
  location: '[位置]',
  link: '[链接]',
  miniprogram: '[小程序]',
  business_card: '[名片]',
  msgmenu: '[菜单]',
  event: '[事件]',
};

export const textPreview = (text: string) => Array.from(text.replace(/\s+/g, ' ').trim()).slice(0, 60).join('');

export function previewOf(m: Message): string {
  return textPreview(m.type === 'text' ? m.text : m.type === 'link' || m.type === 'miniprogram' ? `${LABELS[m.type]}${m.title}` : (LABELS[m.type] ?? `[${m.type}]`));
}

/**
 * A sync_msg item as our Message. Media keep WeCom's media_id in `mediaRef` (valid 3 days at
 * WeCom); copying the bytes into our media store is a separate step.
 */
export function toMessage(m: KfMessage, base: { merchantId: string; conversationId: string; sender: Message['sender']; at: number }): Message {
  const common = {
    id: messageIdFor(m.msgid),
    merchantId: base.merchantId,
    conversationId: base.conversationId,
    sender: base.sender,
    ...(m.servicer_userid ? { senderId: m.servicer_userid } : {}),
    at: base.at,
    wecomMsgId: m.msgid,
    ...(base.sender === 'customer' ? {} : { delivery: 'sent' as const }),
  };
  switch (m.msgtype) {
    case 'text':
      return { ...common, type: 'text', text: (m.text?.content ?? '').slice(0, 20000) };
    case 'image':
    case 'voice':
    case 'video':
      return { ...common, type: m.msgtype, mediaRef: m[m.msgtype]?.media_id };
    case 'file':
      return { ...common, type: 'file', mediaRef: m.file?.media_id };
    case 'location':
      return {
        ...common,
        type: 'location',
        latitude: Number(m.location?.latitude ?? 0),
        longitude: Number(m.location?.longitude ?? 0),
        name: m.location?.name ?? '',
        address: m.location?.address ?? '',
      };
    case 'link':
      return { ...common, type: 'link', title: m.link?.title ?? '', url: m.link?.url ?? '', desc: m.link?.desc ?? '' };
    case 'miniprogram':
      return { ...common, type: 'miniprogram', title: m.miniprogram?.title ?? '', appid: m.miniprogram?.appid ?? '', pagepath: m.miniprogram?.pagepath ?? '' };
    case 'business_card':
      return { ...common, type: 'business_card', userid: m.business_card?.userid ?? '' };
    default: {
      const detail: Record<string, unknown> = {};
      const body = (m as unknown as Record<string, unknown>)[m.msgtype];
      if (body && typeof body === 'object') Object.assign(detail, body);
      return {
        ...common,
        type: 'event',
        event: m.msgtype === 'event' ? (m.event?.event_type ?? 'event') : m.msgtype,
        detail: m.msgtype === 'event' ? { ...(m.event ?? {}) } : detail,
      };
    }
  }
}
