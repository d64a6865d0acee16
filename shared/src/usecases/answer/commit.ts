/**
 * A request that the shop commit to something specific (ARCHITECTURE §6, issue 13): this time,
 * this quantity, this price, this exception, this booking. No FAQ can promise that, so a person
 * confirms it. "How does X work" (how to order, how group orders work, what the policy is) is not
 * one: the knowledge base answers it. Written from the meaning in everyday Chinese, not from any
 * shop's cases: a request form plus something only this customer's case has.
 */
import { normalize } from './tokenize';

/** Asking the shop to do or agree to something (not asking how something works). */
const REQUEST =
  /能不能|能否|可不可以|可否|行不行|行不|得行不|成不|做不做|好不好|中不中|能.{0,14}(吗|不|么|嘛|没)|可以.{0,14}(吗|不|么|嘛)|帮我|帮忙|给我|给俺|麻烦|保证|确保|一定要|必须|呗|吧$/;

/** A moment of this customer's own: a day, a date, a clock time. */
const WHEN =
  /今天|明天|后天|大后天|今晚|明晚|明早|今早|明天早上|周[一二三四五六日末天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|下周|这周|下个月|国庆|中秋|春节|元旦|五一|端午|过年|[\d一二三四五六七八九十]+号|[\d一二三四五六七八九十两]+点(半|前|以前|之前|以后|后)?|凌晨|[\d一二三四五六七八九十]+月[\d一二三四五六七八九十]|[\d一二三四五六七八九十]+分钟(内|之内|以内)/;
/** A quantity of this customer's own: "40杯", "三个人", "两台车". */
const HOW_MANY = /[\d两二三四五六七八九十百千万]+(个|位|杯|份|件|串|本|盒|箱|斤|台|条|人|桌|间|张|节|单|次|只|副|套|颗|辆|克|瓶|袋|束|把|双|晚|天|间房)/;
/** A price or discount named by the customer, or something thrown in. */
const BARGAIN =
  /便宜[\d一二两三四五六七八九十百]|[\d一二三四五六七八九]折|算我|算[\d一二两三四五六七八九十百]|按[\d一二三四五六七八九十百千万]+|全免|免了|抹(个)?零|[再多]送[\d一二两三四五六七八九十]|多给|少算|少收|[\d百千万]+(块|元)?.{0,3}(做不做|行不行|行不|得行不|卖不卖|成不)/;
/** An exception to how the shop normally works. */
const EXCEPTION = /破例|通融|单独(给|为|帮|开|上)|例外|特殊照顾|提前.{0,4}开门|开(个)?早场|等我一下|赊|先.{0,6}(再给|补上|补给|明天给)|写进合同|锁(今天|现在|一下)?(的)?价/;
/** Holding or reserving something for this customer. */
const HOLD = /(留|预留|占|锁)(给我|给我们|到|下|一下|个|两|一|几|\d)|安排.{0,6}(给我|带我|单独|专门)/;

/** A clock time ("3点", "下午一点"; not "一点糖"), and a deadline: done or there by then. */
const CLOCK = /(\d{1,2}|十[一二]?|[二三四五六七八九两])点|(早上|上午|中午|下午|晚上|凌晨)一点/;
const DEADLINE = /((\d{1,2}|十[一二]?|[一二三四五六七八九两])点(半)?|号|周[一二三四五六日末天])(前|之前|以前)|[\d一二三四五六七八九十]+分钟(内|之内|以内)/;
/** A day of this customer's own (not "晚上" or "早上", which ask about opening hours). */
const DAY = /今天|明天|后天|今晚|明晚|明早|今早|周[一二三四五六日末天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|[\d一二三四五六七八九十]+号/;

/** A promise asked for in so many words. */
const GUARANTEE = /保证|确保|必须|一定要|打包票/;

/** Asking how something works, what it costs or whether it exists: the knowledge base's job. */
const HOW_IT_WORKS =
  /怎么|如何|咋|流程|规则|一般|通常|平时|需要提前|要提前|提前多久|多久|多长时间|什么时候|几点(开|关|营业|下班|上班)|营业|开门吗|有没有|是不是|有啥|有什么|哪些|多少钱|啥价|什么价|价格|收费|费用|起送|起订|最少|最多|能不能预约|可以预约吗|能预约吗|怎么订/;

/**
 * Whether the message asks the shop to commit to something specific. A request plus a day or a
 * quantity of the customer's own, or a named price, an exception, a hold; unless the message only
 * asks how things work.
 */
export function asksForCommitment(text: string): boolean {
  const t = normalize(text).replace(/\s+/g, '');
  if (!REQUEST.test(t)) return false;
  const when = WHEN.test(t);
  const many = HOW_MANY.test(t);
  const special = BARGAIN.test(t) || EXCEPTION.test(t) || HOLD.test(t);
  if (special) return true;
  if (GUARANTEE.test(t) && (when || many)) return true;
  if (HOW_IT_WORKS.test(t)) return false;
  return (when && many) || (DAY.test(t) && CLOCK.test(t)) || DEADLINE.test(t);
}
