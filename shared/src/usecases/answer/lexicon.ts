/**
 * The shipped colloquial synonym lexicon (stack-notes §5: a synonym table is what lifts lexical
 * retrieval on paraphrases). Each group is one concept for small shops; a text containing any
 * of its terms (substring, after normalization) or matching any pattern gets the concept token
 * `@tag`, both when a FAQ is indexed and when a customer asks. Data only: extend freely.
 */
import { normalize } from './tokenize';

export type LexiconGroup = { tag: string; terms: string[]; patterns?: string[] };

export const LEXICON: LexiconGroup[] = [
  { tag: 'hours', terms: ['营业时间', '营业', '开门', '关门', '打烊', '几点', '开到', '还开着', '还开吗', '开着吗', '上班时间', '下班', '休息', '歇业', '放假', '过年'], patterns: ['(几点|点半|\\d点|[一二三四五六七八九十两]点|早上|晚上|中午|半夜).{0,3}(还能|还开|还在|能买|能来|能去|开门|关门|开着|营业)'] },
  { tag: 'clock', terms: ['几点', '点半', '早上', '晚上', '上午', '下午', '中午', '凌晨', '半夜'], patterns: ['\\d{1,2}[:：]\\d{2}', '\\d{1,2}点', '[一二三四五六七八九十两]{1,3}点'] },
  { tag: 'price', terms: ['多少钱', '价格', '价位', '什么价', '啥价', '几块', '多钱', '收费', '费用', '贵不贵', '贵吗', '价钱', '报价', '怎么卖', '咋卖', '大概多少'] },
  { tag: 'discount', terms: ['便宜', '优惠', '打折', '折扣', '特价', '划算', '减价', '促销', '活动', '满减', '几折', '折', '让利', '实惠'] },
  { tag: 'invoice', terms: ['发票', '开票', '票', '报销', '税号', '抬头'] },
  { tag: 'human', terms: ['人工', '真人', '客服', '活人', '老板', '店长', '负责人'] },
  { tag: 'delivery', terms: ['送货', '配送', '送到', '送上门', '上门', '外卖', '跑腿', '送吗', '能送', '送过来', '送家', '到家', '送不', '送一下', '闪送', '运费', '配送费'] },
  { tag: 'range', terms: ['公里', '距离', '范围', '多远', '远', '附近', '周边', '隔壁'] },
  { tag: 'address', terms: ['地址', '在哪', '哪里', '位置', '怎么走', '导航', '定位', '地图', '怎么去', '店在', '门店', '哪条路', '坐车', '公交', '地铁'] },
  { tag: 'pay', terms: ['付款', '支付', '付钱', '微信', '支付宝', '刷卡', '现金', '扫码', '花呗', '信用卡', '转账', '买单', '结账'] },
  { tag: 'member', terms: ['会员', '办卡', '充值', '储值', '会员卡', 'vip', '充钱', '开卡', '会员日'] },
  { tag: 'points', terms: ['积分', '攒的分', '分怎么用', '抵现', '抵钱', '兑换', '攒分', '积的分', '分能'] },
  { tag: 'book', terms: ['预约', '预订', '预定', '提前订', '约个', '约一下', '怎么约', '订一个', '订个', '订做', '定做', '定制', '下单', '订购', '怎么订', '要订', '能订'] },
  { tag: 'pickup_self', terms: ['取货', '自提', '去店里拿', '到店取', '自取', '来拿', '去拿', '店里拿', '到店'] },
  { tag: 'allergy', terms: ['过敏', '忌口', '不能吃', '过敏原', '成分', '配料', '添加剂'] },
  { tag: 'nut', terms: ['坚果', '杏仁', '花生', '核桃', '腰果', '榛子', '开心果', '碧根果'] },
  { tag: 'sugar', terms: ['糖尿病', '血糖', '控糖', '无糖', '低糖', '降糖', '升糖', '不加糖', '无蔗糖', '少糖', '三高'] },
  { tag: 'diet', terms: ['减肥', '减脂', '低卡', '热量', '卡路里', '健身', '素食', '吃素'] },
  { tag: 'baby', terms: ['宝宝', '婴儿', '孩子', '小孩', '儿童', '辅食', '幼儿', '小朋友'], patterns: ['[0-9一二三四五六七八九十两]+个月', '[0-9一两]岁以内'] },
  { tag: 'pregnant', terms: ['孕妇', '怀孕', '孕期', '哺乳', '坐月子', '产妇'] },
  { tag: 'shelf', terms: ['保质期', '放几天', '能放', '放多久', '隔夜', '过期', '还能吃', '能吃几天', '存放', '当天吃完', '明天吃', '放到明天'] },
  { tag: 'storage', terms: ['冰箱', '冷藏', '冷冻', '常温', '保存', '储存', '放外面', '怎么放', '存放'] },
  { tag: 'duration', terms: ['多久', '多长时间', '要多久', '几个小时', '等多久', '几小时', '多少时间', '多快'] },
  { tag: 'gift', terms: ['礼盒', '果篮', '送礼', '礼品', '包装', '探病', '看望', '探望', '伴手礼', '送人', '礼物', '贺卡', '花篮'] },
  { tag: 'taste', terms: ['甜', '酸', '好吃', '口感', '味道', '试吃', '尝', '涩', '脆'] },
  { tag: 'origin', terms: ['产地', '哪里产', '进口', '国产', '原产', '哪产', '哪里来', '产的'] },
  { tag: 'bulk', terms: ['批量', '大量', '团购', '公司', '单位', '团建', '采购', '大单', '整箱', '下午茶', '年会', '员工'], patterns: ['\\d{2,}份', '[几十百千]+份', '[一二三四五六七八九十两]+千块', '\\d{3,}元'] },
  { tag: 'tableware', terms: ['餐具', '叉子', '盘子', '刀叉', '勺子', '蜡烛', '纸盘'] },
  { tag: 'quality', terms: ['坏果', '烂的', '坏的', '不新鲜', '包赔', '退换', '换货', '售后', '烂了', '坏了', '变质', '质量问题', '损坏'] },
  { tag: 'groom', terms: ['洗澡', '洗护', '美容', '剪毛', '修毛', '造型', '洗个澡', '剃毛', '洗一次', '美毛'] },
  { tag: 'board', terms: ['寄养', '托管', '放你们那', '放你们店', '寄放', '代养', '出去玩', '出远门', '出差', '旅游', '回老家', '帮忙照顾', '帮忙养'] },
  { tag: 'vaccine', terms: ['疫苗', '打针', '一针', '打了针', '免疫', '狂犬'] },
  { tag: 'food_switch', terms: ['换粮', '换牌子', '换个牌子', '换口粮', '转粮', '换狗粮', '换猫粮'] },
  { tag: 'nail', terms: ['指甲', '爪子', '剪爪', '修爪', '肛门腺'] },
  { tag: 'timid', terms: ['怕生', '胆小', '应激', '哈气', '凶', '咬人', '怕人', '见生人', '认生', '挠人', '抓人'] },
  { tag: 'flea', terms: ['跳蚤', '蜱虫', '驱虫', '虱子', '体外', '螨虫', '长虫'] },
  { tag: 'old', terms: ['老年', '年纪大', '老狗', '老猫', '高龄', '老了', '岁数大'], patterns: ['[十1][0-9一二三四五六七八九]?岁'] },
  { tag: 'pickup_pet', terms: ['来接', '接送', '上门接', '接走', '接狗', '接猫', '送回', '没车'] },
  { tag: 'size', terms: ['胖', '大码', '加大', '大号', '尺码', '码数', '加肥', '偏小', '偏大'] },
  { tag: 'genuine', terms: ['假货', '正品', '真的假的', '行货', '正版', '山寨', '高仿'] },
  { tag: 'ship', terms: ['物流', '快递', '发货', '包邮', '邮费', '寄'] },
  { tag: 'contact', terms: ['电话', '联系方式', '手机号', '微信号', '怎么联系'] },
  { tag: 'parking', terms: ['停车', '车位', '停哪'] },
  { tag: 'cut', terms: ['切', '切好', '切块', '果切', '去皮', '削皮'] },
];

type Compiled = { tag: string; terms: string[]; res: RegExp[] };
const compiled: Compiled[] = LEXICON.map((g) => ({ tag: `@${g.tag}`, terms: g.terms.map(normalize), res: (g.patterns ?? []).map((p) => new RegExp(p)) }));

/** Concept tokens (`@tag`) for every lexicon group the text mentions. */
export function concepts(text: string): string[] {
  const t = normalize(text);
  const out: string[] = [];
  for (const g of compiled) {
    if (g.terms.some((w) => t.includes(w)) || g.res.some((r) => r.test(t))) out.push(g.tag);
  }
  return out;
}
