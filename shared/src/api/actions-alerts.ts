import { listAlerts } from '../usecases/alerts/store';
import { updateAlertSettings } from '../usecases/alerts/settings';
import { editStock } from '../usecases/stock/stock';
import type { Handlers } from './context';

/** 提醒 list, stock counts and marks, 提醒设置. */
export const alertActions = {
  'alerts.list': async (ctx, req) => ({ items: await listAlerts(ctx.deps, req.merchantId, ctx.member.role, req.limit) }),

  'stock.set': async (ctx, req) => {
    const { action: _a, merchantId, ...edit } = req;
    const p = await editStock(ctx.deps, merchantId, edit);
    return { sku: p.sku, stock: p.stock, lowStockAt: p.lowStockAt ?? 5, redStockAt: p.redStockAt ?? 0 };
  },

  'alerts.settings': async (ctx, req) => {
    const s = await updateAlertSettings(ctx.deps, req.merchantId, req);
    return { bigOrderFen: s.bigOrderFen ?? null, unfulfilledHours: s.unfulfilledHours, stock: s.stock };
  },
} satisfies Partial<Handlers>;
