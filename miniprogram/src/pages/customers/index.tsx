import { useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import type { CustomerView } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { refreshBadges } from '../../services/badge';
import { currentShop, type ShopSummary } from '../../services/session';
import { takePendingTag } from '../../services/customer-filter';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { formatFen, shortTime, useNow } from '../conversations/format';
import './index.scss';
import { LoadMore } from '../../components/LoadMore';

type Sort = 'lastVisit' | 'spend' | 'added';
type Query = { search: string; tags: string[]; mode: 'all' | 'any'; sort: Sort };
type TagCount = { tag: string; count: number };
type ListData = { query: Query; items: CustomerView[]; nextCursor: string | null; total: number; tagCounts: TagCount[] | null };

const PAGE = 20;
/** Wait this long after the last keystroke before searching: one request per word, not per letter. */
export const SEARCH_DELAY_MS = 500;

const SORTS: { id: Sort; label: string; ownerOnly?: boolean }[] = [
  { id: 'lastVisit', label: '最近来过' },
  // staff see no money, so no ranking by it either
  { id: 'spend', label: '消费最多', ownerOnly: true },
  { id: 'added', label: '最新加的' },
];

const EMPTY: Query = { search: '', tags: [], mode: 'all', sort: 'lastVisit' };
const sameQuery = (a: Query, b: Query) => a.search === b.search && a.mode === b.mode && a.sort === b.sort && a.tags.join('\u0000') === b.tags.join('\u0000');
const queryKey = (q: Query) => [q.search, q.mode, q.sort, ...q.tags].join('\u0000');
const filtered = (q: Query) => q.search !== '' || q.tags.length > 0;

function listRequest(shop: ShopSummary, q: Query, cursor?: string) {
  return call({
    action: 'customers.list',
    merchantId: shop.id,
    limit: PAGE,
    sort: q.sort,
    tagMode: q.mode,
    ...(q.search ? { search: q.search } : {}),
    ...(q.tags.length ? { tags: q.tags } : {}),
    ...(cursor ? { cursor } : {}),
  });
}

/** Every tag with its customers (for the chips); null when it cannot be had, and the chips fall back to the tags seen. */
const tagCounts = (shop: ShopSummary): Promise<TagCount[] | null> =>
  call({ action: 'tags.list', merchantId: shop.id }).then(
    (r) => r.tags.filter((t) => t.count > 0),
    () => null,
  );

export default function CustomersPage() {
  // a tag picked on 标签和规则 waits in storage for this page
  const [initial] = useState<Query>(() => {
    const tag = takePendingTag();
    return tag ? { ...EMPTY, tags: [tag] } : EMPTY;
  });
  const [query, setQuery] = useState<Query>(initial);
  // the load reads the query from a ref: a search reloads before React re-renders
  const queryRef = useRef<Query>(initial);
  const [draft, setDraft] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // without the server's tag list, chips come from every tag seen so far, so picking one tag does not hide the others
  const [seenTags, setSeenTags] = useState<string[]>([]);

  const { state, reload, setState } = useShopLoad<ListData>(async (shop) => {
    const q = queryRef.current;
    const [page, counts] = await Promise.all([listRequest(shop, q), tagCounts(shop)]);
    return { query: q, items: page.items, nextCursor: page.nextCursor, total: page.total, tagCounts: counts };
  });

  const items = state.status === 'ready' ? state.data.items : null;
  useEffect(() => {
    if (!items) return;
    setSeenTags((seen) => {
      const next = [...seen];
      for (const c of items) for (const t of c.tags) if (!next.includes(t)) next.push(t);
      return next.length === seen.length ? seen : next;
    });
  }, [items]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const apply = (next: Query) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (sameQuery(next, queryRef.current)) return;
    queryRef.current = next;
    setQuery(next);
    void reload();
  };

  useDidShow(() => {
    const tag = takePendingTag();
    if (tag) {
      setDraft('');
      apply({ ...EMPTY, sort: queryRef.current.sort, tags: [tag] });
    }
    void currentShop()
      .then(({ shop }) => shop && refreshBadges(shop.id))
      .catch(() => undefined);
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  const onType = (value: string) => {
    setDraft(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => apply({ ...queryRef.current, search: value.trim() }), SEARCH_DELAY_MS);
  };

  const searchNow = () => apply({ ...queryRef.current, search: draft.trim() });
  const pickTag = (tag: string) => {
    const q = queryRef.current;
    apply({ ...q, tags: q.tags.includes(tag) ? q.tags.filter((t) => t !== tag) : [...q.tags, tag] });
  };
  const clearAll = () => {
    setDraft('');
    apply({ ...EMPTY, sort: queryRef.current.sort });
  };

  const shop = state.status === 'ready' ? state.shop : null;
  const counts = state.status === 'ready' ? state.data.tagCounts : null;
  // the chips: the server's tags with their counts; a picked tag stays even when it has none left
  const chips: TagCount[] = counts
    ? [...counts, ...query.tags.filter((t) => !counts.some((c) => c.tag === t)).map((tag) => ({ tag, count: 0 }))]
    : [...seenTags, ...query.tags.filter((t) => !seenTags.includes(t))].map((tag) => ({ tag, count: -1 }));

  return (
    <View className="page-customers">
      <View className="search-bar">
        <Input
          className="customer-search"
          value={draft}
          type="text"
          confirmType="search"
          placeholder="搜名字或手机号"
          maxlength={40}
          onInput={(e) => onType((e as { detail?: { value?: string } }).detail?.value ?? '')}
          onConfirm={searchNow}
        />
        <Button className="btn search-btn" onClick={searchNow}>
          搜索
        </Button>
      </View>

      <View className="list-tools">
        <View className="sorts">
          {SORTS.filter((s) => !s.ownerOnly || shop?.role === 'owner').map((s) => (
            <Text key={s.id} className={`sort sort-${s.id} ${query.sort === s.id ? 'sort-on' : ''}`} onClick={() => apply({ ...queryRef.current, sort: s.id })}>
              {s.label}
            </Text>
          ))}
        </View>
        <Text className="tags-link" onClick={() => void Taro.navigateTo({ url: '/sub/tags/index' })}>
          标签和规则
        </Text>
        {shop?.role === 'owner' && (
          <Text className="channels-link" onClick={() => void Taro.navigateTo({ url: '/sub/channels/index' })}>
            渠道活码
          </Text>
        )}
      </View>

      {chips.length > 0 && (
        <View className="tags">
          <Text className={`tag-all ${query.tags.length === 0 ? 'tag-on' : ''}`} onClick={() => apply({ ...queryRef.current, tags: [] })}>
            全部
          </Text>
          {chips.map(({ tag, count }) => (
            <Text key={tag} className={`tag-chip ${query.tags.includes(tag) ? 'tag-on tag-chip-on' : ''}`} onClick={() => pickTag(tag)}>
              {count >= 0 ? `${tag} ${count}` : tag}
            </Text>
          ))}
        </View>
      )}

      {query.tags.length > 1 && (
        <View className="tag-mode">
          <Text className={`mode mode-all ${query.mode === 'all' ? 'mode-on' : ''}`} onClick={() => apply({ ...queryRef.current, mode: 'all' })}>
            这些标签都有
          </Text>
          <Text className={`mode mode-any ${query.mode === 'any' ? 'mode-on' : ''}`} onClick={() => apply({ ...queryRef.current, mode: 'any' })}>
            有其中一个就行
          </Text>
        </View>
      )}

      {state.status === 'ready' && state.data.items.length > 0 && (
        <Text className="customer-total">{filtered(state.data.query) ? `符合的客户共 ${state.data.total} 位` : `共 ${state.data.total} 位客户`}</Text>
      )}

      {state.status === 'loading' && <Loading text="正在加载客户…" />}
      {state.status === 'noShop' && <NoShop />}
      {state.status === 'error' && <Failed error={state.error} onRetry={() => void reload()} />}
      {state.status === 'ready' && (
        <CustomerList
          key={queryKey(state.data.query)}
          data={state.data}
          shop={state.shop}
          onClear={clearAll}
          onMore={(next) => setState((s) => (s.status === 'ready' && sameQuery(s.data.query, next.query) ? { ...s, data: next } : s))}
        />
      )}
    </View>
  );
}

function CustomerList(props: { data: ListData; shop: ShopSummary; onClear: () => void; onMore: (next: ListData) => void }) {
  const { data, shop, onClear, onMore } = props;
  const now = useNow();
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const busy = useRef(false);

  const loadMore = async () => {
    if (busy.current || !data.nextCursor) return;
    busy.current = true;
    setMore({ loading: true, error: null });
    try {
      const page = await listRequest(shop, data.query, data.nextCursor);
      const seen = new Set(data.items.map((c) => c.externalUserId));
      onMore({ ...data, items: [...data.items, ...page.items.filter((c) => !seen.has(c.externalUserId))], nextCursor: page.nextCursor, total: page.total });
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: asApiError(err).message });
    } finally {
      busy.current = false;
    }
  };

  if (data.items.length === 0) {
    return filtered(data.query) ? (
      <View className="customers-empty">
        <Empty title="没找到符合条件的客户" text="换个名字、手机号或标签试试。" />
        <Button className="btn btn-plain clear-filter" onClick={onClear}>
          看全部客户
        </Button>
      </View>
    ) : (
      <Empty title="还没有客户" text="客户加了你的企业微信或找过微信客服后，会出现在这里。" />
    );
  }

  const open = (id: string) => void Taro.navigateTo({ url: `/sub/customer/index?id=${encodeURIComponent(id)}` });

  return (
    <View className="customer-list">
      {data.items.map((c) => (
        <View key={c.externalUserId} className="customer-item" onClick={() => open(c.externalUserId)}>
          <View className="customer-top">
            <Text className="customer-name">{c.name || '客户'}</Text>
            <Text className="customer-last">{c.lastMessageAt !== null ? `最近聊天 ${shortTime(c.lastMessageAt, now)}` : '还没聊过'}</Text>
          </View>
          {(c.phone || c.totalSpentFen !== null) && (
            <View className="customer-mid">
              {c.phone && <Text className="customer-phone">{c.phone}</Text>}
              {c.totalSpentFen !== null && <Text className="customer-spend">{`消费 ${formatFen(c.totalSpentFen)}${c.orderCount > 0 ? ` · ${c.orderCount} 单` : ''}`}</Text>}
            </View>
          )}
          {c.tags.length > 0 && (
            <View className="customer-tags">
              {c.tags.map((t) => (
                <Text key={t} className="customer-tag">
                  {t}
                </Text>
              ))}
            </View>
          )}
        </View>
      ))}

      <LoadMore hasMore={Boolean(data.nextCursor)} loading={more.loading} error={more.error} onMore={() => void loadMore()} />
    </View>
  );
}
