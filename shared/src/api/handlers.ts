import { conversationActions } from './actions-conversations';
import { knowledgeActions } from './actions-knowledge';
import { orderActions } from './actions-orders';
import { reportActions } from './actions-reports';
import { alertActions } from './actions-alerts';
import { stockActions } from './actions-stock';
import { subscribeActions } from './actions-subscribe';
import { inboxActions } from './actions-inbox';
import { shopActions } from './actions-shop';
import { tagActions } from './actions-tags';
import { campaignActions } from './actions-campaigns';
import { followupActions } from './actions-followups';
import { channelActions } from './actions-channels';
import type { Handlers } from './context';

export type { CallContext, Handlers } from './context';

/** Every action's handler, one table; TypeScript checks it is complete. Only dispatch.ts imports it. */
export const handlers: Handlers = {
  ...shopActions,
  ...conversationActions,
  ...knowledgeActions,
  ...orderActions,
  ...reportActions,
  ...alertActions,
  ...stockActions,
  ...subscribeActions,
  ...inboxActions,
  ...tagActions,
  ...campaignActions,
  ...followupActions,
  ...channelActions,
};
