import { AppError, notFound } from '../../domain/errors';
import { TagRule, TagRuleInput } from '../../domain/tag-rule';
import { parseInput } from '../../domain/validation';
import type { Deps } from '../../ports/deps';
import { loadRules } from './store';
import { findTemplate, templateRuleId, type TagTemplate } from './templates';
import { previewRule } from './run';

/** Rules per shop: more would make the nightly run and the 标签和规则 page both unwieldy. */
export const MAX_RULES = 50;

const ruleNotFound = () => notFound('tag_rule');

/** Validates a rule (INPUT.INVALID naming the bad part, e.g. `when.all.1.value`); nothing is stored. */
export function parseRule(raw: unknown): TagRuleInput {
  return parseInput(TagRuleInput, raw);
}

/** Adds a rule (no id) or replaces one (id). Validated before anything is written. */
export async function saveRule(deps: Deps, merchantId: string, input: { id?: string; rule: unknown; enabled?: boolean }): Promise<{ rule: TagRule; created: boolean }> {
  const rule = parseRule(input.rule);
  const now = deps.clock.now();
  const existing = (await loadRules(deps, merchantId)).find((r) => r.id === input.id);
  if (input.id && !existing) throw ruleNotFound();
  if (!existing && (await loadRules(deps, merchantId)).length >= MAX_RULES) throw new AppError('CONFLICT.TOO_MANY_RULES', `一家店最多 ${MAX_RULES} 条标签规则，先删掉不用的`, 409);
  const stored = TagRule.parse({
    ...rule,
    id: existing?.id ?? deps.ids.id('rule'),
    merchantId,
    enabled: input.enabled ?? existing?.enabled ?? true,
    ...(existing?.templateId ? { templateId: existing.templateId } : {}),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  await deps.storage.tagRules.upsert(stored);
  return { rule: stored, created: !existing };
}

export async function setRuleEnabled(deps: Deps, merchantId: string, id: string, enabled: boolean): Promise<TagRule> {
  const existing = (await loadRules(deps, merchantId)).find((r) => r.id === id);
  if (!existing) throw ruleNotFound();
  const next = { ...existing, enabled, updatedAt: deps.clock.now() };
  await deps.storage.tagRules.upsert(next);
  return next;
}

export async function removeRule(deps: Deps, merchantId: string, id: string): Promise<void> {
  if (!(await loadRules(deps, merchantId)).some((r) => r.id === id)) throw ruleNotFound();
  await deps.storage.tagRules.remove(merchantId, id);
}

function requireTemplate(id: string): TagTemplate {
  const t = findTemplate(id);
  if (!t) throw new AppError('NOT_FOUND.TEMPLATE', '没有这个规则模板', 404);
  return t;
}

/** What turning a template on would tag now: each rule's count and first customers. Writes nothing. */
export async function previewTemplate(deps: Deps, merchantId: string, templateId: string) {
  const t = requireTemplate(templateId);
  const rules = [];
  for (const r of t.rules) rules.push({ name: r.name, tags: r.tags, removeTags: r.removeTags ?? [], ...(await previewRule(deps, merchantId, r)) });
  return { template: t, rules };
}

/** Turns a template on in one call: its rules stored (enabled) under the template's ids; twice keeps one copy. */
export async function enableTemplate(deps: Deps, merchantId: string, templateId: string): Promise<TagRule[]> {
  const t = requireTemplate(templateId);
  const now = deps.clock.now();
  const current = await loadRules(deps, merchantId);
  const ids = t.rules.map((_, i) => templateRuleId(t.id, i));
  const fresh = ids.filter((id) => !current.some((r) => r.id === id)).length;
  if (current.length + fresh > MAX_RULES) throw new AppError('CONFLICT.TOO_MANY_RULES', `一家店最多 ${MAX_RULES} 条标签规则，先删掉不用的`, 409);
  const out: TagRule[] = [];
  for (const [i, r] of t.rules.entries()) {
    const prior = current.find((x) => x.id === ids[i]);
    const stored = TagRule.parse({ ...r, id: ids[i], merchantId, enabled: true, templateId: t.id, createdAt: prior?.createdAt ?? now, updatedAt: now });
    await deps.storage.tagRules.upsert(stored);
    out.push(stored);
  }
  return out;
}

/** Which templates are on: every rule of the template stored and enabled. */
export function templateEnabled(t: TagTemplate, rules: TagRule[]): boolean {
  return t.rules.every((_, i) => rules.some((r) => r.id === templateRuleId(t.id, i) && r.enabled));
}
