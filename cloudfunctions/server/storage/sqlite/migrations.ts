/**
 * Versioned migrations: each runs once, in order, inside a transaction, and is recorded in
 * schema_migrations. Never edit a released migration; add the next one.
 */
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'foundation',
    sql: `
CREATE TABLE merchants (id TEXT PRIMARY KEY, doc TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE stores (merchant_id TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE TABLE members (merchant_id TEXT NOT NULL, id TEXT NOT NULL, openid TEXT, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX members_openid ON members (openid) WHERE openid IS NOT NULL;
CREATE TABLE invites (code TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER, doc TEXT NOT NULL);
CREATE INDEX invites_merchant ON invites (merchant_id);
CREATE TABLE customers (merchant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', phone TEXT, last_active INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX customers_active ON customers (merchant_id, last_active DESC, id);
CREATE TABLE customer_tags (merchant_id TEXT NOT NULL, customer_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (merchant_id, customer_id, tag));
CREATE INDEX customer_tags_tag ON customer_tags (merchant_id, tag);
CREATE TABLE conversations (merchant_id TEXT NOT NULL, id TEXT NOT NULL, customer_id TEXT NOT NULL, channel TEXT NOT NULL, state TEXT NOT NULL, updated_at INTEGER NOT NULL, waiting_since INTEGER, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE UNIQUE INDEX conversations_customer ON conversations (merchant_id, customer_id, channel);
CREATE INDEX conversations_recent ON conversations (merchant_id, updated_at DESC, id);
CREATE INDEX conversations_state ON conversations (merchant_id, state, updated_at DESC);
CREATE TABLE messages (merchant_id TEXT NOT NULL, id TEXT NOT NULL, conversation_id TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX messages_thread ON messages (merchant_id, conversation_id, at);
CREATE TABLE faqs (merchant_id TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE TABLE products (merchant_id TEXT NOT NULL, sku TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, sku));
CREATE TABLE shop_facts (merchant_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at INTEGER NOT NULL);
CREATE TABLE counter_events (merchant_id TEXT NOT NULL, event_id TEXT NOT NULL, PRIMARY KEY (merchant_id, event_id));
CREATE TABLE counters (merchant_id TEXT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL DEFAULT '', name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (merchant_id, day, store_id, name));
CREATE TABLE jobs (key TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, run_at INTEGER NOT NULL, lease_until INTEGER, doc TEXT NOT NULL);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE TABLE audit (merchant_id TEXT NOT NULL, id TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX audit_recent ON audit (merchant_id, at DESC);
CREATE TABLE orders (merchant_id TEXT NOT NULL, id TEXT NOT NULL, customer_id TEXT, placed_at INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX orders_placed ON orders (merchant_id, placed_at);
CREATE INDEX orders_customer ON orders (merchant_id, customer_id, placed_at DESC);
CREATE TABLE tag_rules (merchant_id TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE TABLE campaigns (merchant_id TEXT NOT NULL, id TEXT NOT NULL, updated_at INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, id));
CREATE INDEX campaigns_recent ON campaigns (merchant_id, updated_at DESC);
`,
  },
  {
    version: 2,
    name: 'wecom inbox',
    sql: `
CREATE TABLE inbox (merchant_id TEXT NOT NULL, dedupe_key TEXT NOT NULL, status TEXT NOT NULL, received_at INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, dedupe_key));
CREATE INDEX inbox_pending ON inbox (status, received_at);
`,
  },
  {
    version: 3,
    name: 'key-value state with compare-and-set',
    sql: `
CREATE TABLE kv (merchant_id TEXT NOT NULL, ns TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL, updated_at INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (merchant_id, ns, key));
`,
  },
  {
    version: 4,
    name: 'kv pruning by namespace and age',
    sql: `
CREATE INDEX kv_ns_age ON kv (ns, updated_at);
`,
  },
  {
    version: 5,
    name: 'knowledge-base versions for cached answer indexes',
    sql: `
CREATE TABLE kb_versions (merchant_id TEXT PRIMARY KEY, v INTEGER NOT NULL);
`,
  },
  {
    version: 6,
    name: 'orders in: customers by phone, unmatched orders',
    sql: `
CREATE INDEX customers_phone ON customers (merchant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX orders_unmatched ON orders (merchant_id, placed_at DESC) WHERE customer_id IS NULL;
`,
  },
  {
    version: 7,
    name: 'stored reports (numbers, text sent, push state)',
    sql: `
CREATE TABLE reports (merchant_id TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL, rev INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (merchant_id, kind, date));
`,
  },
  {
    version: 8,
    name: 'hourly counter buckets beside the daily totals',
    sql: `
CREATE TABLE counter_hours (merchant_id TEXT NOT NULL, day TEXT NOT NULL, hour INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (merchant_id, day, hour, name));
`,
  },
  {
    // Generated from the document, so every writer (the repository, bulk seeds) keeps them right.
    // facts: what tag rules read, as one small JSON array (its order: sqlite/customers.ts), so the
    // nightly batch parses that instead of 100k whole documents. A stored generated column cannot
    // be added by ALTER TABLE: the table is rebuilt.
    version: 9,
    name: 'customers: sort by spend and added date, tag-rule facts',
    sql: `
CREATE TABLE customers_v9 (
  merchant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', phone TEXT, last_active INTEGER NOT NULL, doc TEXT NOT NULL,
  spent INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.totalSpentFen', 0)) STORED,
  added_at INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.createdAt', 0)) STORED,
  facts TEXT GENERATED ALWAYS AS (json_array(doc ->> '$.name', doc -> '$.tags', doc ->> '$.totalSpentFen', doc ->> '$.orderCount', doc ->> '$.lastOrderAt', doc ->> '$.createdAt',
    doc -> '$.categories', doc ->> '$.source', doc ->> '$.sourceState', doc ->> '$.birthday.month', doc ->> '$.storeId', doc ->> '$.followUserId', doc ->> '$.lost',
    doc ->> '$.lastMessageAt')) STORED,
  PRIMARY KEY (merchant_id, id));
INSERT INTO customers_v9 (merchant_id, id, name, phone, last_active, doc) SELECT merchant_id, id, name, phone, last_active, doc FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v9 RENAME TO customers;
CREATE INDEX customers_active ON customers (merchant_id, last_active DESC, id);
CREATE INDEX customers_phone ON customers (merchant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_spent ON customers (merchant_id, spent DESC, id);
CREATE INDEX customers_added ON customers (merchant_id, added_at DESC, id);
-- covering: listFacts reads the index alone, not 100k rows of whole documents by rowid
CREATE INDEX customers_facts ON customers (merchant_id, id, facts);
`,
  },
  {
    // Facts grow by the birthday's day (follow-ups on the day), the first order (channel stats) and
    // the opt-out (campaigns): the generated column is rebuilt the way version 9 made it.
    version: 10,
    name: 'customer facts: birthday day, first order, opted out',
    sql: `
CREATE TABLE customers_v10 (
  merchant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', phone TEXT, last_active INTEGER NOT NULL, doc TEXT NOT NULL,
  spent INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.totalSpentFen', 0)) STORED,
  added_at INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.createdAt', 0)) STORED,
  facts TEXT GENERATED ALWAYS AS (json_array(doc ->> '$.name', doc -> '$.tags', doc ->> '$.totalSpentFen', doc ->> '$.orderCount', doc ->> '$.lastOrderAt', doc ->> '$.createdAt',
    doc -> '$.categories', doc ->> '$.source', doc ->> '$.sourceState', doc ->> '$.birthday.month', doc ->> '$.storeId', doc ->> '$.followUserId', doc ->> '$.lost',
    doc ->> '$.lastMessageAt', doc ->> '$.birthday.day', doc ->> '$.firstOrderAt', doc ->> '$.optedOutAt')) STORED,
  PRIMARY KEY (merchant_id, id));
INSERT INTO customers_v10 (merchant_id, id, name, phone, last_active, doc) SELECT merchant_id, id, name, phone, last_active, doc FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v10 RENAME TO customers;
CREATE INDEX customers_active ON customers (merchant_id, last_active DESC, id);
CREATE INDEX customers_phone ON customers (merchant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_spent ON customers (merchant_id, spent DESC, id);
CREATE INDEX customers_added ON customers (merchant_id, added_at DESC, id);
CREATE INDEX customers_facts ON customers (merchant_id, id, facts);
`,
  },
  {
    // One row per campaign recipient (issue 16): 100k of them do not fit the campaign document.
    // `at` is when the send counts toward the customer's quota (task created, or delivered).
    version: 11,
    name: 'campaign recipients',
    sql: `
CREATE TABLE campaign_recipients (
  merchant_id TEXT NOT NULL, campaign_id TEXT NOT NULL, customer_id TEXT NOT NULL, sender TEXT NOT NULL, variant INTEGER NOT NULL, status TEXT NOT NULL,
  msgid TEXT, at INTEGER, sent_at INTEGER, replied_at INTEGER, ordered_at INTEGER, revenue_fen INTEGER,
  PRIMARY KEY (merchant_id, campaign_id, customer_id));
CREATE INDEX campaign_recipients_customer ON campaign_recipients (merchant_id, customer_id, at);
CREATE INDEX campaign_recipients_at ON campaign_recipients (merchant_id, at) WHERE at IS NOT NULL;
`,
  },
  {
    // Facts grow by the latest campaign reply (the 回复过活动 tag condition), rebuilt as in version 10.
    version: 12,
    name: 'customer facts: campaign reply',
    sql: `
CREATE TABLE customers_v12 (
  merchant_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL DEFAULT '', phone TEXT, last_active INTEGER NOT NULL, doc TEXT NOT NULL,
  spent INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.totalSpentFen', 0)) STORED,
  added_at INTEGER GENERATED ALWAYS AS (coalesce(doc ->> '$.createdAt', 0)) STORED,
  facts TEXT GENERATED ALWAYS AS (json_array(doc ->> '$.name', doc -> '$.tags', doc ->> '$.totalSpentFen', doc ->> '$.orderCount', doc ->> '$.lastOrderAt', doc ->> '$.createdAt',
    doc -> '$.categories', doc ->> '$.source', doc ->> '$.sourceState', doc ->> '$.birthday.month', doc ->> '$.storeId', doc ->> '$.followUserId', doc ->> '$.lost',
    doc ->> '$.lastMessageAt', doc ->> '$.birthday.day', doc ->> '$.firstOrderAt', doc ->> '$.optedOutAt', doc ->> '$.campaignReplyAt')) STORED,
  PRIMARY KEY (merchant_id, id));
INSERT INTO customers_v12 (merchant_id, id, name, phone, last_active, doc) SELECT merchant_id, id, name, phone, last_active, doc FROM customers;
DROP TABLE customers;
ALTER TABLE customers_v12 RENAME TO customers;
CREATE INDEX customers_active ON customers (merchant_id, last_active DESC, id);
CREATE INDEX customers_phone ON customers (merchant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX customers_spent ON customers (merchant_id, spent DESC, id);
CREATE INDEX customers_added ON customers (merchant_id, added_at DESC, id);
CREATE INDEX customers_facts ON customers (merchant_id, id, facts);
`,
  },
];
