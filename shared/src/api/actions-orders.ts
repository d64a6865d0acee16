import type { Order } from '../domain/commerce';
import { importOrderFile } from '../usecases/orders/import';
import { linkOrder, listUnmatchedOrders } from '../usecases/orders/link';
import { rotateWebhookSecret, webhookStatus } from '../usecases/orders/webhook';
import type { Handlers } from './context';

/** 杨枝甘露×2、珍珠奶茶: what an unmatched order held, for the owner to recognise it. */
const summaryOf = (o: Order) => o.items.map((it) => (it.qty > 1 ? `${it.name}×${it.qty}` : it.name)).join('、');

/** The order webhook's secret, order import from the phone and unmatched orders. */
export const orderActions = {
  'webhook.get': async (ctx, req) => webhookStatus(ctx.deps, req.merchantId),

  'webhook.rotate': async (ctx, req) => rotateWebhookSecret(ctx.deps, req.merchantId, ctx.member.id),

  'orders.import': async (ctx, req) => importOrderFile(ctx.deps, { merchantId: req.merchantId, format: req.format, content: req.content }, ctx.orderFiles),

  'orders.unmatched': async (ctx, req) => ({
    orders: (await listUnmatchedOrders(ctx.deps, req.merchantId, req.limit)).map((o) => ({
      orderNo: o.id,
      status: o.status,
      amountFen: o.amountFen,
      placedAt: o.placedAt,
      phone: o.customerRef?.phone ?? null,
      externalUserId: o.customerRef?.externalUserId ?? null,
      summary: summaryOf(o),
    })),
  }),

  'orders.link': async (ctx, req) => {
    const o = await linkOrder(ctx.deps, { merchantId: req.merchantId, orderNo: req.orderNo, externalUserId: req.externalUserId, actorId: ctx.member.id });
    return { orderNo: o.id, externalUserId: o.externalUserId! };
  },
} satisfies Partial<Handlers>;
