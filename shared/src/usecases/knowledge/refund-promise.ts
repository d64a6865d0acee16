/**
 * A refund or compensation promised to one customer for one case ("这单给您全额退款", "已经给您退了",
 * "赔您一杯新的") must never become a FAQ answer: the AI would then promise it to everyone who asks
 * something similar. A general refund policy ("七天内可申请退款", "如有质量问题，我们会为您退款或重做")
 * is knowledge like any other and stays savable.
 */
import { AppError } from '../../domain/errors';

/** Money back or something in its place. */
const REFUND = /退款|退钱|退费|退了|退掉|退回|退给|退您|退你|全额退|退一半|退差价|退货|赔|补偿|免单|不收(您|你)?(的)?钱|返还|返现|重新(给您|给你)?(做|送|发)一/;
/** Points at this case: this order, this time, just now, already done. */
const THIS_CASE =
  /这单|这一单|那单|那一单|这笔|这次|这回|您这|你这|您那|你那|您的(订单|这|那)|你的订单|这杯|这份|这个订单|刚才|刚刚|已经(给|帮|为)?(您|你)?(退|赔|补|安排|申请|办)|这就|现在就(给|帮|为)?(您|你)?(退|赔)/;
/** Offered to the reader directly: "给您退", "赔您", "帮您退掉". */
const TO_YOU = /(给|帮|为|替)(您|你)(全额|全部|直接|马上|立刻|立即)?(退|赔|补偿|免单|重做|补发|补一|再做)|(退|赔|补偿)(给)?(您|你)(?!们)|全额退|双倍/;
/** How it works in general: conditions, time limits, rules. */
const POLICY = /如果|如有|若|凡|的话|一律|可以申请|可申请|支持|政策|规定|规则|一般|通常|天内|小时内|工作日|之前|以前取消|前取消|的情况/;

export function promisesRefund(answer: string): boolean {
  const t = answer.replace(/\s+/g, '');
  if (!REFUND.test(t)) return false;
  if (THIS_CASE.test(t)) return true;
  return TO_YOU.test(t) && !POLICY.test(t);
}

/** For teach.save: a 400 with what to do instead. */
export function refuseRefundPromise(answer: string | undefined): void {
  if (answer && promisesRefund(answer))
    throw new AppError(
      'INPUT.REFUND_PROMISE',
      '这个回答答应了给这位客户退款或赔偿，不能存成 AI 的标准回答，不然别的客户问起来 AI 也会这样答应。退款、赔偿请店里的人一单一单处理；想让 AI 说明退款规定的话，写成“什么情况下可以退、怎么退”。',
      400,
    );
}
