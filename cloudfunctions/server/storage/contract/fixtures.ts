import type { Merchant } from '@xiaoer/shared/domain/merchant';
import type { Customer } from '@xiaoer/shared/domain/customer';
import type { Conversation, Message } from '@xiaoer/shared/domain/conversation';

const sealed = { v: 1 as const, iv: 'aXY=', tag: 'dGFn', ct: 'Y3Q=' };

export function merchant(id: string, over: Partial<Merchant> = {}): Merchant {
  return {
    id,
    name: `店铺${id}`,
    industry: '奶茶',
    timezone: 'Asia/Shanghai',
    aiPersona: '',
    wecom: { corpId: 'ww1234567890abcd', secrets: {}, callback: { token: sealed, aesKey: sealed } },
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

export function customer(merchantId: string, id: string, over: Partial<Customer> = {}): Customer {
  return {
    merchantId,
    externalUserId: id,
    name: `客户${id}`,
    source: 'kf',
    tags: [],
    totalSpentFen: 0,
    orderCount: 0,
    lost: false,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

export function conversation(merchantId: string, id: string, externalUserId: string, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    merchantId,
    externalUserId,
    channel: 'kf',
    state: 'ai',
    missed: false,
    lastMessagePreview: '',
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...over,
  };
}

export function text(merchantId: string, conversationId: string, id: string, at: number, t = '你好'): Message {
  return { id, merchantId, conversationId, sender: 'customer', at, type: 'text', text: t };
}
