import type { BusinessHours } from '@xiaoer/shared/domain/merchant';
import type { Faq, Product } from '@xiaoer/shared/domain/knowledge';

export const DEMO_MERCHANT_ID = 'demo-naicha';

/** The demo shop: a fruit-tea / milk-tea shop in Hangzhou. Every value here is fixed demo data. */
export const DEMO_SHOP = {
  name: '茶小满·鲜果茶饮',
  industry: '奶茶',
  timezone: 'Asia/Shanghai',
} as const;

/** Fake WeCom credentials of the right shape (a test corp); they never reach WeCom. */
export const DEMO_WECOM = {
  corpId: 'wwd787f6c813ebe559',
  token: 'XmDemoNaicha2026Token',
  aesKey: 'KGpOyQNcdOyZbkBFTFoOxtzHq8STZHE6svi34zWH8xM',
  kfSecret: 'WR6zqlIKiUBKnCfK2vuAiSDMK2xTY2xA6bznBRkirAg',
  /** The self-built app: handoff notices to the owner go through it (message/send). */
  appSecret: 'Qm9zc0RlbW9BcHBTZWNyZXQyMDI2LXhpYW9lci1kZW1v',
  agentId: 1000002,
  /** 客户联系: the tag rules mark customers at WeCom with it (mark_tag, corp tags). */
  contactSecret: 'RGVtb0NvbnRhY3RTZWNyZXQyMDI2LXhpYW9lci10YWdz',
  /** The demo owner's WeCom userid, where handoff notices go. */
  ownerUserId: 'XiaoMan',
} as const;

export const DEMO_HOURS: BusinessHours = { open: '10:00', close: '22:00', closedDays: [] };

export const DEMO_PERSONA =
  '你是「茶小满·鲜果茶饮」的 AI 店员小满：说话亲切简短，可以用「～」和少量表情；只根据店里的资料回答，不确定的不乱说；订单出了问题、客人不满意或者要找人时，马上转给店长。';

export const DEMO_KF_ACCOUNT = 'wkDEMO0001';

export const DEMO_FACTS: Record<string, unknown> = {
  name: '茶小满·鲜果茶饮（文三路店）',
  hours: '每天 10:00–22:00（21:45 停止点单），节假日照常营业；春节除夕、初一休息',
  address: '杭州市西湖区文三路 398 号东方通信大厦 1 楼（学院路口往东 100 米，地铁 2 号线学院路站 C 口步行 3 分钟）',
  phone: '0571-8765 4321',
  delivery: '门店 3 公里内自配送，满 30 元免配送费，不满收 4 元，约 30–40 分钟送达；3 公里外请在美团/饿了么下单',
  payment: '微信、支付宝、会员余额、现金；不支持信用卡',
  cupSizes: '中杯 500ml / 大杯 700ml，大杯加 3 元',
  memberDay: '每周三会员日第二杯半价',
  parking: '大厦地下车库前 30 分钟免费，消费满 30 元送 1 小时停车券',
};

/** A FAQ plus extra ways customers actually ask it (used only to write demo conversations). */
export interface DemoFaq extends Faq {
  asks: string[];
  /** How often it comes up in the demo chats. */
  weight: number;
}

const faq = (id: string, weight: number, question: string, answer: string, alternatives: string[], asks: string[]): DemoFaq => ({
  id,
  question,
  answer,
  alternatives,
  enabled: true,
  asks,
  weight,
});

export const DEMO_FAQS: DemoFaq[] = [
  faq(
    'hours',
    8,
    '你们几点开门、几点关门？',
    '每天 10:00–22:00 营业，21:45 停止点单，外卖也是这个时间～',
    ['营业时间是几点', '几点关门', '现在还开着吗', '晚上几点打烊'],
    ['现在还营业吗', '你们晚上开到几点呀', '明天早上几点开门', '十点前能买到吗'],
  ),
  faq(
    'holiday_hours',
    2,
    '节假日营业吗？',
    '国庆、中秋、元旦这些节假日都照常营业，时间不变（10:00–22:00）；只有春节除夕和大年初一休息两天，初二恢复营业，具体会提前在朋友圈通知。',
    ['国庆开门吗', '过年营业吗', '春节休息几天'],
    ['国庆节你们开门吗', '过年休息到初几', '中秋节营业吗'],
  ),
  faq(
    'address',
    6,
    '店在哪里？怎么走？',
    '我们在杭州市西湖区文三路 398 号东方通信大厦 1 楼，学院路口往东 100 米；地铁 2 号线学院路站 C 口出来步行 3 分钟就到。',
    ['地址在哪', '门店位置发一下', '离地铁站远吗'],
    ['店具体在哪个位置', '导航搜什么能找到你们', '从学院路地铁站怎么走'],
  ),
  faq(
    'parking',
    2,
    '有停车位吗？',
    '大厦地下车库可以停，前 30 分钟免费；消费满 30 元可以找店员领 1 小时停车券。店门口路边只能临时停靠。',
    ['好停车吗', '停车收费吗'],
    ['开车过去好停车吗', '门口能停车吗'],
  ),
  faq(
    'delivery',
    10,
    '能送外卖吗？配送费多少？',
    '门店 3 公里内我们自己配送：满 30 元免配送费，不满 30 元收 4 元，一般 30–40 分钟送到；超过 3 公里请在美团或饿了么下单。',
    ['外卖怎么收费', '配送范围多大', '起送价多少', '多久能送到'],
    ['能送到西溪银泰吗，配送费多少', '我在文一路，能送吗', '外卖多久能到', '满多少免配送费'],
  ),
  faq(
    'delivery_platforms',
    4,
    '美团、饿了么上能点吗？',
    '美团外卖和饿了么都能搜到「茶小满·鲜果茶饮（文三路店）」；在这里直接下单走门店自配送，每杯比平台便宜 1–2 元。',
    ['外卖平台能点吗', '美团上叫什么名字'],
    ['美团上能搜到你们吗', '饿了么有店吗', '平台上点和这里点价格一样吗'],
  ),
  faq(
    'order_howto',
    6,
    '怎么在这里下单？',
    '直接把想喝的饮品、杯型、甜度冰度和送达地址（或到店自取时间）发给我就行，我确认后发付款码；也可以点企业微信里的「点单小程序」自助下单。',
    ['怎么点单', '可以在微信上点吗', '能提前点好到店取吗'],
    ['想点两杯杨枝甘露，怎么下单', '可以在这里直接点单吗', '我想下单，送到公司'],
  ),
  faq(
    'size_price',
    5,
    '大杯和中杯差多少钱？',
    '所有饮品都有中杯（500ml）和大杯（700ml），大杯比中杯贵 3 元；比如杨枝甘露中杯 19 元、大杯 22 元。',
    ['有大杯吗', '中杯多大', '有小杯吗'],
    ['大杯多少钱', '中杯和大杯差多少', '大杯有多大'],
  ),
  faq(
    'sweetness',
    9,
    '可以少糖、去冰吗？甜度怎么选？',
    '甜度可以选标准糖、七分糖、五分糖（少糖）、三分糖、不另外加糖；冰度可以选正常冰、少冰、去冰、常温或热饮。水果本身有甜味，不另外加糖也会有果香。',
    ['能做少糖吗', '可以去冰吗', '能做热的吗', '无糖可以吗', '几分糖比较好喝'],
    ['杨枝甘露能做少糖吗', '芋泥波波能三分糖吗', '能做热的吗，天冷了', '去冰的话量会少吗'],
  ),
  faq(
    'sugar_substitute',
    3,
    '有代糖吗？控糖能喝吗？',
    '可以换代糖（赤藓糖醇），不加价；芋泥、黑糖珍珠这类小料本身含糖，换了代糖也做不到完全无糖，控糖的话建议选果茶 + 代糖。',
    ['能用代糖吗', '有无糖的吗'],
    ['控糖期能喝吗', '有没有无糖的', '能换成代糖吗'],
  ),
  faq(
    'caffeine',
    4,
    '哪些饮品有咖啡因？',
    '奶茶和果茶用的是绿茶、乌龙或红茶底，都含咖啡因，燕麦拿铁、生椰拿铁更高；杨枝甘露、黑糖珍珠鲜奶不加茶底、不含咖啡因，其他果茶也可以备注「不加茶底」。',
    ['喝了会失眠吗', '有不含咖啡因的吗', '茶底是什么茶'],
    ['晚上喝会睡不着吗', '哪款不含咖啡因', '满杯红柚有茶吗'],
  ),
  faq(
    'pregnancy',
    3,
    '孕妇能喝吗？',
    '孕期建议选不含咖啡因的杨枝甘露或黑糖珍珠鲜奶，做少糖、常温或热饮；果茶可以备注不加茶底。每天不要喝太多，有妊娠糖尿病等情况请先听医生的建议。',
    ['怀孕了可以喝吗', '哺乳期能喝吗', '孕妇喝哪款好'],
    ['怀孕 5 个月了可以喝吗', '孕妇喝哪款比较好', '哺乳期能喝奶茶吗'],
  ),
  faq(
    'lactose',
    4,
    '乳糖不耐受可以喝吗？能换燕麦奶吗？',
    '奶茶和拿铁都可以把牛奶换成燕麦奶（加 2 元），燕麦奶不含乳糖；果茶本身不含奶（芝芝系列的奶盖除外）。',
    ['能换燕麦奶吗', '有植物奶吗', '可以换椰奶吗'],
    ['我乳糖不耐，能喝奶茶吗', '可以换燕麦奶吗', '喝牛奶会拉肚子，有推荐吗'],
  ),
  faq(
    'allergens',
    3,
    '饮品里有哪些过敏原？',
    '含奶：奶茶、拿铁、芝芝奶盖、芋泥；杨枝甘露含芒果，芝芝莓莓含草莓；目前没有坚果类小料。下单时备注过敏情况，店员会单独清洗器具制作，但店里共用操作台，无法完全避免交叉接触。',
    ['芒果过敏能喝什么', '有花生吗', '过敏的人要注意什么'],
    ['我芒果过敏，哪些不能喝', '有没有含坚果的', '对牛奶过敏能喝什么'],
  ),
  faq(
    'member',
    6,
    '会员怎么办？有什么优惠？',
    '加我们的企业微信就自动成为会员：每周三会员日第二杯半价，生日当月送一杯中杯饮品，消费还能攒积分～',
    ['怎么成为会员', '会员有什么好处', '会员日是哪天', '生日有优惠吗'],
    ['怎么办会员卡', '会员有什么优惠', '会员日是周几'],
  ),
  faq(
    'points',
    4,
    '积分怎么用？',
    '每消费 1 元积 1 分，100 分抵 2 元，500 分可以换一杯任意中杯饮品；积分在点单小程序「我的」里查看，有效期一年。',
    ['积分能换什么', '积分怎么查', '积分会过期吗'],
    ['我的积分怎么查', '积分可以换饮品吗', '积分多久过期'],
  ),
  faq(
    'stored_value',
    4,
    '充值卡有优惠吗？',
    '可以充值：充 100 送 15，充 200 送 40，充 500 送 120；余额店里和自配送外卖都能用，不能提现，余额不退（质量问题除外）。',
    ['充值有活动吗', '储值卡怎么办', '余额能退吗'],
    ['充值有送吗', '储值卡怎么办', '充的钱能退吗'],
  ),
  faq(
    'new_items',
    6,
    '最近有什么新品？',
    '本月新品是桂花乌龙（中杯 16 元），乌龙茶底加桂花冻，清香不腻；还有季节限定的芝芝莓莓和多肉葡萄，水果用完就下架，数量不多～',
    ['有新品吗', '出新款了吗'],
    ['最近有新品吗', '桂花乌龙是新出的吗', '这个月上了什么新款'],
  ),
  faq(
    'recommend',
    6,
    '有什么推荐的？',
    '招牌是满杯红柚和杨枝甘露；喜欢奶味推荐芋泥波波奶茶，想清爽一点可以试试柠檬绿茶或新品桂花乌龙～',
    ['什么最好喝', '招牌是什么', '第一次喝点什么好', '卖得最好的是哪款'],
    ['第一次来喝什么好', '有什么推荐的', '你们家招牌是哪个'],
  ),
  faq(
    'group_order',
    3,
    '公司团购、企业订单有优惠吗？',
    '公司下午茶、开会、团建都可以订：10 杯起送，满 20 杯 9 折、满 50 杯 85 折，3 公里内免费配送；请至少提前 2 小时告诉我们数量、口味和送达时间，杯贴印 logo 需要提前 3 天。',
    ['公司订奶茶有优惠吗', '可以团购吗', '开会要订一批'],
    ['公司下午茶想订 30 杯，有优惠吗', '周五开会要订 20 杯，能送吗', '可以印公司 logo 吗'],
  ),
  faq(
    'invoice',
    2,
    '能开发票吗？',
    '可以开电子普通发票，把抬头、税号和邮箱发给我们，当天开好发到邮箱；企业团购可以开专票，需要 3 个工作日。',
    ['开票', '可以开专票吗', '发票怎么开'],
    ['能开发票吗', '公司报销要开专票', '发票抬头发给谁'],
  ),
  faq(
    'refund_policy',
    3,
    '可以退款吗？退款政策是怎样的？',
    '饮品开始制作前可以随时取消、全额退款；做好后如果有质量问题（做错、漏送、洒漏、有异物），拍照发给我们，核实后重做或全额退款；口味不喜欢这类个人原因做好后就没法退了。退款原路返回，一般 1–3 个工作日到账。',
    ['怎么退款', '不好喝能退吗', '点错了能取消吗'],
    ['点错了能取消吗', '不好喝能退吗', '退款要多久到账'],
  ),
  faq(
    'reservation',
    4,
    '可以提前预订吗？',
    '可以：把取餐时间、饮品和数量发给我们，我们按时间做好，到店报手机尾号直接取，不用排队；10 杯以上请提前 2 小时。',
    ['能提前订吗', '可以预约取餐吗'],
    ['可以提前预订吗', '明天下午三点能提前做好吗', '能预约取餐吗'],
  ),
  faq(
    'own_cup',
    2,
    '自带杯有优惠吗？',
    '自带杯每杯立减 2 元，杯子容量 500ml 以上就行，店员会按杯型帮您称量。',
    ['带自己的杯子可以吗', '环保杯有优惠吗'],
    ['自带杯子有优惠吗', '可以用自己的杯子装吗'],
  ),
  faq(
    'payment',
    3,
    '可以用什么付款？',
    '微信、支付宝、会员余额都可以，店里也收现金；暂时不支持信用卡刷卡。',
    ['能用支付宝吗', '可以刷卡吗', '收现金吗'],
    ['能用支付宝吗', '可以刷信用卡吗', '会员余额能付吗'],
  ),
  faq(
    'toppings',
    4,
    '可以加料吗？',
    '可以加珍珠、椰果、芋圆、脆波波，每份 2 元，奶盖 3 元；一杯最多加 3 份。',
    ['能加珍珠吗', '小料有哪些', '加料多少钱'],
    ['可以加珍珠吗', '加料多少钱', '有什么小料'],
  ),
  faq(
    'fresh_fruit',
    3,
    '果茶用的是鲜果吗？能放多久？',
    '所有果茶都用当天的新鲜水果现切现榨，不用果酱和浓缩汁，口感会随季节有一点差别；做好后建议 2 小时内喝完，不建议放冰箱过夜。',
    ['用的是真水果吗', '放多久能喝', '可以放冰箱吗'],
    ['是真水果吗', '做好了能放多久', '能放冰箱明天喝吗'],
  ),
  faq('student', 2, '学生有优惠吗？', '周一到周五凭学生证到店 9 折；外卖请备注学校名称，店员核对后给优惠。', ['学生证打折吗'], ['学生有优惠吗', '学生证能打折吗']),
];

export interface DemoProduct extends Product {
  /** How often it shows up in demo orders. */
  popularity: number;
  /** Yellow: running low at or under this. */
  lowStockAt: number;
  /** Red: about out at or under this (a third of the yellow mark), so 多肉葡萄 is yellow and 芝芝莓莓 red. */
  redStockAt: number;
}

const product = (sku: string, name: string, priceFen: number, stock: number, lowStockAt: number, popularity: number, attributes: Record<string, unknown>): DemoProduct => ({
  sku,
  name,
  priceFen,
  stock,
  lowStockAt,
  redStockAt: Math.ceil(lowStockAt * 0.3),
  popularity,
  attributes: { ...attributes, sizes: { 中杯: priceFen, 大杯: priceFen + 300 } },
});

/** priceFen is the 中杯 price; 大杯 is 3 元 more (see the size_price FAQ). */
export const DEMO_PRODUCTS: DemoProduct[] = [
  product('hongyou', '满杯红柚', 1800, 80, 10, 10, { category: '鲜果茶', tea: '绿茶', caffeine: true, dairy: false, allergens: [] }),
  product('yangzhi', '杨枝甘露', 1900, 60, 10, 12, { category: '鲜果茶', tea: '无', caffeine: false, dairy: true, allergens: ['芒果', '乳制品'] }),
  product('duorou-putao', '多肉葡萄', 1900, 4, 10, 3, { category: '鲜果茶', tea: '绿茶', caffeine: true, dairy: false, allergens: [], seasonal: true }),
  product('zhizhi-meimei', '芝芝莓莓', 2200, 2, 8, 2, { category: '鲜果茶', tea: '绿茶', caffeine: true, dairy: true, allergens: ['草莓', '乳制品'], seasonal: true }),
  product('baqi-chengzi', '霸气橙子', 1600, 70, 10, 6, { category: '鲜果茶', tea: '绿茶', caffeine: true, dairy: false, allergens: [] }),
  product('ningmeng-lvcha', '柠檬绿茶', 1200, 120, 15, 8, { category: '鲜果茶', tea: '绿茶', caffeine: true, dairy: false, allergens: [] }),
  product('yuni-bobo', '芋泥波波奶茶', 1700, 90, 10, 9, { category: '奶茶', tea: '红茶', caffeine: true, dairy: true, allergens: ['乳制品'] }),
  product('heitang-zhenzhu', '黑糖珍珠鲜奶', 1600, 100, 10, 8, { category: '奶茶', tea: '无', caffeine: false, dairy: true, allergens: ['乳制品'] }),
  product('moli-nailv', '茉莉奶绿', 1400, 100, 10, 6, { category: '奶茶', tea: '茉莉绿茶', caffeine: true, dairy: true, allergens: ['乳制品'] }),
  product('guihua-wulong', '桂花乌龙', 1600, 50, 10, 7, { category: '奶茶', tea: '乌龙', caffeine: true, dairy: true, allergens: ['乳制品'], new: true }),
  product('yanmai-natie', '燕麦拿铁', 1800, 40, 8, 4, { category: '咖啡', tea: '无', caffeine: true, dairy: false, allergens: ['燕麦'] }),
  product('shengye-natie', '生椰拿铁', 1900, 45, 8, 5, { category: '咖啡', tea: '无', caffeine: true, dairy: false, allergens: ['椰子'] }),
  // on the menu, never ordered: the weekly slow-mover list names it (last, and with little stock,
  // so the draws of the other products' baskets and office batches stay as they were)
  product('mocha-hongdou', '抹茶红豆', 1500, 18, 5, 0, { category: '奶茶', tea: '抹茶', caffeine: true, dairy: true, allergens: ['乳制品', '红豆'] }),
];

/** Questions that need a person (ARCHITECTURE §6): the AI hands these off. */
export interface HandoffScenario {
  key: string;
  ask: string;
  staff: string;
  after: string;
  /** 'refund': an order of theirs earlier that day gets refunded; 'recent': one placed minutes before. */
  order?: 'refund' | 'recent';
}

export const HANDOFF_SCENARIOS: HandoffScenario[] = [
  {
    key: 'spilled',
    ask: '刚送到的杨枝甘露洒了一半，袋子里全是，怎么办',
    staff: '您好，我是店长小满，太抱歉了！这单已经给您全额退款，原路退回，1–3 个工作日到账，下次来店里再送您一份小料～',
    after: '好的，谢谢老板',
    order: 'refund',
  },
  {
    key: 'wrong_sugar',
    ask: '我刚才那单备注了少糖，结果特别甜，是不是做错了',
    staff: '抱歉抱歉，是我们做错了！这单已经给您退款，下次来店里报手机尾号再请您喝一杯～',
    after: '行，下次注意哈',
    order: 'refund',
  },
  {
    key: 'change',
    ask: '刚下的单能改成去冰吗？还没做吧',
    staff: '来得及，已经帮您改成去冰了，马上做好～',
    after: '好的谢谢',
    order: 'recent',
  },
  {
    key: 'late',
    ask: '外卖点了快一个小时了还没到，能帮我看看吗',
    staff: '抱歉让您久等了！骑手已经在路上，5 分钟内送到，另外送您一张 3 元无门槛券，下次点单直接用～',
    after: '收到了，谢谢',
  },
  {
    key: 'human',
    ask: '能叫个真人吗？有事想跟老板商量',
    staff: '您好，我是店长小满，请说～',
    after: '我们是隔壁健身房的，想谈谈会员联名活动，资料发你看看',
  },
  {
    key: 'unwell',
    ask: '昨天喝完你们的杨枝甘露，晚上肚子一直不舒服',
    staff: '非常抱歉给您带来不适！现在好些了吗？麻烦把订单截图发我一下，我马上核实处理，有什么费用我们来承担。',
    after: '好些了，截图发你了',
  },
  {
    key: 'complaint',
    ask: '我要投诉，刚才店里的小哥态度很差',
    staff: '真的很抱歉让您有不好的体验，我是店长，正在了解情况，方便说下大概几点到的店吗？我们一定改进。',
    after: '中午十二点多，算了，下次注意吧',
  },
];

export const HANDOFF_REPLIES = [
  '非常抱歉给您添麻烦了🙏 这个需要店长亲自帮您处理，我已经通知店长，请稍等片刻～',
  '收到，这个我马上转给店长处理，请稍等一下哦～',
  '抱歉让您不开心了，我这就请店长来跟您对接，请稍等～',
];
