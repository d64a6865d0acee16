import { useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import type { CustomerView } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { refreshBadges } from '../../services/badge';
import { currentShop, type ShopSummary } from '../../services/session';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { formatFen, shortTime, useNow } from '../conversations/format';
import './index.scss';
import { LoadMore } from '../../components/LoadMore';

type Query = { search: string; tag: string };
type ListData = { query: Query; items: CustomerView[]; nextCursor: string | null };

const PAGE = 20;
/** Wait this long after the last keystroke before searching: one request per word, not per letter. */
export const SEARCH_DELAY_MS = 500;

const sameQuery = (a: Query, b: Query) => a.search === b.search && a.tag === b.tag;

function listRequest(shop: ShopSummary, q: Query, cursor?: string) {
  return call({
    action: 'customers.list',
    merchantId: shop.id,
    limit: PAGE,
    ...(q.search ? { search: q.search } : {}),
    ...(q.tag ? { tag: q.tag } : {}),
    ...(cursor ? { cursor } : {}),
  });
}

export default function CustomersPage() {
  const [query, setQuery] = useState<Query>({ search: '', tag: '' });
  // the load reads the query from a ref: a search reloads before React re-renders
  const queryRef = useRef<Query>({ search: '', tag: '' });
  const [draft, setDraft] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // chips come from every tag seen so far, so picking one tag does not hide the others
  const [tags, setTags] = useState<string[]>([]);

  const { state, reload, setState } = useShopLoad<ListData>(async (shop) => {
    const q = queryRef.current;
    const page = await listRequest(shop, q);
    return { query: q, items: page.items, nextCursor: page.nextCursor };
  });

  const items = state.status === 'ready' ? state.data.items : null;
  useEffect(() => {
    if (!items) return;
    setTags((seen) => {
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

  useDidShow(() => {
    void currentShop()
      .then(({ shop }) => shop && refreshBadges(shop.id))
      .catch(() => undefined);
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  const apply = (next: Query) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (sameQuery(next, queryRef.current)) return;
    queryRef.current = next;
    setQuery(next);
    void reload();
  };

  const onType = (value: string) => {
    setDraft(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => apply({ ...queryRef.current, search: value.trim() }), SEARCH_DELAY_MS);
  };

  const searchNow = () => apply({ ...queryRef.current, search: draft.trim() });
  const pickTag = (tag: string) => apply({ ...queryRef.current, tag: queryRef.current.tag === tag ? '' : tag });
  const clearAll = () => {
    setDraft('');
    apply({ search: '', tag: '' });
  };

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

      {tags.length > 0 && (
        <View className="tags">
          <Text className={`tag-all ${query.tag === '' ? 'tag-on' : ''}`} onClick={() => apply({ ...queryRef.current, tag: '' })}>
            全部
          </Text>
          {tags.map((t) => (
            <Text key={t} className={`tag-chip ${query.tag === t ? 'tag-on tag-chip-on' : ''}`} onClick={() => pickTag(t)}>
              {t}
            </Text>
          ))}
        </View>
      )}

      {state.status === 'loading' && <Loading text="正在加载客户…" />}
      {state.status === 'noShop' && <NoShop />}
      {state.status === 'error' && <Failed error={state.error} onRetry={() => void reload()} />}
      {state.status === 'ready' && (
        <CustomerList
          key={`${state.data.query.search}\u0000${state.data.query.tag}`}
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
      onMore({ query: data.query, items: [...data.items, ...page.items.filter((c) => !seen.has(c.externalUserId))], nextCursor: page.nextCursor });
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: asApiError(err).message });
    } finally {
      busy.current = false;
    }
  };

  if (data.items.length === 0) {
    const filtered = data.query.search !== '' || data.query.tag !== '';
    return filtered ? (
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
