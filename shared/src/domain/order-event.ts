import { z } from 'zod/v4';

/**
 * An order event as a shop's order system sends it (`POST /webhook/orders/:merchantId`, and one
 * row group of an order import). Written with zod 4 (`zod/v4`, shipped inside the zod 3.25 the
 * repo pins) because its `toJSONSchema` generates the README's JSON schema from this very object;
 * the rest of the domain stays on zod 3 until the whole repo moves.
 */

/** The body cap of one webhook delivery, checked before the body is read past it. */
export const WEBHOOK_MAX_BYTES = 256 * 1024;
/** How far a delivery's X-Xiaoer-Timestamp may be from wall-clock time, either way. */
export const WEBHOOK_MAX_SKEW_S = 300;

// Epoch milliseconds below 1e11 (before 1973) are almost always Unix seconds sent by mistake.
const MIN_EPOCH_MS = 100_000_000_000;
const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** ISO 8601 with a zone (Z or ±hh:mm), or epoch milliseconds; read as epoch milliseconds. */
export const EventTime = z
  .union([z.iso.datetime({ offset: true }), z.number().int().min(MIN_EPOCH_MS).max(MAX_EPOCH_MS)], {
    error: '时间要写成带时区的 2026-11-22T12:30:00+08:00，或 13 位毫秒时间戳',
  })
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: '不能是空的' })
    .max(max, { error: `最多 ${max} 个字` });
const fen = z
  .number({ error: (iss) => (iss.input === undefined ? '没填' : '要写整数的分（1 元 = 100 分）') })
  .int({ error: '要写整数的分（1 元 = 100 分）' })
  .min(0, { error: '不能是负数' })
  .max(10_000_000_000, { error: '金额太大了' });

export const OrderEventItem = z.object({
  sku: text(64),
  name: text(100),
  qty: z.number({ error: '要写 1 以上的整数' }).int({ error: '要写 1 以上的整数' }).min(1, { error: '要写 1 以上的整数' }).max(100_000, { error: '数量太大了' }),
  priceFen: fen,
  category: text(30).optional(),
});

export const OrderEventCustomer = z.object({
  externalUserId: text(128).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9][0-9 -]{4,19}$/, { error: '手机号只能有数字、空格、- 和开头的 +' })
    .optional(),
  unionId: text(128).optional(),
});

/** A customer's review of the order, when the order system has one (optional: older senders never send it). */
export const OrderEventReview = z.object({
  rating: z.number({ error: '要写 1 到 5 的整数' }).int({ error: '要写 1 到 5 的整数' }).min(1, { error: '要写 1 到 5 的整数' }).max(5, { error: '要写 1 到 5 的整数' }),
  text: z.string().trim().max(500, { error: '最多 500 个字' }).optional(),
});

export const OrderStatusIn = z.enum(['paid', 'fulfilled', 'refunded', 'cancelled'], {
  error: '只能是 paid（已付款）、fulfilled（已完成）、refunded（已退款）、cancelled（已取消）',
});

export const OrderEvent = z.object({
  orderNo: z
    .string()
    .regex(/^[0-9A-Za-z_.:#/-]{1,64}$/, { error: '只能用 1–64 位英文、数字和 _ . : # / -' })
    .describe("The order's number in the shop's system: one order, however many events"),
  status: OrderStatusIn.describe('paid and fulfilled prove a payment; refunded a payment and its whole-order refund; cancelled nothing'),
  amountFen: fen.describe('What the customer paid for the whole order, in fen (1 yuan = 100); a refund takes back what the payment counted'),
  items: z.array(OrderEventItem).max(500, { error: '一单最多 500 种商品' }),
  customer: OrderEventCustomer.default({}).describe('Matched to a customer by externalUserId, else phone; otherwise kept unmatched for the owner to link'),
  storeId: text(64).optional(),
  placedAt: EventTime.describe('When the order was placed: ISO 8601 with a zone, or epoch milliseconds; orders and revenue count on its day'),
  updatedAt: EventTime.describe('When this status was reached; (orderNo, status, updatedAt) identify the event: a repeat or an older one changes nothing'),
  review: OrderEventReview.optional().describe("The customer's review (rating 1–5 stars, optional text); 2 stars or fewer alerts the owner, once per order"),
});
export type OrderEvent = z.output<typeof OrderEvent>;
export type OrderEventInput = z.input<typeof OrderEvent>;

/** The JSON schema of a delivery's body (README "Order webhook"), generated from {@link OrderEvent}. */
export function orderEventJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(OrderEvent, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

const LABELS: Record<string, string> = {
  orderNo: '订单号',
  status: '状态',
  amountFen: '金额',
  items: '商品',
  sku: '商品编码',
  name: '商品名',
  qty: '数量',
  priceFen: '单价',
  category: '品类',
  customer: '客户',
  externalUserId: '客户 ID',
  phone: '手机号',
  unionId: 'unionId',
  storeId: '门店',
  placedAt: '下单时间',
  updatedAt: '状态时间',
  review: '评价',
  rating: '星级',
  text: '评价内容',
};

/** `items.2.qty` → 第 3 个商品的数量 (what an owner reads beside the row of an import). */
export function fieldLabel(path: PropertyKey[]): string {
  const parts = path.map(String);
  if (parts[0] === 'items' && parts.length >= 2 && /^\d+$/.test(parts[1])) {
    const which = `第 ${Number(parts[1]) + 1} 个商品`;
    return parts[2] ? `${which}的${LABELS[parts[2]] ?? parts[2]}` : which;
  }
  return parts.map((p) => LABELS[p] ?? p).join('的') || '订单';
}

export type EventCheck = { ok: true; event: OrderEvent } | { ok: false; message: string; details: { path: string; message: string }[] };

/** Validates one order event; a refusal comes as one short Chinese sentence plus the paths of the first problems. */
export function checkOrderEvent(value: unknown): EventCheck {
  // the error map only words refusals, yet passing one slows every parse: a valid event (nearly
  // every delivery) is parsed without it, and only a refused one again with it for the messages
  const fast = OrderEvent.safeParse(value);
  if (fast.success) return { ok: true, event: fast.data };
  const r = OrderEvent.safeParse(value, { error: (iss) => (iss.input === undefined ? '没填' : '格式不对') });
  if (r.success) return { ok: true, event: r.data };
  const details = r.error.issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: `${fieldLabel(i.path)}：${i.message}` }));
  return { ok: false, message: details[0]?.message ?? '订单格式不对', details };
}
