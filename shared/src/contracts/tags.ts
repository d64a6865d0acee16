import { z } from 'zod';
import { MerchantId } from '../domain/ids';
import { TagName, TagRuleInput } from '../domain/tag-rule';

/**
 * The 标签和规则 actions of the `api` contract (issue 15; api.ts spreads them into its union,
 * policy and results), and a customer's hand-made profile changes.
 *
 * A rule is `{name, tags, removeTags?, when}` (domain/tag-rule.ts): `when` is `{all:[…]}` |
 * `{any:[…]}` | `{not:C}` | `{field, op, value}`, at most 5 levels deep and 50 conditions. A bad
 * tree is refused with INPUT.INVALID whose `details[].path` names the part (`rule.when.all.1.op`).
 *
 * Rules, previews, templates and "apply now" are the owner's; staff see the tags with their counts
 * and tag customers by hand (the counter is where they learn who is who).
 */
const m = { merchantId: MerchantId };
const RuleId = z.string().min(1).max(80);
const Ext = z.string().min(1).max(128);
export const Birthday = z.object({
  month: z.number().int().min(1).max(12),
  day: z.number().int().min(1).max(31),
  year: z.number().int().min(1900).max(2100).optional(),
});

export const TAG_REQUESTS = [
  /** Every tag in use with its number of customers, most used first (rule tags with none included). */
  z.object({ action: z.literal('tags.list'), ...m }),
  z.object({ action: z.literal('tags.rules.list'), ...m }),
  /** Adds a rule (no id) or replaces one (id). Nothing is saved when the rule is refused. */
  z.object({ action: z.literal('tags.rules.save'), ...m, id: RuleId.optional(), rule: TagRuleInput, enabled: z.boolean().optional() }),
  z.object({ action: z.literal('tags.rules.setEnabled'), ...m, id: RuleId, enabled: z.boolean() }),
  z.object({ action: z.literal('tags.rules.remove'), ...m, id: RuleId }),
  /** How many customers the rule's condition matches now, and 10 of them (most recently active first). Writes nothing. */
  z.object({ action: z.literal('tags.preview'), ...m, rule: TagRuleInput }),
  /** The templates for an industry (default: the shop's own), each with whether it is on. */
  z.object({ action: z.literal('tags.templates.list'), ...m, industry: z.enum(['milktea', 'clothing', 'beauty', 'general']).optional() }),
  /** What turning a template on would tag now, rule by rule. Writes nothing. */
  z.object({ action: z.literal('tags.templates.preview'), ...m, templateId: z.string().min(1).max(40) }),
  /** Turns a template on in one call (its rules stored and enabled; twice keeps one copy). Tags move at the next apply or night. */
  z.object({ action: z.literal('tags.templates.enable'), ...m, templateId: z.string().min(1).max(40) }),
  /** 立即执行: every enabled rule over every customer now; the WeCom calls are made before it answers. */
  z.object({ action: z.literal('tags.apply'), ...m }),
  /** Tags by hand (a tag both added and removed is added); synced to WeCom for customers with a member. */
  z.object({
    action: z.literal('customers.tag'),
    ...m,
    externalUserId: Ext,
    add: z.array(TagName).max(20).default([]),
    remove: z.array(TagName).max(20).default([]),
  }),
  /** The note and the birthday (month-day, optional year); null clears one, absent leaves it. */
  z.object({
    action: z.literal('customers.update'),
    ...m,
    externalUserId: Ext,
    note: z.string().trim().max(500).nullable().optional(),
    birthday: Birthday.nullable().optional(),
  }),
] as const;

export const TAG_POLICY = {
  'tags.list': { role: 'staff', scope: 'merchant' },
  'tags.rules.list': { role: 'owner', scope: 'merchant' },
  'tags.rules.save': { role: 'owner', scope: 'merchant' },
  'tags.rules.setEnabled': { role: 'owner', scope: 'merchant' },
  'tags.rules.remove': { role: 'owner', scope: 'merchant' },
  'tags.preview': { role: 'owner', scope: 'merchant' },
  'tags.templates.list': { role: 'owner', scope: 'merchant' },
  'tags.templates.preview': { role: 'owner', scope: 'merchant' },
  'tags.templates.enable': { role: 'owner', scope: 'merchant' },
  'tags.apply': { role: 'owner', scope: 'merchant' },
  'customers.tag': { role: 'staff', scope: 'merchant' },
  'customers.update': { role: 'staff', scope: 'merchant' },
} as const;

/** A stored rule: the shape it was written in, plus its id, switch and template. */
export const TagRuleView = z.object({
  id: z.string(),
  name: z.string(),
  tags: z.array(z.string()),
  removeTags: z.array(z.string()),
  /** The condition tree as written (see TagRuleInput). */
  when: z.unknown(),
  enabled: z.boolean(),
  templateId: z.string().nullable(),
  updatedAt: z.number(),
});
export type TagRuleView = z.infer<typeof TagRuleView>;

export const PreviewView = z.object({
  count: z.number().int().nonnegative(),
  sample: z.array(
    z.object({
      externalUserId: z.string(),
      name: z.string(),
      tags: z.array(z.string()),
      totalSpentFen: z.number().int(),
      orderCount: z.number().int(),
      lastOrderAt: z.number().nullable(),
    }),
  ),
});

export const TemplateView = z.object({
  id: z.string(),
  industry: z.string(),
  /** e.g. 按消费分等级. */
  name: z.string(),
  /** e.g. 普通 / VIP（满¥1000）/ 超级VIP（满¥3000）. */
  description: z.string(),
  enabled: z.boolean(),
  rules: z.array(z.object({ name: z.string(), tags: z.array(z.string()), removeTags: z.array(z.string()), when: z.unknown() })),
});

const CustomerRef = z.object({ externalUserId: z.string(), name: z.string(), tags: z.array(z.string()), note: z.string().nullable(), birthday: Birthday.nullable() });

export const TAG_RESULTS = {
  'tags.list': z.object({ tags: z.array(z.object({ tag: z.string(), count: z.number().int(), byRule: z.boolean() })) }),
  'tags.rules.list': z.object({ rules: z.array(TagRuleView) }),
  'tags.rules.save': z.object({ rule: TagRuleView, created: z.boolean() }),
  'tags.rules.setEnabled': z.object({ rule: TagRuleView }),
  'tags.rules.remove': z.object({ id: z.string() }),
  'tags.preview': PreviewView,
  'tags.templates.list': z.object({ industry: z.string(), industryLabel: z.string(), templates: z.array(TemplateView) }),
  'tags.templates.preview': z.object({
    templateId: z.string(),
    rules: z.array(PreviewView.extend({ name: z.string(), tags: z.array(z.string()), removeTags: z.array(z.string()) })),
  }),
  'tags.templates.enable': z.object({ rules: z.array(TagRuleView) }),
  'tags.apply': z.object({
    customers: z.number().int(),
    added: z.number().int(),
    removed: z.number().int(),
    changed: z.number().int(),
    wecomCalls: z.number().int(),
    /** Customers whose WeCom tags could not be set now: retried by the ledger. */
    wecomFailed: z.number().int(),
    /** Customers whose WeCom tags are set over the next minutes (more than one run can mark). */
    wecomLater: z.number().int(),
    /** More customers to change than one run may write: the rest go on over the next minutes. */
    continuing: z.boolean(),
  }),
  'customers.tag': z.object({ customer: CustomerRef }),
  'customers.update': z.object({ customer: CustomerRef }),
};
