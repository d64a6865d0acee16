import type { TagRuleView } from '../contracts/tags';
import type { Customer } from '../domain/customer';
import type { TagRule } from '../domain/tag-rule';
import { tagCounts, tagCustomer, updateProfile } from '../usecases/tags/profile';
import { enableTemplate, previewTemplate, removeRule, saveRule, setRuleEnabled, templateEnabled } from '../usecases/tags/rules';
import { applyAllRules, previewRule } from '../usecases/tags/run';
import { loadRules } from '../usecases/tags/store';
import { INDUSTRY_LABEL, industryOf, templatesFor } from '../usecases/tags/templates';
import { requireMerchant } from '../usecases/shop/require-merchant';
import type { Handlers } from './context';

const ruleView = (r: TagRule): TagRuleView => ({
  id: r.id,
  name: r.name,
  tags: r.tags,
  removeTags: r.removeTags ?? [],
  when: r.when,
  enabled: r.enabled,
  templateId: r.templateId ?? null,
  updatedAt: r.updatedAt,
});

const customerRef = (c: Customer) => ({ externalUserId: c.externalUserId, name: c.name, tags: c.tags, note: c.note ?? null, birthday: c.birthday ?? null });

/** 标签和规则 (issue 15): rules, previews, templates, apply now; tags and profile fields by hand. */
export const tagActions = {
  'tags.list': async (ctx, req) => ({ tags: await tagCounts(ctx.deps, req.merchantId) }),

  'tags.rules.list': async (ctx, req) => ({ rules: (await loadRules(ctx.deps, req.merchantId)).map(ruleView) }),

  'tags.rules.save': async (ctx, req) => {
    const { rule, created } = await saveRule(ctx.deps, req.merchantId, { id: req.id, rule: req.rule, enabled: req.enabled });
    return { rule: ruleView(rule), created };
  },

  'tags.rules.setEnabled': async (ctx, req) => ({ rule: ruleView(await setRuleEnabled(ctx.deps, req.merchantId, req.id, req.enabled)) }),

  'tags.rules.remove': async (ctx, req) => {
    await removeRule(ctx.deps, req.merchantId, req.id);
    return { id: req.id };
  },

  'tags.preview': async (ctx, req) => previewRule(ctx.deps, req.merchantId, req.rule),

  'tags.templates.list': async (ctx, req) => {
    const industry = req.industry ?? industryOf((await requireMerchant(ctx.deps, req.merchantId)).industry);
    const rules = await loadRules(ctx.deps, req.merchantId);
    const templates = templatesFor(industry).map((t) => ({
      id: t.id,
      industry: t.industry,
      name: t.name,
      description: t.description,
      enabled: templateEnabled(t, rules),
      rules: t.rules.map((r) => ({ name: r.name, tags: r.tags, removeTags: r.removeTags ?? [], when: r.when })),
    }));
    return { industry, industryLabel: INDUSTRY_LABEL[industry], templates };
  },

  'tags.templates.preview': async (ctx, req) => {
    const p = await previewTemplate(ctx.deps, req.merchantId, req.templateId);
    return { templateId: p.template.id, rules: p.rules };
  },

  'tags.templates.enable': async (ctx, req) => ({ rules: (await enableTemplate(ctx.deps, req.merchantId, req.templateId)).map(ruleView) }),

  'tags.apply': async (ctx, req) => applyAllRules(ctx.deps, req.merchantId, ctx.channel?.wecom),

  'customers.tag': async (ctx, req) => ({
    customer: customerRef(await tagCustomer(ctx.deps, req.merchantId, req.externalUserId, { add: req.add, remove: req.remove }, ctx.channel?.wecom)),
  }),

  'customers.update': async (ctx, req) => ({
    customer: customerRef(await updateProfile(ctx.deps, req.merchantId, req.externalUserId, { note: req.note, birthday: req.birthday }, ctx.channel?.wecom)),
  }),
} satisfies Partial<Handlers>;
