import { callApi } from '@xiaoer/shared/api/dispatch';
import { loadRules } from '@xiaoer/shared/usecases/tags/store';
import { findTemplate } from '@xiaoer/shared/usecases/tags/templates';
import { runCli } from '../cloudfunctions/server/cli/main';
import { DEMO_MERCHANT_ID } from '../cloudfunctions/server/demo';
import type { TestHost } from './helpers/host';
import { cliJson, useDemoHostForCli } from './helpers/demo-cli';

/**
 * Issue 15's acceptance for tag rules, as a person would check it: a host on a fresh data folder
 * with the demo shop seeded (its spend-tier and frequency templates on), then `tags preview` and
 * `tags apply` from the CLI against the same SQLite file while the host runs; the host's WeCom
 * sandbox records the mark_tag calls (`sandbox sent`).
 */
let h: TestHost;
useDemoHostForCli((host) => (h = host));
const M = DEMO_MERCHANT_ID;
const cli = cliJson;
const refused = async (...args: string[]) => {
  const out = await runCli([...args, '--json']);
  expect(out.code).toBe(1);
  return JSON.parse(out.stdout) as { code: string; details?: { path: string }[] };
};
const marks = async () => ((await cli('sandbox', 'sent', '--merchant', M)) as { api: string; to: string; errcode: number }[]).filter((r) => r.api === 'externalcontact/mark_tag');
const customers = async () => (await h.rt.storage.customers.list(M, { limit: 1000 })).items;

describe('tag rules on the demo shop (CLI)', () => {
  it('previews the VIP template rule with the count a direct count gives, applies, and marks each customer at WeCom once however often it runs', async () => {
    const vip = findTemplate('milktea:spend')!.rules.find((r) => r.tags.includes('VIP'))!;
    const preview = await cli('tags', 'preview', '--merchant', M, '--rule', JSON.stringify(vip));
    const direct = (await customers()).filter((c) => !c.lost && c.totalSpentFen >= 100_000 && c.totalSpentFen < 300_000);
    expect(preview.count).toBe(direct.length);
    expect(preview.count).toBeGreaterThan(0);
    expect(preview.sample.map((s: { externalUserId: string }) => s.externalUserId).sort()).toEqual(
      direct
        .map((c) => c.externalUserId)
        .sort()
        .slice(0, 10),
    );
    // the demo has someone on every tier, above ¥1000 and above ¥3000 among them, all with a member
    const all = await customers();
    expect(all.some((c) => c.totalSpentFen >= 300_000 && c.followUserId)).toBe(true);
    expect(direct.every((c) => c.followUserId)).toBe(true);

    expect(await marks()).toEqual([]);
    const first = await cli('tags', 'apply', '--merchant', M);
    expect(first).toMatchObject({ added: expect.any(Number), removed: expect.any(Number), wecomCalls: expect.any(Number), wecomFailed: 0 });
    expect(first.added).toBeGreaterThan(0);
    const after = await customers();
    for (const c of direct) expect(after.find((x) => x.externalUserId === c.externalUserId)!.tags).toContain('VIP');
    // the demo's own tags stay on customers with a member
    expect(after.filter((c) => c.followUserId && c.tags.includes('常客')).length).toBeGreaterThan(0);
    const sent = await marks();
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((r) => r.errcode === 0)).toBe(true);
    const followedWithTags = after.filter((c) => c.followUserId && !c.lost && c.tags.length);
    expect(new Set(sent.map((r) => r.to))).toEqual(new Set(followedWithTags.map((c) => c.externalUserId)));
    expect(sent).toHaveLength(followedWithTags.length);

    const again = await cli('tags', 'apply', '--merchant', M);
    expect(again).toMatchObject({ added: 0, removed: 0, wecomCalls: 0 });
    expect(await marks()).toHaveLength(sent.length);
  });

  it('refuses bad trees with INPUT.INVALID naming the part, in preview and on save, saving nothing', async () => {
    const before = (await loadRules(h.rt.deps, M)).map((r) => r.id).sort();
    const bad: [unknown, string][] = [
      [{ name: 'x', tags: ['x'], when: { all: [{ field: 'age', op: '>=', value: 1 }] } }, 'when.all.0.field'],
      [{ name: 'x', tags: ['x'], when: { field: 'totalSpentFen', op: '>=', value: '1000' } }, 'when.value'],
      [{ name: 'x', tags: ['x'], when: { not: { not: { not: { not: { not: { field: 'orderCount', op: '>=', value: 1 } } } } } } }, 'when.not.not.not.not.not'],
      [{ name: 'x', tags: ['x'], when: { any: Array.from({ length: 51 }, () => ({ field: 'orderCount', op: '>=', value: 1 })) } }, 'when'],
    ];
    const owner = { openid: `local:${M}:owner` };
    for (const [rule, path] of bad) {
      const r = await refused('tags', 'preview', '--merchant', M, '--rule', JSON.stringify(rule));
      expect(r.code).toBe('INPUT.INVALID');
      expect(r.details?.map((d) => d.path)).toContain(path);
      const saved = await callApi(h.rt.deps, owner, { action: 'tags.rules.save', merchantId: M, rule }).catch((e: { code: string; details: { path: string }[] }) => e);
      expect(saved).toMatchObject({ code: 'INPUT.INVALID' });
      expect((saved as { details: { path: string }[] }).details.map((d) => d.path)).toContain(`rule.${path}`);
    }
    expect((await refused('tags', 'preview', '--merchant', M, '--rule', '{not json')).code).toBe('INPUT.INVALID');
    expect((await loadRules(h.rt.deps, M)).map((r) => r.id).sort()).toEqual(before);
  });
});
