import { useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { ConversationView } from '@xiaoer/shared/contracts/api';
import { call } from '../../services/api';
import { refreshBadges } from '../../services/badge';
import { useInboxChanges } from '../../services/live';
import { currentShop, type ShopSummary } from '../../services/session';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { STATE_LABEL, shortTime, useNow, waitedText } from './format';
import './index.scss';
import { LoadMore } from '../../components/LoadMore';

export type Filter = 'waiting' | 'ai' | 'all' | 'undelivered';

const FILTERS: { key: Filter; label: string }[] = [
  { key: 'waiting', label: '待人工' },
  { key: 'ai', label: 'AI 在回复' },
  { key: 'all', label: '全部' },
  // replies that did not reach the customer: each can be resent from the thread (重发)
  { key: 'undelivered', label: '没发出去' },
];

const EMPTY_TEXT: Record<Filter, { title: string; text: string }> = {
  waiting: { title: '现在没有要你回复的客户', text: 'AI 回答不了的问题会出现在这里，有客户等你时会提醒你。' },
  ai: { title: '现在没有 AI 在聊的客户', text: '客户发来消息后，AI 会马上回复。' },
  all: { title: '还没有客户来消息', text: '客户通过微信客服或企业微信找你后，会话会出现在这里。' },
  undelivered: { title: '消息都发出去了', text: '有回复没送到客户那里时，会话会出现在这里，点进去可以重发。' },
};

type ListData = { filter: Filter; items: ConversationView[]; nextCursor: string | null };

const PAGE = 20;

export default function ConversationsPage() {
  const [filter, setFilter] = useState<Filter>('waiting');
  // the load reads the filter from a ref: a tab tap reloads before React re-renders
  const filterRef = useRef<Filter>('waiting');

  const { state, reload, setState } = useShopLoad<ListData>(async (shop) => {
    const f = filterRef.current;
    const page = await call({ action: 'conversations.list', merchantId: shop.id, filter: f, limit: PAGE });
    return { filter: f, items: page.items, nextCursor: page.nextCursor };
  });

  useDidShow(() => {
    void currentShop()
      .then(({ shop }) => shop && refreshBadges(shop.id))
      .catch(() => undefined);
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  // a new waiting customer, a reply, a handback: the list follows within seconds, no pull needed
  useInboxChanges(() => void reload(true));

  const pick = (f: Filter) => {
    if (f === filterRef.current) return;
    filterRef.current = f;
    setFilter(f);
    void reload();
  };

  return (
    <View className="page-conversations">
      <View className="filters">
        {FILTERS.map(({ key, label }) => (
          <View key={key} className={`filter filter-${key} ${filter === key ? 'filter-on' : ''}`} onClick={() => pick(key)}>
            <Text>{label}</Text>
          </View>
        ))}
      </View>

      {state.status === 'loading' && <Loading text="正在加载会话…" />}
      {state.status === 'noShop' && <NoShop />}
      {state.status === 'error' && <Failed error={state.error} onRetry={() => void reload()} />}
      {state.status === 'ready' && (
        <ConversationList
          key={state.data.filter}
          data={state.data}
          shop={state.shop}
          onShowAll={() => pick('all')}
          onChanged={() => reload(true)}
          onMore={(next) => setState((s) => (s.status === 'ready' && s.data.filter === next.filter ? { ...s, data: next } : s))}
        />
      )}
    </View>
  );
}

function ConversationList(props: { data: ListData; shop: ShopSummary; onShowAll: () => void; onMore: (next: ListData) => void; onChanged: () => Promise<void> }) {
  const { data, shop, onShowAll, onMore, onChanged } = props;
  const now = useNow();
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const busy = useRef(false);

  const loadMore = async () => {
    if (busy.current || !data.nextCursor) return;
    busy.current = true;
    setMore({ loading: true, error: null });
    try {
      const page = await call({ action: 'conversations.list', merchantId: shop.id, filter: data.filter, limit: PAGE, cursor: data.nextCursor });
      // a row can move between pages while the owner scrolls: keep the first copy
      const seen = new Set(data.items.map((c) => c.id));
      onMore({ filter: data.filter, items: [...data.items, ...page.items.filter((c) => !seen.has(c.id))], nextCursor: page.nextCursor });
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: asApiError(err).message });
    } finally {
      busy.current = false;
    }
  };

  if (data.items.length === 0) {
    const e = EMPTY_TEXT[data.filter];
    return (
      <View className="conv-empty">
        <Empty title={e.title} text={e.text} />
        {data.filter !== 'all' && (
          <Button className="btn btn-plain show-all" onClick={onShowAll}>
            看全部会话
          </Button>
        )}
      </View>
    );
  }

  const open = (id: string) => void Taro.navigateTo({ url: `/sub/thread/index?id=${encodeURIComponent(id)}` });

  return (
    <View className="conv-list">
      {data.items.map((c) => (
        <View key={c.id} className={`conv-item conv-state-${c.state}`} onClick={() => open(c.id)}>
          <View className="conv-top">
            <Text className="conv-name">{c.customerName || '客户'}</Text>
            <Text className="conv-time">{shortTime(c.updatedAt, now)}</Text>
          </View>
          {c.state === 'waiting_human' && c.lastQuestion ? (
            <Text className="conv-question">客户问：{c.lastQuestion}</Text>
          ) : (
            <Text className="conv-preview">{c.lastMessagePreview || ' '}</Text>
          )}
          <View className="conv-bottom">
            <Text className={`conv-badge badge-${c.state}`}>{STATE_LABEL[c.state]}</Text>
            {c.state === 'waiting_human' && c.handoffReasonText && <Text className="conv-reason">{c.handoffReasonText}</Text>}
            {c.state === 'waiting_human' && <WaitLine c={c} now={now} />}
            {(c.undelivered ?? 0) > 0 && <Text className="conv-undelivered">{c.undelivered} 条没发出去</Text>}
          </View>
          {c.state === 'waiting_human' && c.replied && <HandBackRow merchantId={shop.id} conversationId={c.id} onChanged={onChanged} />}
        </View>
      ))}

      <LoadMore hasMore={Boolean(data.nextCursor)} loading={more.loading} error={more.error} onMore={() => void loadMore()} />
    </View>
  );
}

/** The wait counts from the customer's oldest unanswered message and stops once the shop replied. */
function WaitLine({ c, now }: { c: ConversationView; now: number }) {
  if (c.replied) return <Text className="conv-replied">已回复</Text>;
  const from = c.waitFrom ?? c.waitingSince;
  return from !== null && from !== undefined ? <Text className="conv-waited">{waitedText(from, now)}</Text> : null;
}

/** 交还给 AI in one tap, on a row the shop has answered. */
function HandBackRow(props: { merchantId: string; conversationId: string; onChanged: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const handBack = async (e: { stopPropagation?: () => void }) => {
    e.stopPropagation?.();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await call({ action: 'conversations.handBack', merchantId: props.merchantId, conversationId: props.conversationId });
      await props.onChanged();
    } catch (err) {
      setError(asApiError(err).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <View className="conv-actions" onClick={(e) => e.stopPropagation()}>
      <Button className="btn btn-plain conv-hand-back" loading={busy} disabled={busy || undefined} onClick={(e) => void handBack(e)}>
        交还给 AI
      </Button>
      {error && <Text className="conv-error">{error}</Text>}
    </View>
  );
}
