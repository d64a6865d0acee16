import type { Merchant, Store } from '../domain/merchant';
import type { Invite, Member } from '../domain/member';
import type { Customer } from '../domain/customer';
import type { Conversation, ConversationState, Message } from '../domain/conversation';
import type { StoredFaq, StoredProduct } from '../domain/knowledge';
import type { CounterName, Counters } from '../domain/counters';
import type { Job } from '../domain/job';
import type { AuditEntry } from '../domain/audit';
import type { Order } from '../domain/commerce';
import type { Campaign, CampaignRecipient, RecipientStatus, TagRule } from '../domain/marketing';
import type { Day } from '../domain/ids';
import type { InboxEntry } from '../domain/inbox';
import type { Report, ReportKind } from '../domain/report';

/**
 * Repository ports, shaped by the use cases that call them. Every method that touches a
 * merchant's data takes the merchantId explicitly; the few that don't (platform listing,
 * identity look-ups by openid or invite code, the job ledger) say why.
 */

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface MerchantRepo {
  /** Fails with CONFLICT.MERCHANT_EXISTS when the id is taken. */
  create(merchant: Merchant): Promise<void>;
  get(merchantId: string): Promise<Merchant | null>;
  /** Replaces the stored document; the caller read it first (single writer per merchant settings). */
  save(merchant: Merchant): Promise<void>;
  /** Platform-level: the admin CLI and schedulers walk all merchants. */
  listAll(): Promise<Merchant[]>;
}

export interface StoreRepo {
  upsert(store: Store): Promise<void>;
  list(merchantId: string): Promise<Store[]>;
}

export interface MemberRepo {
  add(member: Member): Promise<void>;
  get(merchantId: string, memberId: string): Promise<Member | null>;
  /** Replaces an existing member (on duty, WeCom userid, name); NOT_FOUND.MEMBER when absent. */
  save(member: Member): Promise<void>;
  list(merchantId: string): Promise<Member[]>;
  findByOpenid(merchantId: string, openid: string): Promise<Member | null>;
  /** Identity: every shop one person belongs to (the caller proves who they are, not which shop). */
  listByOpenid(openid: string): Promise<Member[]>;
  /** Takes a member out of one shop; false when there was no such member. */
  remove(merchantId: string, memberId: string): Promise<boolean>;
}

export interface InviteRepo {
  create(invite: Invite): Promise<void>;
  /**
   * Marks an unused, unexpired code as used, exactly once even under races; null otherwise.
   * Looked up by code alone: the code is what a new member has before they belong anywhere.
   */
  redeem(code: string, usedBy: string, now: number): Promise<Invite | null>;
  /** The code whatever its state (used, expired): to tell a joiner why it did not work. */
  find(code: string): Promise<Invite | null>;
  list(merchantId: string): Promise<Invite[]>;
}

export interface CustomerQuery {
  /** Part of the name or phone number. */
  search?: string;
  /** One tag (older callers); joins `tags`. */
  tag?: string;
  tags?: string[];
  /** `all` (default): every tag given; `any`: at least one. */
  tagMode?: 'all' | 'any';
  /** Newest or highest first: last activity (default), total spend, when added. Ties by id. */
  sort?: CustomerSort;
  limit: number;
  /** From a page of the same query (sort included). */
  cursor?: string;
}
export type CustomerSort = 'lastVisit' | 'spend' | 'added';

/**
 * What tag rules (and tag counts) read of a customer: the nightly batch reads only this for every
 * customer, not whole documents. Fields as on `Customer`; the birthday by its month only.
 */
export interface CustomerFacts {
  externalUserId: string;
  name: string;
  tags: string[];
  totalSpentFen: number;
  orderCount: number;
  lastOrderAt?: number;
  /** With lastOrderAt and createdAt, how recently they were active (previews show the most recent). */
  lastMessageAt?: number;
  createdAt: number;
  categories?: string[];
  source: string;
  sourceState?: string;
  birthdayMonth?: number;
  birthdayDay?: number;
  /** First paid order (channel stats: ordered within 30 days of being added). */
  firstOrderAt?: number;
  /** Asked for no more marketing: campaigns and follow-ups leave them out. */
  optedOutAt?: number;
  /** Replied to a campaign or follow-up (the 回复过活动 tag condition). */
  campaignReplyAt?: number;
  storeId?: string;
  followUserId?: string;
  lost: boolean;
}

export interface CustomerRepo {
  upsert(customer: Customer): Promise<void>;
  get(merchantId: string, externalUserId: string): Promise<Customer | null>;
  /** The customer with exactly this phone number (as stored); the most recently active if several. */
  findByPhone(merchantId: string, phone: string): Promise<Customer | null>;
  /** Filtered and sorted as the query says (most recently active first by default); `total` counts every match. */
  list(merchantId: string, query: CustomerQuery): Promise<Page<Customer> & { total: number }>;
  /** Every customer's rule facts (lost ones included), a page at a time, in no promised order. */
  listFacts(merchantId: string, page: { limit: number; cursor?: string }): Promise<Page<CustomerFacts>>;
  count(merchantId: string): Promise<number>;
  remove(merchantId: string, externalUserId: string): Promise<void>;
}

export interface ConversationQuery {
  states?: ConversationState[];
  limit: number;
  cursor?: string;
}

export interface ConversationRepo {
  upsert(conversation: Conversation): Promise<void>;
  get(merchantId: string, id: string): Promise<Conversation | null>;
  findByCustomer(merchantId: string, externalUserId: string, channel: Conversation['channel']): Promise<Conversation | null>;
  /** Most recently updated first. */
  list(merchantId: string, query: ConversationQuery): Promise<Page<Conversation>>;
  countByState(merchantId: string, state: ConversationState): Promise<number>;
  /** Conversations waiting for a person since before `before` (to mark missed). */
  listWaitingSince(merchantId: string, before: number, limit: number): Promise<Conversation[]>;
  removeByCustomer(merchantId: string, externalUserId: string): Promise<string[]>;
}

export interface MessageRepo {
  /** Idempotent by id: false when a message with this id already exists. */
  add(message: Message): Promise<boolean>;
  /**
   * Oldest first, the last `limit` messages; with `before`, the last `limit` strictly older than
   * that message in (at, id) order (the thread pages upward from it).
   */
  listByConversation(merchantId: string, conversationId: string, limit: number, before?: { at: number; id: string }): Promise<Message[]>;
  removeByConversation(merchantId: string, conversationId: string): Promise<number>;
  /** Moves an outgoing message's delivery status (pending → sent / failed, or a later failure). */
  setDelivery(merchantId: string, messageId: string, delivery: NonNullable<Message['delivery']>): Promise<boolean>;
}

export interface KnowledgeRepo {
  upsertFaq(faq: StoredFaq): Promise<void>;
  listFaqs(merchantId: string): Promise<StoredFaq[]>;
  removeFaq(merchantId: string, faqId: string): Promise<void>;
  /** Moves on every write or removal of this merchant's FAQs (0 before any): tells a cached index it is stale. */
  faqsVersion(merchantId: string): Promise<number>;
  upsertProduct(product: StoredProduct): Promise<void>;
  listProducts(merchantId: string): Promise<StoredProduct[]>;
  /** The listed products among `skus` (any order; unknown skus left out): an order reads only what it sells. */
  getProducts(merchantId: string, skus: string[]): Promise<StoredProduct[]>;
  setFacts(merchantId: string, facts: Record<string, unknown>, now: number): Promise<void>;
  getFacts(merchantId: string): Promise<Record<string, unknown>>;
}

export interface CounterIncrement {
  day: Day;
  storeId?: string;
  name: CounterName;
  amount: number;
  /** Deterministic id of the source event: the same event never counts twice. */
  eventId: string;
  /** Merchant-local hour (0–23) of the event: moves that hour's bucket too. Absent: the day's total only. */
  hour?: number;
}

/** 24 entries per day, index = merchant-local hour. */
export type HourlyCounters = Counters[];

export interface CounterRepo {
  /** Applies each increment whose eventId is new; returns how many were applied. */
  increment(merchantId: string, increments: CounterIncrement[]): Promise<number>;
  /** Totals across stores (or one store) per day in [from, to], missing days as zeros. */
  days(merchantId: string, from: Day, to: Day, storeId?: string): Promise<Record<Day, Counters>>;
  /** Hourly buckets across stores per day in [from, to], missing hours as zeros. */
  hours(merchantId: string, from: Day, to: Day): Promise<Record<Day, HourlyCounters>>;
}

export type NewJob = Pick<Job, 'key' | 'merchantId' | 'kind' | 'runAt'> & Partial<Pick<Job, 'payload' | 'maxAttempts'>>;

/** The job ledger is platform-wide: the scheduler claims due work across merchants. */
export interface JobRepo {
  /** Inserts unless the key exists; true when inserted. */
  enqueue(job: NewJob, now: number): Promise<boolean>;
  get(key: string): Promise<Job | null>;
  /**
   * Atomically claims up to `limit` jobs that are pending and due, or running with an expired
   * lease; each claimed job is `running` with `attempts+1` and a lease until now+leaseMs.
   */
  claimDue(now: number, leaseMs: number, limit: number): Promise<Job[]>;
  complete(key: string, result: unknown, now: number): Promise<void>;
  /** `retryAt` null: give up (status failed); otherwise back to pending at retryAt. */
  fail(key: string, error: string, retryAt: number | null, now: number): Promise<void>;
  list(filter: { status?: Job['status']; kind?: string; limit: number }): Promise<Job[]>;
}

export interface AuditRepo {
  append(entry: AuditEntry): Promise<void>;
  list(merchantId: string, limit: number): Promise<AuditEntry[]>;
}

export interface OrderRepo {
  /** Idempotent by id: false when it exists. */
  add(order: Order): Promise<boolean>;
  get(merchantId: string, id: string): Promise<Order | null>;
  listByCustomer(merchantId: string, externalUserId: string, limit: number): Promise<Order[]>;
  listPlacedBetween(merchantId: string, from: number, to: number, limit: number): Promise<Order[]>;
  /**
   * Compare-and-set write of the whole order: `expectedRev` null inserts only if absent; a number
   * replaces only while the stored `rev` (absent = 0) still equals it. The caller sets `order.rev`.
   * False when another writer got there first; nothing changes then.
   */
  put(order: Order, expectedRev: number | null): Promise<boolean>;
  /** Orders with no customer (unmatched), newest placed first. */
  listUnmatched(merchantId: string, limit: number): Promise<Order[]>;
  /**
   * One customer's order totals worked out in storage, over their latest `limit` orders by placing
   * time minus `except` (the caller adds that order's pending version): the same numbers as
   * `customerTotals` (usecases/orders/facts.ts) over those orders, rows from before revs read by
   * their status. `version` names the (order, rev) pairs of the latest `limit`, `except` included:
   * equal versions, unchanged orders.
   */
  customerTotals(merchantId: string, externalUserId: string, opts: { limit: number; except?: string }): Promise<{ totals: CustomerOrderTotals; version: string }>;
}

/** A customer's numbers from their orders (usecases/orders/facts.ts says which orders count). */
export interface CustomerOrderTotals {
  totalSpentFen: number;
  orderCount: number;
  firstOrderAt?: number;
  lastOrderAt?: number;
  /** Sorted. */
  categories: string[];
}

/** Stored reports (issue 12): one per (merchant, kind, period), written with compare-and-set. */
export interface ReportRepo {
  /**
   * `expectedRev` null inserts only if absent; a number replaces only while the stored `rev` still
   * equals it. The caller sets `report.rev`. False when another writer got there first.
   */
  put(report: Report, expectedRev: number | null): Promise<boolean>;
  get(merchantId: string, kind: ReportKind, date: string): Promise<Report | null>;
  /** Newest period first; only periods before `before` (a date) when given. */
  list(merchantId: string, kind: ReportKind, limit: number, before?: string): Promise<Report[]>;
}

export interface TagRuleRepo {
  upsert(rule: TagRule): Promise<void>;
  list(merchantId: string): Promise<TagRule[]>;
  remove(merchantId: string, id: string): Promise<void>;
}

/** A change to one recipient row (the campaign's tracking writes these in batches). */
export interface RecipientChange {
  externalUserId: string;
  status?: RecipientStatus;
  msgid?: string;
  /** When the task holding them was created (a waiting recipient counts toward the quota from then). */
  taskAt?: number;
  sentAt?: number;
  repliedAt?: number;
  orderedAt?: number;
  revenueFen?: number;
}

/** One customer's mass sends in a window: what the planner checks quotas and "recently messaged" against. */
export interface DeliveryTally {
  externalUserId: string;
  /** Sent or waiting for a member to confirm, at or after `since`. */
  used: number;
  lastSentAt?: number;
  /** WeCom answered "quota used up" (send result status 3) at or after `since`. */
  quotaHit: boolean;
}

export interface RecipientCounts {
  variant: number;
  status: RecipientStatus;
  count: number;
  replied: number;
  ordered: number;
  revenueFen: number;
}

export interface CampaignRepo {
  /** Compare-and-set write, as `OrderRepo.put`: null inserts only if absent; false when another writer won. */
  put(campaign: Campaign, expectedRev: number | null): Promise<boolean>;
  get(merchantId: string, id: string): Promise<Campaign | null>;
  /** Most recently updated first. */
  list(merchantId: string, limit: number): Promise<Campaign[]>;
  /** Inserts the rows not there yet (by campaign and customer): a plan stored twice is stored once. */
  addRecipients(merchantId: string, campaignId: string, rows: CampaignRecipient[]): Promise<number>;
  /** By customer id; `sender`/`status` filter. */
  listRecipients(merchantId: string, campaignId: string, q: { limit: number; cursor?: string; sender?: string; status?: RecipientStatus }): Promise<Page<CampaignRecipient>>;
  /** Applies each change to its row (absent rows ignored); how many rows changed. */
  updateRecipients(merchantId: string, campaignId: string, changes: RecipientChange[]): Promise<number>;
  /** Drops a draft's rows before it is planned again. */
  removeRecipients(merchantId: string, campaignId: string): Promise<void>;
  /** Counts per (variant, status), with replies, orders and revenue attributed. */
  recipientCounts(merchantId: string, campaignId: string): Promise<RecipientCounts[]>;
  /** Per customer with any mass send (sent or waiting) or quota answer at or after `since`, every campaign. */
  deliveriesSince(merchantId: string, since: number): Promise<DeliveryTally[]>;
  /** The customer's latest sent row at or after `since` (which campaign a reply or an order belongs to). */
  latestDelivery(merchantId: string, externalUserId: string, since: number): Promise<CampaignRecipient | null>;
}

/** The durable inbox of verified callbacks (ARCHITECTURE §3): persisted first, processed after. */
export interface InboxRepo {
  /** Inserts unless (merchantId, dedupeKey) exists; true when this is the first delivery. */
  put(entry: InboxEntry): Promise<boolean>;
  get(merchantId: string, dedupeKey: string): Promise<InboxEntry | null>;
  /** Platform-wide, oldest first: the sweep job picks up whatever was left pending. */
  listPending(receivedBefore: number, limit: number): Promise<InboxEntry[]>;
  markProcessed(merchantId: string, dedupeKey: string, now: number): Promise<void>;
  markFailed(merchantId: string, dedupeKey: string, error: string, now: number): Promise<void>;
  /**
   * Housekeeping and data minimisation: deletes up to `limit` processed entries (any merchant)
   * received before `before`; pending and failed ones stay. How many went.
   */
  pruneProcessed(before: number, limit: number): Promise<number>;
}

export interface KvEntry<T = unknown> {
  key: string;
  value: T;
  /** Starts at 1 and grows by one per successful write: the compare-and-set token. */
  version: number;
  updatedAt: number;
}

/**
 * Small named state with compare-and-set: WeCom access tokens, kf sync cursors, per-customer
 * leases, sandbox state. `merchantId` is the owner (PLATFORM for platform-wide state).
 */
export interface KvRepo {
  get<T = unknown>(merchantId: string, ns: string, key: string): Promise<KvEntry<T> | null>;
  /**
   * Writes when the stored version equals `expectedVersion` (null: only if absent); false
   * otherwise, and nothing changes. Two writers racing on one version: exactly one wins.
   */
  set(merchantId: string, ns: string, key: string, value: unknown, expectedVersion: number | null, now: number): Promise<boolean>;
  delete(merchantId: string, ns: string, key: string): Promise<void>;
  /** Oldest key first. */
  list<T = unknown>(merchantId: string, ns: string, limit: number): Promise<KvEntry<T>[]>;
  /** Housekeeping: deletes up to `limit` entries of `ns`, any merchant, last written before `before`; how many went. */
  prune(ns: string, before: number, limit: number): Promise<number>;
}

/** Everything the product keeps, behind one handle the composition root builds. */
export interface Storage {
  merchants: MerchantRepo;
  stores: StoreRepo;
  members: MemberRepo;
  invites: InviteRepo;
  customers: CustomerRepo;
  conversations: ConversationRepo;
  messages: MessageRepo;
  knowledge: KnowledgeRepo;
  counters: CounterRepo;
  jobs: JobRepo;
  audit: AuditRepo;
  orders: OrderRepo;
  reports: ReportRepo;
  tagRules: TagRuleRepo;
  campaigns: CampaignRepo;
  inbox: InboxRepo;
  kv: KvRepo;
  close(): Promise<void>;
}
