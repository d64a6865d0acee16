/**
 * Every collection the product uses; created at start when missing and by `npm run deploy`. The
 * adapter's `collection()` only takes these names, so a new one cannot skip the deploy plan.
 */
export const COLLECTIONS = [
  'merchants',
  'stores',
  'members',
  'invites',
  'customers',
  'conversations',
  'messages',
  'faqs',
  'kb_versions',
  'products',
  'shop_facts',
  'counters',
  'counter_hours',
  'jobs',
  'audit',
  'orders',
  'reports',
  'tag_rules',
  'campaigns',
  'campaign_recipients',
  'inbox',
  'kv',
] as const;

/**
 * Indexes the queries need (fields ascending, in order). The server SDK has no index API: `npm run
 * deploy` creates the missing ones with the management API and never drops any; its dry-run plan
 * lists them from here.
 */
export const INDEXES: Record<(typeof COLLECTIONS)[number], string[][]> = {
  merchants: [['createdAt']],
  stores: [['merchantId', 'id']],
  members: [
    ['merchantId', 'openid'],
    ['openid', 'merchantId'],
  ],
  invites: [['merchantId', 'expiresAt']],
  customers: [
    ['merchantId', 'idx_lastActive'],
    ['merchantId', 'tags'],
    ['merchantId', 'phone', 'idx_lastActive'],
    // customers.list sorted by spend or by when added (the tags filter narrows by the index above)
    ['merchantId', 'totalSpentFen'],
    ['merchantId', 'createdAt'],
  ],
  conversations: [
    ['merchantId', 'updatedAt'],
    ['merchantId', 'state', 'updatedAt'],
    ['merchantId', 'externalUserId', 'channel'],
    ['merchantId', 'state', 'idx_waitingSince'],
  ],
  messages: [['merchantId', 'conversationId', 'at']],
  faqs: [['merchantId', 'id']],
  kb_versions: [],
  products: [['merchantId', 'sku']],
  shop_facts: [],
  counters: [['merchantId', 'day']],
  counter_hours: [['merchantId', 'day']],
  jobs: [
    ['status', 'runAt'],
    ['status', 'leaseUntil'],
  ],
  audit: [['merchantId', 'at']],
  orders: [
    ['merchantId', 'placedAt'],
    ['merchantId', 'externalUserId', 'placedAt'],
  ],
  reports: [['merchantId', 'kind', 'date']],
  tag_rules: [['merchantId', 'id']],
  campaigns: [['merchantId', 'updatedAt']],
  campaign_recipients: [
    ['merchantId', 'campaignId', 'externalUserId'],
    ['merchantId', 'at'],
    ['merchantId', 'externalUserId', 'sentAt'],
  ],
  inbox: [['status', 'receivedAt']],
  kv: [
    ['merchantId', 'ns', 'key'],
    ['ns', 'updatedAt'],
  ],
};

export type CollectionName = (typeof COLLECTIONS)[number];
