/**
 * Structured handoff signals that carry across trades (issue 13): each is a yes/no feature of a
 * message, written from the signal's meaning in everyday Chinese, not from any shop's cases. They
 * feed the learned handoff model (handoff-model.ts) beside its character n-grams; none of them
 * hands off on its own (the precise rules in handoff.ts do that).
 */
import { detectHandoff } from './handoff';
import { normalize } from './tokenize';

/** Negative evaluation or emotion: the customer is unhappy, often without a complaint word. */
const NEGATIVE =
  /差劲|太差|很差|真差|好差|难吃|难喝|难闻|难看|难用|不好吃|不好喝|不好用|不好看|不好使|失望|不满|不爽|生气|气人|气死|火大|郁闷|闹心|糟心|窝火|委屈|烦死|烦人|无语|离谱|过分|敷衍|糊弄|忽悠|坑人|被坑|骗人|被骗|黑心|不靠谱|不专业|不负责|不像话|态度|脸色|爱答不理|不理人|没人理|没人管|没人回|后悔|再也不|以后不[来去买找用]|不会再[来去买找]|拉黑|凭什么|(这|你们|你|这是|这叫)什么意思|搞笑|呵呵|服了|醉了|真行|真是够了|受不了|忍不了|太慢了|慢死|有没有搞错|开玩笑|搞什么|智商税|宰客|不值|白花|白交|白来|白跑|浪费.{0,4}(钱|时间)|偷工减料|以次充好|糟糕|垃圾|太坑|真坑|好坑|可真是|真是绝了|厉害了|不就是|算什么|好意思|什么玩意|啥玩意|不管了|不管不问|推来推去|踢皮球|没个准|说话不算|不算话|骗子|耽误|折腾/;

/** The same thing going wrong again: "第三回了", "又…", "每次都…". */
const REPEATED = /第[二三四五六七八九十几\d]+[次回遍]|又[是没不坏错来晚迟少漏]|每次都|总是|老是|一直[没不]|还是[没不]|三番[五两]次|好几[次回遍]|多少[次回遍]了/;

/** Expectation broken: "说好的", "明明…", "不是说…吗". */
const BROKEN_PROMISE = /说好的|明明|不是说|答应(过|了|的)|承诺|居然|竟然|根本|压根|结果/;

/** A finished or past event: perfective markers, time words for the past, having received or used it. */
const PAST =
  /了|过|完|之后|以后|回来|回去|回家|到手|收到|拿到|取回|拿回|昨天|昨晚|前天|上次|上回|上周|上个月|刚才|刚刚|那天|当时|已经|做的|修的|买的|订的|约的|换的|装的|配的|洗的|剪的|拍的|办的/;
/** The customer's own thing: "我(的)", "我家", "给我", "帮我". */
const OWN = /我|咱|俺|给我|帮我/;
/** A bad state of a thing: broken, wrong, missing, not working, not done. */
const BAD_STATE =
  /坏|破|裂|碎|漏|掉了|脱了|松了|歪|断|卡住|卡了|堵|不亮|不响|不转|不动|不走|没反应|没电|没声|打不开|开不了|用不了|不能用|没法用|失灵|故障|毛病|出问题|有问题|不对|错了|弄错|搞错|不一样|不合适|不见了|丢了|少了|没到|没来|没收到|没送|没效果|没用|没好|更严重|起球|褪色|掉色|变形|发黄|发黑|异味|有味|发臭|馊|化了|凉了|洒了|脏|污渍|划痕|缺|瑕疵|不行|还是不|跟没|等了|没人|没消息|没动静|没回|没通知|没联系|联系不上|不接/;

/** A person by role, or the request forms that ask for one. */
const ROLE =
  /老板娘|老板|店长|经理|主管|负责人|管事|掌柜|店员|服务员|前台|师傅|老师|医生|大夫|护士|教练|技师|客服|设计师|摄影师|工作人员|专员|顾问|助理|校长|院长|主任|领班|厨师|管家/;
const ASK_FOR_PERSON = /找|叫|让|请|喊|换个|换一个|联系|在吗|在不在|在么|电话|微信|手机|回电|回个|打个|打给|出来|过来|说话|聊|沟通|接(个|一下)?电话|跟我说|和我说|本人|亲自/;
const SOMEONE = /有人吗|有人在|人呢|在吗|有没有人|找个人|找人|真人|活人|人工|转人/;

/** Harm to a person, child or pet, in everyday words. */
const VICTIM = /孩子|宝宝|小孩|儿子|女儿|闺女|老人|我妈|我爸|老公|老婆|媳妇|家人|朋友|狗|猫|宠物|它|我(?!们)|脸|皮肤|手|脚|腿|腰|背|眼睛|嘴|牙|头|肚子|胃/;
const HURT =
  /受伤|伤到|伤了|摔|磕|碰伤|烫|划伤|割|咬|抓伤|流血|出血|疼|痛|肿|红了|过敏了|过敏反应|起疹|疹子|发烧|发热|拉肚子|腹泻|呕|吐了|想吐|晕|昏|住院|急诊|医院|看医生|不舒服|难受|哭|吓|中毒|喘不|咳|感染|发炎|骨折|扭|淤青|青了|起泡|脱皮|溃烂|破皮|痒|刺痛|灼/;

/** Urgency: now, hurry, can't wait, waited too long. */
const URGENT =
  /急|赶紧|马上|立刻|立即|快点|尽快|等不了|来不及|救命|火速|在线等|现在就|今天必须|必须今天|等了.{0,4}(小时|分钟|天|半天|好久|很久)|都.{0,3}(点|小时|分钟)了|还要等多久|到底什么时候/;

/** A question about what might happen, or how things work in general: answerable. */
const HYPOTHETICAL = /万一|如果|要是|假如|假设|会不会|担心|怕(?!是)|一般|通常|平时/;
const GENERAL_Q = /多少钱|价格|几点|在哪|怎么(收费|预约|约|订|买|办|算|去|走|用)|可以.{0,8}吗|能.{0,8}吗|有没有|需要.{0,8}吗|要不要|是不是|什么时候|多久|多长时间/;

/** A specific commitment the shop would have to make: this time, this quantity, this exception. */
const COMMIT = /能不能|可不可以|行不行|可以吗|能吗|行吗|帮我|给我|保证|包|一定|确定|确保|留|安排|特殊|例外|通融|破例/;
const SPECIFIC = /\d|[一二两三四五六七八九十]+(个|位|杯|份|件|点|号|人|次|天|斤|桌|间|张|盒|箱)|今天|明天|后天|今晚|明早|周[一二三四五六日末]|这周|下周|待会|一会/;

/** Member names as written and without a trailing honorific ("张姐" → "张姐"; "李医生" → also "李医生"). */
export function memberTerms(members: readonly { name: string; role?: string }[]): { names: string[]; roles: string[] } {
  const names = new Set<string>();
  const roles = new Set<string>();
  for (const m of members) {
    const n = normalize(m.name ?? '').replace(/\s+/g, '');
    // a one-character name would match inside ordinary words
    if (Array.from(n).length >= 2) names.add(n);
    const role = normalize(m.role ?? '')
      .replace(/[（(][^）)]*[）)]/g, '')
      .replace(/\s+/g, '');
    if (Array.from(role).length >= 2 && Array.from(role).length <= 6) roles.add(role);
  }
  return { names: [...names], roles: [...roles] };
}

export type SignalContext = { names: string[]; roles: string[] };
export const NO_MEMBERS: SignalContext = { names: [], roles: [] };

/**
 * The structured signals a message shows, as feature names (`#neg`, `#person`, …). `t` is the
 * standardized text (colloquial.ts) as the engine sees it.
 */
export function handoffSignals(text: string, ctx: SignalContext = NO_MEMBERS): string[] {
  const t = normalize(text).replace(/\s+/g, '');
  const out: string[] = [];
  const hypothetical = HYPOTHETICAL.test(t);
  if (NEGATIVE.test(t)) out.push('#neg');
  if (REPEATED.test(t)) out.push('#again');
  if (BROKEN_PROMISE.test(t)) out.push('#broken');
  const past = PAST.test(t);
  const bad = BAD_STATE.test(t);
  if (bad) out.push('#bad');
  if (past && bad && OWN.test(t)) out.push('#past_bad');
  const role = ROLE.test(t) || ctx.roles.some((r) => t.includes(r));
  const ask = ASK_FOR_PERSON.test(t);
  if (role && ask) out.push('#person');
  else if (role) out.push('#role');
  if (SOMEONE.test(t)) out.push('#someone');
  const named = ctx.names.some((n) => t.includes(n));
  if (named) out.push('#member');
  if (named && ask) out.push('#member_ask');
  const hurt = HURT.test(t);
  if (hurt && VICTIM.test(t)) out.push(hypothetical ? '#harm_hypo' : '#harm');
  if (URGENT.test(t)) out.push('#urgent');
  if (hypothetical) out.push('#hypo');
  if (GENERAL_Q.test(t)) out.push('#general_q');
  if (COMMIT.test(t) && SPECIFIC.test(t)) out.push('#commit');
  const rule = detectHandoff(text, ctx.names);
  if (rule) out.push(`#rule_${rule.reason}`);
  return out;
}
