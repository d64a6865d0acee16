import { useRef, useState } from 'react';
import Taro, { usePullDownRefresh, useRouter } from '@tarojs/taro';
import { Button, Input, Text, View } from '@tarojs/components';
import type { ApiResult } from '@xiaoer/shared/contracts/api';
import type { StockItemView, StockLevel } from '@xiaoer/shared/contracts/api-stock';
import { stockLevel } from '@xiaoer/shared/domain/alert';
import { ApiError, call, isAuthExpired } from '../../services/api';
import type { ShopSummary } from '../../services/session';
import { asApiError, useShopLoad } from '../../services/useLoad';
import { Empty, Failed, Loading, NoShop } from '../../components/StateView';
import { LoadMore } from '../../components/LoadMore';
import { formatFen } from '../../pages/conversations/format';
import { StockFileError, pickStockFileWeapp, readStockFileH5, type StockFile } from './stockFile';
import './index.scss';

type Filter = 'all' | 'low';
type Query = { search: string; filter: Filter };
type Page = ApiResult<'stock.list'>;
type ListData = { query: Query; page: Page };

const PAGE = 30;

/**
 * What the owner reads beside each product, in its level's colour. Red is "at or below the red
 * mark", which is not always zero: with some left it says 快卖完了 (as the stock alert does), not
 * 没货了, which would be untrue.
 */
export function levelLabel(p: { level: StockLevel; stock: number }): string {
  if (p.level === 'ok') return '够';
  if (p.level === 'yellow') return '快没了';
  return p.stock <= 0 ? '没货了' : '快卖完了';
}

function messageOf(err: unknown): string {
  if (isAuthExpired(err)) return '登录已过期，请重新打开小程序';
  if (err instanceof ApiError || err instanceof StockFileError) return err.message;
  return '没办好，请再试一次';
}

function listRequest(shop: ShopSummary, q: Query, cursor?: string) {
  return call({ action: 'stock.list', merchantId: shop.id, limit: PAGE, filter: q.filter, ...(q.search ? { search: q.search } : {}), ...(cursor ? { cursor } : {}) });
}

/** 商品和库存: every product's count with its marks, the ones running out first; the owner edits and imports. */
export default function ProductsPage() {
  const router = useRouter();
  const initial: Query = { search: '', filter: router?.params?.filter === 'low' ? 'low' : 'all' };
  const queryRef = useRef<Query>(initial);
  const [draft, setDraft] = useState('');

  const { state, reload, setState } = useShopLoad<ListData>(async (shop) => {
    const q = queryRef.current;
    return { query: q, page: await listRequest(shop, q) };
  });

  usePullDownRefresh(() => {
    void reload(true).finally(() => Taro.stopPullDownRefresh());
  });

  const apply = (next: Query) => {
    if (next.search === queryRef.current.search && next.filter === queryRef.current.filter) return;
    queryRef.current = next;
    void reload();
  };
  const searchNow = () => apply({ ...queryRef.current, search: draft.trim() });

  const update = (fn: (d: ListData) => ListData) => setState((s) => (s.status === 'ready' ? { ...s, data: fn(s.data) } : s));

  let body;
  if (state.status === 'loading') body = <Loading text="正在加载商品…" />;
  else if (state.status === 'noShop') body = <NoShop />;
  else if (state.status === 'error') body = <Failed error={state.error} onRetry={() => void reload()} />;
  else
    body = (
      <>
        <Tallies counts={state.data.page.counts} filter={state.data.query.filter} onFilter={(filter) => apply({ ...queryRef.current, filter })} />
        {state.shop.role === 'owner' ? (
          <ImportBox shop={state.shop} onDone={() => void reload(true)} />
        ) : (
          <Text className="products-readonly">只有老板能改库存，这里可以看还剩多少。</Text>
        )}
        <ProductList key={`${state.data.query.search}\u0000${state.data.query.filter}`} data={state.data} shop={state.shop} update={update} />
      </>
    );

  return (
    <View className="page-products">
      <View className="search-bar">
        <Input
          className="products-search"
          value={draft}
          type="text"
          confirmType="search"
          placeholder="搜商品名或编号"
          maxlength={40}
          onInput={(e) => setDraft((e as { detail?: { value?: string } }).detail?.value ?? '')}
          onConfirm={searchNow}
        />
        <Button className="btn search-btn" onClick={searchNow}>
          搜索
        </Button>
      </View>
      {body}
    </View>
  );
}

function Tallies({ counts, filter, onFilter }: { counts: Page['counts']; filter: Filter; onFilter: (f: Filter) => void }) {
  return (
    <View className="tallies">
      <Text className={`tally tally-all ${filter === 'all' ? 'tally-on' : ''}`} onClick={() => onFilter('all')}>
        全部 {counts.ok + counts.yellow + counts.red}
      </Text>
      <Text className={`tally tally-low ${filter === 'low' ? 'tally-on' : ''}`} onClick={() => onFilter('low')}>
        要补货 {counts.yellow + counts.red}
      </Text>
    </View>
  );
}

function ProductList({ data, shop, update }: { data: ListData; shop: ShopSummary; update: (fn: (d: ListData) => ListData) => void }) {
  const [more, setMore] = useState<{ loading: boolean; error: string | null }>({ loading: false, error: null });
  const [editing, setEditing] = useState<string | null>(null);
  const { items, nextCursor } = data.page;

  const loadMore = async () => {
    if (more.loading || !nextCursor) return;
    setMore({ loading: true, error: null });
    try {
      const next = await listRequest(shop, data.query, nextCursor);
      update((d) => ({ ...d, page: { ...next, items: [...d.page.items, ...next.items.filter((n) => !d.page.items.some((o) => o.sku === n.sku))] } }));
      setMore({ loading: false, error: null });
    } catch (err) {
      setMore({ loading: false, error: asApiError(err).message });
    }
  };

  const saved = (next: StockItemView) => {
    setEditing(null);
    update((d) => {
      const before = d.page.items.find((p) => p.sku === next.sku);
      const counts = { ...d.page.counts };
      if (before) counts[before.level]--;
      counts[next.level]++;
      return { ...d, page: { ...d.page, counts, items: d.page.items.map((p) => (p.sku === next.sku ? next : p)) } };
    });
  };

  if (items.length === 0) {
    if (data.query.search) return <Empty title="没找到这个商品" text="换个名字或编号再搜搜。" />;
    if (data.query.filter === 'low') return <Empty title="库存都够" text="没有快没了的商品。" />;
    return <Empty title="还没有商品" text="在知识库里导入商品（带编号、价格、库存），这里就能看库存了。" />;
  }
  return (
    <View className="product-list">
      {items.map((p) =>
        editing === p.sku ? (
          <StockEditor key={p.sku} shop={shop} item={p} onSaved={saved} onCancel={() => setEditing(null)} />
        ) : (
          <ProductRow key={p.sku} item={p} canEdit={shop.role === 'owner'} onEdit={() => setEditing(p.sku)} />
        ),
      )}
      <LoadMore hasMore={Boolean(nextCursor)} loading={more.loading} error={more.error} onMore={() => void loadMore()} />
    </View>
  );
}

function ProductRow({ item: p, canEdit, onEdit }: { item: StockItemView; canEdit: boolean; onEdit: () => void }) {
  return (
    <View className={`product product-${p.level}`} data-sku={p.sku}>
      <View className="product-head">
        <Text className="product-name">{p.name}</Text>
        <Text className={`product-level level-${p.level}`}>{levelLabel(p)}</Text>
      </View>
      <View className="product-body">
        <Text className="product-stock">还剩 {p.stock} 件</Text>
        {p.priceFen !== null && <Text className="product-price">{formatFen(p.priceFen)}</Text>}
      </View>
      <View className="product-foot">
        <Text className="product-marks">
          编号 {p.sku} · 剩 {p.lowStockAt} 件提醒快没了 · 剩 {p.redStockAt} 件算没货
        </Text>
        {canEdit && (
          <Text className="product-edit" onClick={onEdit}>
            修改
          </Text>
        )}
      </View>
    </View>
  );
}

const whole = (s: string) => (/^-?\d{1,7}$/.test(s.trim()) ? Number(s.trim()) : null);

/** Owner: the count and the two marks of one product, checked here first so the common mistakes never reach the server. */
function StockEditor({ shop, item, onSaved, onCancel }: { shop: ShopSummary; item: StockItemView; onSaved: (p: StockItemView) => void; onCancel: () => void }) {
  const [stock, setStock] = useState(String(item.stock));
  const [low, setLow] = useState(String(item.lowStockAt));
  const [red, setRed] = useState(String(item.redStockAt));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    if (busy) return;
    const [s, l, r] = [whole(stock), whole(low), whole(red)];
    if (s === null) return setError('库存要填整数');
    if (l === null || l < 0 || r === null || r < 0) return setError('提醒的数量要填 0 或更大的整数');
    if (r > l) return setError('"算没货"的数量要比"提醒快没了"的小');
    setBusy(true);
    setError(null);
    try {
      const out = await call({ action: 'stock.set', merchantId: shop.id, sku: item.sku, stock: s, lowStockAt: l, redStockAt: r });
      onSaved({ ...item, stock: out.stock, lowStockAt: out.lowStockAt, redStockAt: out.redStockAt, level: stockLevel(out), updatedAt: Date.now() });
      void Taro.showToast({ title: '保存好了', icon: 'success' });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: string, label: string, value: string, set: (v: string) => void) => (
    <View className={`editor-field editor-${name}`}>
      <Text className="editor-label">{label}</Text>
      <Input className="editor-input" type="number" value={value} maxlength={8} onInput={(e) => set((e as { detail?: { value?: string } }).detail?.value ?? '')} />
    </View>
  );

  return (
    <View className="product product-editing" data-sku={item.sku}>
      <Text className="product-name">{item.name}</Text>
      {field('stock', '现在还剩（件）', stock, setStock)}
      {field('low', '剩多少件提醒快没了（黄色）', low, setLow)}
      {field('red', '剩多少件算没货（红色）', red, setRed)}
      {error && <Text className="editor-error">{error}</Text>}
      <View className="editor-actions">
        <Button className="btn btn-plain editor-cancel" disabled={busy || undefined} onClick={onCancel}>
          不改了
        </Button>
        <Button className="btn editor-save" loading={busy || undefined} disabled={busy || undefined} onClick={() => void save()}>
          保存
        </Button>
      </View>
    </View>
  );
}

/** Owner: a whole stock table at once (编号 + 库存 / 黄色提醒 / 红色提醒), bad rows listed by line. */
function ImportBox({ shop, onDone }: { shop: ShopSummary; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ApiResult<'stock.import'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement | null>(null);

  const send = async (file: StockFile) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await call({ action: 'stock.import', merchantId: shop.id, format: file.format, content: file.content });
      setResult(res);
      if (res.updated > 0) onDone();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (busy) return;
    if (process.env.TARO_ENV === 'h5') {
      fileInput.current?.click();
      return;
    }
    try {
      const file = await pickStockFileWeapp();
      if (file) await send(file);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  const onH5File = async (files: FileList | null) => {
    const file = files?.[0];
    if (fileInput.current) fileInput.current.value = ''; // the same file can be picked again
    if (!file) return;
    try {
      await send(await readStockFileH5(file));
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <View className="import-box">
      <View className="import-row">
        <View className="import-text">
          <Text className="import-title">导入库存表</Text>
          <Text className="import-hint">Excel 或 CSV，第一行写：编号、库存、黄色提醒、红色提醒</Text>
        </View>
        <Button className="btn stock-import" loading={busy || undefined} onClick={() => void start()}>
          选文件
        </Button>
      </View>
      {process.env.TARO_ENV === 'h5' && (
        <input ref={fileInput} className="stock-import-file" type="file" accept=".csv,.xlsx" style={{ display: 'none' }} onChange={(e) => void onH5File(e.currentTarget.files)} />
      )}
      {error && <Text className="import-error-message">{error}</Text>}
      {result && (
        <View className="import-result">
          <Text className="import-summary">改好了 {result.updated} 个商品</Text>
          {result.errors.map((e) => (
            <Text key={`${e.line}-${e.message}`} className="import-error">
              第 {e.line} 行：{e.message}
            </Text>
          ))}
        </View>
      )}
    </View>
  );
}
