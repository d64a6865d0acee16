/**
 * Handoff intent rules (ARCHITECTURE §6): a request for a person, a complaint or anger, harm that
 * has happened or is alleged, or anything that needs a person to look at or act on a specific
 * existing order or booking. General questions (policies, allergies, how to book or order) are
 * not handoffs, even when they mention an order: an order action needs both an action word and
 * a reference to the customer's own order or an imperative ("帮我…", "我要…").
 */
import { normalize } from './tokenize';

/**
 * Why a person gets the conversation. 'commit' (the shop asked to promise a time, quantity,
 * exception or booking no FAQ promises) is its own code rather than 'order': nothing is wrong with
 * an order yet, and the owner reads it as a sale to confirm. 'unsure': the engine could not tell
 * and the message looked like one for a person; 'repeated_miss': the customer said twice it was not
 * what they asked.
 */
export type HandoffReason = 'person' | 'complaint' | 'harm' | 'order' | 'commit' | 'unsure' | 'repeated_miss';

const PERSON = [
  /人工|真人|活人|转人工|机器人/,
  /客服在|有人在吗|有人吗/,
  /(找|叫|请|让|喊)(一下|下)?(你们)?(的)?(老板|店长|负责人|经理|主管|领导|管事的)/,
  /(老板|店长|负责人|经理|主管)(的)?(电话|手机|手机号|微信|联系方式)/,
  /跟人(说话|聊|沟通|说)|自动回复|机器回复|机器人回复|别自动|不要机器/,
  /(老板|店长|负责人|经理)(在吗|在不在|呢|出来)/,
  /(老板|店长|负责人|经理|主管|领导|管事的)(叫|喊|找|请)(来|出来|过来)/,
  /(打电话给我|给我回电话|回个电话|给我打电话)/,
  // a person by their role, asked to reach the customer: "让老师给我回个电话", "医生在吗", "前台电话多少"
  /(找|叫|请|让|喊|换)(一下|下|个|一个)?(你们)?(的)?(老板娘|前台|店员|客服|值班的)/,
  /(让|叫|请)(你们)?(的)?(那个|这个|那位|这位)?(老师|医生|大夫|教练|技师|师傅|设计师|摄影师|护士|顾问|管家|前台|店员)(给我|跟我|和我)?(回|打|联系|接|说|聊|来)/,
  /(老师|医生|大夫|教练|技师|师傅|设计师|摄影师|顾问|管家|前台|店员)(本人)?(的)?(电话|手机|手机号|微信|联系方式)/,
  /(老师|医生|大夫|教练|技师|师傅|设计师|摄影师|顾问|管家|前台|店员|老板娘)(在吗|在不在|在么|有空吗)/,
];

/** The shop's own people by name (from its team): "张姐在吗", "找一下阿强", "小芳电话多少". */
function asksForMember(t: string, names: readonly string[]): boolean {
  return names.some((n) => {
    const at = t.indexOf(n);
    if (at < 0) return false;
    const before = t.slice(Math.max(0, at - 3), at);
    const after = t.slice(at + n.length, at + n.length + 5);
    return /(找|叫|请|让|喊|联系|转|给)(一下|下)?$/.test(before) || /^(在吗|在不在|在么|呢|有空|今天在|电话|手机|微信|联系方式|回|给我|跟我|和我)/.test(after);
  });
}

const COMPLAINT = [
  /投诉|举报|差评|曝光|12315|消协|维权/,
  /气死|生气|火大|恼火|无语|离谱|过分|太差|真差|好差|很差|垃圾|骗子|骗人|坑人|黑店|恶心|坑爹|忽悠/,
  /怎么搞的|咋搞的|咋弄的|怎么弄的|你们怎么(看|弄|搞)的|啥破|什么破|比.{0,6}还差|更差了|还不如之前|越修越|搞什么|搞的什么|不负责|白跑|啥服务|什么服务|说好的|什么玩意|什么态度|态度(太|很|真|好)?差|给个说法|要个说法|给我个说法|讨个说法|到底有没有|到底怎么|到底会不会|你们怎么回事|怎么回事啊/,
  /怎么赔|赔我|赔钱|必须赔|要赔偿|索赔|给我赔|退钱|还钱/,
  /(非常|很|特别|太|超|十分|极其)(不满意|失望|不爽|不满)/,
  /(必须|赶紧|马上|立刻)(给我)?(退(?!休)|换(?![季新])|赔|处理|解决)/,
  /被毁|毁了|全毁/,
];

/** Harm that has happened: symptoms and damage strong enough on their own. */
const HARM_STRONG = [
  /拉肚子|拉.{1,4}肚子|腹泻|呕吐|吐了|上吐下泻|食物中毒|中毒|吃坏|喝坏/,
  /闪了|扭了|扭伤|拉伤|崴了|摔伤|摔倒了|被偷|被盗|偷走|查监控|调监控/,
  /过敏了|起疹|红疹|疹子|红肿|肿了|发炎|化脓|溃烂/,
  /住院|在医院|进医院|去了医院|送医|急诊|看医生|挂水|打点滴/,
  /受伤|流血|出血|剪破|划破|咬伤|抓伤|烫伤|骨折|瘸了|(狗|猫|鱼|鸟|宠物|它|孩子|人)死了|死掉了/,
  /把我(的)?.{0,10}(划|刮|碰|摔|弄|搞|洗|烫|剪|染)(了|坏|破|花|伤|掉|丢|缩)/,
  /发霉|长毛了|变质了|吃出|喝出|里面有(头发|虫|异物|苍蝇|塑料)/,
  // something that should never be in what was served or delivered: "奶茶里有头发", "汤里有根毛"
  // (a home, a wall or a body is not what was served: "家里有蟑螂" asks for pest control; "有虫眼吗" asks)
  /(?<![家屋房厨院柜墙地田树草身网楼])(里|里面|上面|上|中间|表面)(有|发现|居然有|竟然有|还有)(一|1)?(根|个|只|条|块|片|粒|些|好多|很多|几根|几个|几只)?(头发|毛发|毛|虫|虫子|飞虫|苍蝇|蚊子|蟑螂|异物|塑料|玻璃|碎片|沙子|石子|钢丝|铁丝|指甲|创可贴|纸片|烟头)(?![^，。,.!！?？]{0,3}(吗|么|没有|不))/,
  /(起了|长了|好多|满脸|红).{0,3}疙瘩|疙瘩了|火辣辣|刺痛|灼伤|烂脸|毁容|起了泡|起水泡|起泡了|脱皮了|过敏反应/,
  /(弄|搞|剪|刮|烫|划|夹|磕|摔)(破|伤|坏|肿|出血)/,
  /压坏|摔坏|压扁|全是坏|都是坏|全坏|全烂/,
];
/** Weaker signs of harm, counted only with a past event or "your" product/service in the text. */
const HARM_WEAK =
  /痒|一直挠|红了|瘦了|不吃东西|没精神|蔫了|掉毛|有问题|不舒服|难受|哭|吓坏|坏了|烂了|臭了|酸了|疼|痛|胀|流眼泪|流泪|头晕|开线|掉色|串色|染色了|破了|破洞|划痕|刮花|裂了|断了|缩了|缩水|变形|多了一块|不见了|找不到了|丢了|没了|呛|咳|鼓起|鼓包|发烫|烫得/;
const PAST_CONTEXT =
  /你们|你家|昨天|昨晚|前天|刚才|刚刚|上次|上周|回来|回家后|送来|收到|吃了|吃完|喝了|喝完|用了|洗完|洗了|做完|做了|修完|换完|装完|穿了|戴了|买的|拿回|取回|取的|拿的|配的|之后|走了以后|走后/;
/** A question about what might happen, not a report of what did. */
const HYPOTHETICAL = /万一|如果|要是|假如|假设|怕(?!是)|担心会|会不会|会.{0,6}吗$/;
/** For the weak signs, also general how-to questions ("怎么办", "能…吗", "一般"). */
const GENERAL_QUESTION = /怎么办|怎么保存|能.*吗$|容易|一般/;

/** Actions on an order or booking a person must take or look at. */
const ORDER_ACTION =
  /取消|退款|退钱|退货|退单|退掉|退我|钱退|能退|退吗|不想要了|不要了|不想洗了|不想做了|改到|改成|改一下|改个|改下|修改|更改|改地址|改时间|改约|挪到|挪一下|推到|换成|换到|换一下|加急|催|补发|重发|少了|漏了|少给|漏给|没给|洒了|发错|送错|拿错|少送|漏送|少发|漏发|开发票给我|查一下|查查|查下|帮我查|看一下/;
/** Where-is-it and not-arrived: always about a specific order. */
const ORDER_STATUS =
  /到哪了|到哪里了|到哪儿了|怎么还没|还没(到|送|来|收到|发货|发|派送|退|到账)|没(收到|送到|到货|发货|退回|退给)|都没(发|到|送|退)|少了[一两几]?[件个杯份盒袋样]|只有[一两二三四五六七八九\d]+[件个杯份盒袋样]|一直没(到|送|来)|联系不上|打不通|不接电话|超时|迟到|晚了[一两三几半\d]/;
/** A reference to the customer's own existing order or booking. */
const ORDER_REF =
  /订单号|单号|我的(订单|单|预约|货|快递|蛋糕|东西|外卖)|(我|我们)?(昨天|今天|前天|上午|下午|早上|晚上|刚才|刚刚|上次)的(订单|单子|单|外卖|快递|货|预约)|我(那|这|下的|订的|买的|约的|预约的|点的|登记的|送的|送洗的|拿的|取的|配的)(单|个|份)?|(那|这)(一)?单|(昨天|昨晚|今天|今早|前天|上午|下午|早上|晚上|刚才|刚刚|上周.?|上个月|周.|星期.|礼拜.|[\d一二三四五六七八九十]+号)(下|订|买|约|预约|点|送|送洗|配|登记)的|\d{5,}/;
/** Imperatives: the customer asks us to do it now. */
const IMPERATIVE = /帮我|给我|麻烦|请你|我要|我想|把我|把那|把这|赶紧|快点|马上/;

/** A specific order by its number: only a person can look it up (a mobile number is not one). */
const ORDER_NUMBER = /订单号|单号|订单编号|卡号|会员号/;
const hasOrderNumber = (t: string) => ORDER_NUMBER.test(t) || (t.match(/\d{8,}/g) ?? []).some((d) => !/^1[3-9]\d{9}$/.test(d));

/** `names`: the shop's own people (handoff-signals.ts memberTerms), asked for by name. */
export function detectHandoff(text: string, names: readonly string[] = []): { reason: HandoffReason; rule: string } | null {
  const t = normalize(text).replace(/\s+/g, '');
  for (const r of PERSON) if (r.test(t)) return { reason: 'person', rule: r.source };
  if (asksForMember(t, names)) return { reason: 'person', rule: 'member name' };
  for (const r of COMPLAINT) if (r.test(t)) return { reason: 'complaint', rule: r.source };
  // "万一洗坏了赔不赔", "会不会掉色": questions about what might happen are answered
  const hypothetical = HYPOTHETICAL.test(t);
  if (!hypothetical) for (const r of HARM_STRONG) if (r.test(t)) return { reason: 'harm', rule: r.source };
  if (HARM_WEAK.test(t) && PAST_CONTEXT.test(t) && !hypothetical && !GENERAL_QUESTION.test(t)) return { reason: 'harm', rule: HARM_WEAK.source };
  if (ORDER_STATUS.test(t)) return { reason: 'order', rule: ORDER_STATUS.source };
  if (hasOrderNumber(t)) return { reason: 'order', rule: ORDER_NUMBER.source };
  if (ORDER_ACTION.test(t) && (ORDER_REF.test(t) || IMPERATIVE.test(t))) return { reason: 'order', rule: ORDER_ACTION.source };
  return null;
}
