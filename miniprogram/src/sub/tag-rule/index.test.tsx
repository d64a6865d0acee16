import { act, fireEvent, render, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { TagRuleView } from '@xiaoer/shared/contracts/tags';
import TagRulePage from './index';
import { resetSession } from '../../services/session';
import { fail, mockFetch, ok, type Handler } from '../../../test/fetch-mock';
import { me } from '../../../test/fixtures';

const text = (root: ParentNode, sel: string) => root.querySelector(sel)?.textContent?.trim();
const texts = (root: ParentNode, sel: string) => Array.from(root.querySelectorAll(sel)).map((e) => e.textContent?.trim());
const actions = (fetch: jest.Mock) => fetch.mock.calls.map(([, init]) => JSON.parse((init as { body: string }).body));

const sample = (i: number) => ({ externalUserId: `wm-${i}`, name: `客户${i}`, tags: [], totalSpentFen: 100000 + i * 100, orderCount: 3, lastOrderAt: null });
const preview = (count: number): ApiResult<'tags.preview'> => ({ count, sample: Array.from({ length: Math.min(count, 10) }, (_, i) => sample(i + 1)) });

const stored: TagRuleView = {
  id: 'rule-1',
  name: '爱问大码',
  tags: ['咨询过大码'],
  removeTags: [],
  when: { field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 30 } },
  enabled: true,
  templateId: null,
  updatedAt: 1,
};

const backend =
  (over: Record<string, Handler> = {}, who = me): Handler =>
  (b) => {
    if (over[b.action]) return over[b.action]!(b);
    if (b.action === 'me.get') return ok(who);
    if (b.action === 'tags.rules.list') return ok({ rules: [stored] });
    if (b.action === 'tags.preview') return ok(preview(23));
    if (b.action === 'tags.rules.save') return ok({ rule: { ...stored, ...(b.rule as object), id: (b.id as string) ?? 'rule-new' }, created: !b.id });
    if (b.action === 'tags.rules.remove') return ok({ id: b.id });
    return fail(400, 'INPUT.INVALID', `unexpected ${b.action}`);
  };

/** Types into a Taro <Input> (its inner <input> emits the `input` event the page listens to). */
async function typeInto(root: ParentNode, sel: string, value: string) {
  const input = await waitFor(() => {
    const el = root.querySelector(`${sel} input`) as HTMLInputElement | null;
    expect(el).not.toBeNull();
    return el!;
  });
  await act(async () => {
    input.value = value;
    fireEvent.input(input, { target: { value } });
  });
}

async function tap(el: Element | null | undefined) {
  expect(el).toBeTruthy();
  await act(async () => {
    fireEvent.click(el!);
  });
}

const byText = (root: ParentNode, sel: string, t: string) => Array.from(root.querySelectorAll(sel)).find((e) => e.textContent?.trim() === t);

function open(params: Record<string, string>) {
  jest.spyOn(Taro, 'getCurrentInstance').mockReturnValue({ router: { params } } as never);
}

beforeEach(() => {
  resetSession();
  Taro.clearStorageSync();
  jest.restoreAllMocks();
  jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'navigateBack').mockResolvedValue({ errMsg: 'ok' } as never);
  jest.spyOn(Taro, 'setNavigationBarTitle').mockResolvedValue({ errMsg: 'ok' } as never);
});

describe('规则 builder page', () => {
  it('builds the rule JSON from plain-Chinese conditions, previews it, and saves exactly what was previewed', async () => {
    open({});
    const fetch = mockFetch(backend());
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(container.querySelector('.rule-name')).not.toBeNull());
    // a new rule starts with a 累计消费 condition
    await typeInto(container, '.rule-name', 'VIP');
    await typeInto(container, '.rule-tags', 'VIP');
    await typeInto(container, '.rule-remove-tags', '普通');
    await typeInto(container, '.cond-spend .cond-amount', '1000');
    expect(text(container, '.cond-spend .cond-text')).toBe('累计消费 ≥ ¥1000');

    // 超过 30 天没下单, turned around
    await tap(container.querySelector('.add-cond'));
    await tap(container.querySelector('.kind-noOrderFor'));
    await typeInto(container, '.cond-noOrderFor .cond-amount', '30');
    expect(text(container, '.cond-noOrderFor .cond-text')).toBe('超过 30 天没下单');
    await tap(container.querySelector('.cond-noOrderFor .cond-negate'));
    expect(text(container, '.cond-noOrderFor .cond-text')).toBe('不满足「超过 30 天没下单」');

    // 最近 7 天说过 大码
    await tap(container.querySelector('.add-cond'));
    await tap(container.querySelector('.kind-keyword'));
    await typeInto(container, '.cond-keyword .cond-days', '7');
    await typeInto(container, '.cond-keyword .cond-words', '大码');
    expect(text(container, '.cond-keyword .cond-text')).toBe('最近 7 天说过「大码」');
    await tap(container.querySelector('.mode-any'));

    // no save before a preview
    expect(container.querySelector('.rule-save')).toBeNull();
    await tap(container.querySelector('.rule-preview'));
    await waitFor(() => expect(text(container, '.preview-count')).toBe('现在有 23 位客户符合'));
    expect(container.querySelectorAll('.preview-item')).toHaveLength(10);
    expect(text(container, '.preview-item')).toContain('客户1');
    expect(text(container, '.preview-item .preview-facts')).toBe('¥1,001.00 · 3 单');

    const rule = {
      name: 'VIP',
      tags: ['VIP'],
      removeTags: ['普通'],
      when: {
        any: [
          { field: 'totalSpentFen', op: '>=', value: 100000 },
          { not: { field: 'daysSinceLastOrder', op: '>=', value: 30 } },
          { field: 'keyword', op: 'contains', value: { words: ['大码'], withinDays: 7 } },
        ],
      },
    };
    expect(actions(fetch).at(-1)).toEqual({ action: 'tags.preview', merchantId: 'demo-bakery', rule });

    await tap(container.querySelector('.rule-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).at(-1)).toEqual({ action: 'tags.rules.save', merchantId: 'demo-bakery', rule });
  });

  it('any change after the preview asks for a new one before saving', async () => {
    open({});
    mockFetch(backend());
    const { container } = render(<TagRulePage />);
    await typeInto(container, '.rule-name', '大客户');
    await typeInto(container, '.rule-tags', '大客户');
    await typeInto(container, '.cond-spend .cond-amount', '500');
    await tap(container.querySelector('.rule-preview'));
    await waitFor(() => expect(container.querySelector('.rule-save')).not.toBeNull());
    await tap(container.querySelector('.cond-op-le'));
    expect(text(container, '.cond-spend .cond-text')).toBe('累计消费 ≤ ¥500');
    expect(container.querySelector('.rule-save')).toBeNull();
    expect(container.querySelector('.preview')).toBeNull();
    expect(container.querySelector('.rule-preview')).not.toBeNull();
  });

  it("says what the form is missing without calling the server, and shows the server's refusal with the part named", async () => {
    open({});
    const fetch = mockFetch(backend({ 'tags.preview': () => fail(400, 'INPUT.INVALID', '输入有误：rule.when.all.1.value 下单次数要填 0 或正整数（金额按分）') }));
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(container.querySelector('.rule-preview')).not.toBeNull());
    await tap(container.querySelector('.rule-preview'));
    expect(texts(container, '.form-error')).toEqual(['第 1 个条件：要填金额，比如 1000', '规则要有名字', '至少要打上或去掉一个标签']);
    expect(actions(fetch).filter((b) => b.action === 'tags.preview')).toHaveLength(0);

    await typeInto(container, '.rule-name', '常客');
    await typeInto(container, '.rule-tags', '常客');
    await typeInto(container, '.cond-spend .cond-amount', '100');
    await tap(container.querySelector('.add-cond'));
    await tap(container.querySelector('.kind-orders'));
    await typeInto(container, '.cond-orders .cond-amount', '3');
    await tap(container.querySelector('.rule-preview'));
    await waitFor(() => expect(texts(container, '.form-error')).toEqual(['第 2 个条件：下单次数要填 0 或正整数（金额按分）']));
    expect(container.querySelector('.rule-save')).toBeNull();
  });

  it('opens a stored rule with its conditions as rows, and saves it under its id', async () => {
    open({ id: 'rule-1' });
    const fetch = mockFetch(backend());
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(text(container, '.cond-keyword .cond-text')).toBe('最近 30 天说过「大码」'));
    await waitFor(() => expect((container.querySelector('.rule-name input') as HTMLInputElement | null)?.value).toBe('爱问大码'));
    await typeInto(container, '.cond-keyword .cond-words', '大码 加大');
    await tap(container.querySelector('.rule-preview'));
    await waitFor(() => expect(container.querySelector('.rule-save')).not.toBeNull());
    await tap(container.querySelector('.rule-save'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).at(-1)).toEqual({
      action: 'tags.rules.save',
      merchantId: 'demo-bakery',
      id: 'rule-1',
      rule: { name: '爱问大码', tags: ['咨询过大码'], when: { field: 'keyword', op: 'contains', value: { words: ['大码', '加大'], withinDays: 30 } } },
    });
  });

  it('a nested template tree is shown in words and kept; delete asks first', async () => {
    // as H5 hands it over: still encoded
    open({ id: encodeURIComponent('tpl:milktea:frequency:1') });
    const nested: TagRuleView = {
      ...stored,
      id: 'tpl:milktea:frequency:1',
      name: '新客',
      tags: ['新客'],
      when: {
        all: [
          { field: 'orderCount', op: '<=', value: 1 },
          {
            any: [
              { field: 'daysSinceAdded', op: '<=', value: 14 },
              { field: 'daysSinceLastOrder', op: '<=', value: 14 },
            ],
          },
        ],
      },
    };
    const fetch = mockFetch(backend({ 'tags.rules.list': () => ok({ rules: [nested] }) }));
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce({ confirm: false, cancel: true, errMsg: 'ok' } as never);
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(text(container, '.cond-fixed-text')).toBe('下单次数 ≤ 1 次，并且（最近 14 天内加的好友，或者最近 14 天内下过单）'));
    expect(container.querySelector('.add-cond')).toBeNull();

    await tap(container.querySelector('.rule-remove'));
    expect(modal).toHaveBeenCalled();
    expect(actions(fetch).some((b) => b.action === 'tags.rules.remove')).toBe(false);
    modal.mockResolvedValueOnce({ confirm: true, cancel: false, errMsg: 'ok' } as never);
    await tap(container.querySelector('.rule-remove'));
    await waitFor(() => expect(Taro.navigateBack).toHaveBeenCalled());
    expect(actions(fetch).at(-1)).toEqual({ action: 'tags.rules.remove', merchantId: 'demo-bakery', id: 'tpl:milktea:frequency:1' });
  });

  it('birthday and source conditions are picked with a tap', async () => {
    open({});
    mockFetch(backend());
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(container.querySelector('.cond-remove')).not.toBeNull());
    await tap(container.querySelector('.cond-remove'));
    await tap(container.querySelector('.add-cond'));
    await tap(container.querySelector('.kind-birthday'));
    expect(text(container, '.cond-birthday .cond-text')).toBe('本月生日');
    await tap(byText(container, '.cond-birthday .chip', '5月'));
    expect(text(container, '.cond-birthday .cond-text')).toBe('5 月生日');
    await tap(container.querySelector('.add-cond'));
    await tap(container.querySelector('.kind-source'));
    await tap(container.querySelector('.cond-pick-contact_way'));
    expect(text(container, '.cond-source .cond-text')).toBe('来源是渠道活码');
    expect(container.textContent).not.toMatch(/contact_way|birthdayMonth|undefined|null/);
  });

  it("staff see that the page is the owner's, and nothing is asked of the server", async () => {
    open({ id: 'rule-1' });
    const staff = { ...me, merchants: [{ id: 'shop-b', name: '街角花店', role: 'staff' as const }] };
    const fetch = mockFetch(backend({}, staff));
    const { container } = render(<TagRulePage />);
    await waitFor(() => expect(container.textContent).toContain('只有老板能打开这一页'));
    expect(container.querySelector('.rule-name')).toBeNull();
    expect(actions(fetch).map((b) => b.action)).toEqual(['me.get']);
  });
});
