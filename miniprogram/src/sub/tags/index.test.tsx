import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { TagRuleView } from '@xiaoer/shared/contracts/tags';
import TagsPage from './index';
import { resetSession } from '../../services/session';
import { takePendingTag } from '../../services/customer-filter';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const rule = (over: Partial<TagRuleView> = {}): TagRuleView => ({
  id: 'rule-1',
  name: '大码客户',
  tags: ['咨询过大码'],
  removeTags: [],
  when: { field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 7 } },
  enabled: true,
  templateId: null,
  updatedAt: 1,
  ...over,
});

const VIP_WHEN = {
  all: [
    { field: 'totalSpentFen', op: '>=', value: 100000 },
    { field: 'totalSpentFen', op: '<=', value: 299999 },
  ],
};
const spendTemplate = (enabled: boolean): ApiResult<'tags.templates.list'>['templates'][number] => ({
  id: 'milktea:spend',
  industry: 'milktea',
  name: '按消费分等级',
  description: '普通 / VIP（满¥1000）/ 超级VIP（满¥3000）',
  enabled,
  rules: [{ name: 'VIP：累计消费满¥1000', tags: ['VIP'], removeTags: ['普通', '超级VIP'], when: VIP_WHEN }],
});

const sample = (name: string) => ({ externalUserId: `wm-${name}`, name, tags: [], totalSpentFen: 150000, orderCount: 4, lastOrderAt: null });

/** A small stateful shop: enabling the template stores its rule, as the server does. */
function shop() {
  const rules: TagRuleView[] = [
    rule(),
    rule({ id: 'rule-2', name: '沉睡', tags: ['沉睡'], removeTags: ['复购'], when: { field: 'daysSinceLastOrder', op: '>=', value: 30 }, enabled: false }),
  ];
  let tplOn = false;
  let regulars = 12;
  const handler =
    (over: Record<string, Handler> = {}, who = me): Handler =>
    (b) => {
      if (over[b.action]) return over[b.action]!(b);
      switch (b.action) {
        case 'me.get':
          return ok(who);
        case 'tags.list':
          return ok({
            tags: [{ tag: '老客', count: regulars, byRule: false }, { tag: '咨询过大码', count: 3, byRule: true }, ...(tplOn ? [{ tag: 'VIP', count: 2, byRule: true }] : [])],
          });
        case 'tags.rules.list':
          return ok({ rules });
        case 'tags.templates.list':
          return ok({ industry: (b.industry as string) ?? 'milktea', industryLabel: b.industry === 'clothing' ? '服装店' : '奶茶店', templates: [spendTemplate(tplOn)] });
        case 'tags.templates.preview':
          return ok({
            templateId: b.templateId,
            rules: [{ name: 'VIP：累计消费满¥1000', tags: ['VIP'], removeTags: ['普通', '超级VIP'], count: 2, sample: [sample('王小姐'), sample('李先生')] }],
          });
        case 'tags.templates.enable': {
          tplOn = true;
          const r = rule({ id: 'tpl:milktea:spend:1', name: 'VIP：累计消费满¥1000', tags: ['VIP'], removeTags: ['普通', '超级VIP'], when: VIP_WHEN, templateId: 'milktea:spend' });
          rules.push(r);
          return ok({ rules: [r] });
        }
        case 'tags.rules.setEnabled': {
          const i = rules.findIndex((r) => r.id === b.id);
          rules[i] = { ...rules[i]!, enabled: b.enabled as boolean };
          return ok({ rule: rules[i] });
        }
        case 'tags.apply':
          regulars++;
          return ok({ customers: 40, added: 5, removed: 1, changed: 4, wecomCalls: 4, wecomFailed: 0, wecomLater: 0, continuing: false });
        default:
          return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
      }
    };
  return { handler, rules };
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
});

describe('标签和规则 page', () => {
  it('shows every tag with its count, and each rule in words with what it does', async () => {
    const fetch = mockFetch(shop().handler());
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelectorAll('.rule-item')).toHaveLength(2));
    expect(texts(container, '.tag-count')).toEqual(['老客 · 12 人', '咨询过大码 · 3 人']);
    expect(texts(container, '.rule-name')).toEqual(['大码客户', '沉睡']);
    expect(texts(container, '.rule-when')).toEqual(['最近 7 天说过「大码」', '超过 30 天没下单']);
    expect(texts(container, '.rule-change')).toEqual(['打上「咨询过大码」', '打上「沉睡」，去掉「复购」']);
    expect(container.querySelectorAll('.rule-off')).toHaveLength(1);
    expect(container.textContent).not.toMatch(/daysSinceLastOrder|keyword|undefined|null/);
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get', 'tags.list', 'tags.rules.list', 'tags.templates.list']);
  });

  it('turns a rule on with its switch', async () => {
    const s = shop();
    const fetch = mockFetch(s.handler());
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelectorAll('.rule-item')).toHaveLength(2));
    const sw = await waitFor(() => {
      const el = container.querySelectorAll('.rule-enabled input')[1] as HTMLInputElement | undefined;
      expect(el).toBeDefined();
      return el!;
    });
    await tap(sw);
    await waitFor(() => expect(container.querySelectorAll('.rule-off')).toHaveLength(0));
    expect(actions(fetch).at(-1)).toEqual({ action: 'tags.rules.setEnabled', merchantId: 'demo-bakery', id: 'rule-2', enabled: true });
  });

  it('立即执行 runs the rules now and says what changed in words', async () => {
    const fetch = mockFetch(shop().handler());
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelector('.apply-now')).not.toBeNull());
    await tap(container.querySelector('.apply-now'));
    await waitFor(() => expect(text(container, '.apply-hint')).toBe('查了 40 位客户，4 位的标签有变化：加上 5 个，去掉 1 个。已同步到企业微信。'));
    expect(actions(fetch).some((b) => b.action === 'tags.apply' && b.merchantId === 'demo-bakery')).toBe(true);
    // the counts are read again after the run
    await waitFor(() => expect(text(container, '.tag-count')).toBe('老客 · 13 人'));
  });

  it('a template shows its preview count first, then turns on with one tap', async () => {
    const fetch = mockFetch(shop().handler());
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelector('.tpl')).not.toBeNull());
    expect(text(container, '.tpl-state')).toBe('没开启');
    // no turning on before the preview
    expect(container.querySelector('.tpl-enable')).toBeNull();

    await tap(container.querySelector('.tpl-preview'));
    await waitFor(() => expect(text(container, '.tpl-rule-count')).toBe('2 位客户'));
    expect(text(container, '.tpl-rule-name')).toBe('VIP');
    expect(text(container, '.tpl-rule-sample')).toBe('王小姐、李先生');
    expect(actions(fetch).at(-1)).toEqual({ action: 'tags.templates.preview', merchantId: 'demo-bakery', templateId: 'milktea:spend' });

    await tap(container.querySelector('.tpl-enable'));
    await waitFor(() => expect(text(container, '.tpl-state')).toBe('已开启'));
    expect(actions(fetch).some((b) => b.action === 'tags.templates.enable' && b.templateId === 'milktea:spend')).toBe(true);
    // the count stays in sight, the new rule is listed, and the next step is said
    expect(text(container, '.tpl-rule-count')).toBe('2 位客户');
    expect(texts(container, '.rule-name')).toContain('VIP：累计消费满¥1000');
    expect(text(container, '.tpl-on-hint')).toContain('立即执行');
  });

  it("turning a template off switches off its rules after asking; another industry's templates are a tap away", async () => {
    const s = shop();
    s.rules.push(rule({ id: 'tpl:milktea:spend:1', name: 'VIP', tags: ['VIP'], templateId: 'milktea:spend' }));
    const fetch = mockFetch(
      s.handler({
        'tags.templates.list': (b) =>
          ok({ industry: b.industry ?? 'milktea', industryLabel: '奶茶店', templates: [spendTemplate(s.rules.some((r) => r.templateId && r.enabled))] }),
      }),
    );
    jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(text(container, '.tpl-state')).toBe('已开启'));
    await tap(container.querySelector('.tpl-disable'));
    await waitFor(() => expect(text(container, '.tpl-state')).toBe('没开启'));
    expect(actions(fetch).filter((b) => b.action === 'tags.rules.setEnabled')).toEqual([
      { action: 'tags.rules.setEnabled', merchantId: 'demo-bakery', id: 'tpl:milktea:spend:1', enabled: false },
    ]);

    await tap(container.querySelector('.industry-clothing'));
    await waitFor(() => expect(actions(fetch).at(-1)).toEqual({ action: 'tags.templates.list', merchantId: 'demo-bakery', industry: 'clothing' }));
  });

  it('new and existing rules open the builder', async () => {
    mockFetch(shop().handler());
    const nav = jest.spyOn(Taro, 'navigateTo').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelector('.rule-main')).not.toBeNull());
    await tap(container.querySelector('.rule-new'));
    expect(nav).toHaveBeenLastCalledWith({ url: '/sub/tag-rule/index' });
    await tap(container.querySelector('.rule-main'));
    expect(nav).toHaveBeenLastCalledWith({ url: '/sub/tag-rule/index?id=rule-1' });
  });

  it('a tag opens 客户 with that tag picked', async () => {
    mockFetch(shop().handler());
    const tab = jest.spyOn(Taro, 'switchTab').mockImplementation(() => Promise.resolve({ errMsg: 'ok' }) as never);
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelector('.tag-count')).not.toBeNull());
    await tap(container.querySelector('.tag-count'));
    expect(tab).toHaveBeenCalledWith({ url: '/pages/customers/index' });
    expect(takePendingTag()).toBe('老客');
    expect(takePendingTag()).toBeNull();
  });

  it('staff see the tags and counts only: no rules, templates or 立即执行, and none asked for', async () => {
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    const fetch = mockFetch(shop().handler({}, staff));
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(container.querySelectorAll('.tag-count')).toHaveLength(2));
    expect(container.querySelector('.rules-card')).toBeNull();
    expect(container.querySelector('.templates-card')).toBeNull();
    expect(container.querySelector('.apply-now')).toBeNull();
    expect(text(container, '.staff-note')).toContain('由老板设置');
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get', 'tags.list']);
  });

  it('shows the error with 重试', async () => {
    let broken = true;
    mockFetch(shop().handler({ 'tags.list': () => (broken ? fail(500, 'SERVER.INTERNAL', '服务器开小差了') : ok({ tags: [] })) }));
    const { container } = render(<TagsPage />);
    await waitFor(() => expect(text(container, '.error-message')).toBe('服务器开小差了'));
    broken = false;
    await tap(container.querySelector('.retry'));
    await waitFor(() => expect(container.textContent).toContain('还没有标签'));
  });
});
