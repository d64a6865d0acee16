/** Name material for the demo customers: WeChat nicknames, real names and office buyers. */

export const NICKNAMES = [
  '小鹿乱撞', 'Momo', '橙子🍊', '阿杰', '一只喵', 'Lily', '向日葵', '奶茶续命中', '晴天', '木子',
  'Cici', '阿May', '小熊软糖', '柠檬不萌', '七七', '大白', 'Sunny', '芒果味的夏天', '西瓜太郎', '糖糖',
  '安静的美男子', '快乐星球', 'Kiki', '叶子', '星河', '不吃香菜', '早睡早起', '小确幸', '阿狸', 'Yuki',
  '莫妮卡', '清风徐来', '小太阳☀️', '甜甜圈', '猫猫头', '乐乐妈', '豆豆爸', '三月', '夏至', 'Amber',
  '果果', '橘子汽水', '桃桃乌龙', '咸鱼翻身', '知足常乐', 'Jason', 'Coco', '阿飞', '小周周', '南风',
  '一颗草莓🍓', '布丁', 'Vivian', 'Tony', '加油鸭', '微微一笑', '拾光', '鹿鸣', '春眠不觉晓', '蜗牛慢慢爬',
  '大鹏', '小新', '皮卡丘', 'Ethan', 'Grace', '阿琳', '若水', '枫叶', '小雨点', '奶盖控',
  '暴躁小猪', '一米阳光', '红豆', '花卷', 'Nina', '阿凯', '嘉嘉', '小陈同学', '小林同学', '考研加油',
  '图书馆钉子户', '不想上班', '打工人', '周末愉快', '风一样的女子', '睿睿妈妈', '晨曦', 'Peter', '海绵宝宝', '吃货一枚',
];

export const SURNAMES = [
  '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡',
  '郭', '何', '林', '罗', '高', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹',
];

export const GIVEN_NAMES = [
  '雨涵', '子轩', '欣怡', '浩然', '梓萱', '一诺', '思远', '佳琪', '俊杰', '诗涵',
  '宇航', '雅婷', '晨阳', '嘉怡', '志强', '慧敏', '文博', '若曦', '天宇', '静怡',
  '明轩', '可欣', '建国', '丽娟', '海燕', '伟', '敏', '磊', '婷', '洋',
  '杰', '芳', '军', '倩', '涛', '颖', '鑫', '娜', '超', '琳',
];

/** Office managers who order for their teams (tagged 企业团购). */
export const CORPORATE_NAMES = [
  '林雯｜云栖科技行政',
  '陈晓-蓝鲸教育',
  '赵敏·恒信律所',
  '孙佳（阿拉丁设计）',
  '黄蕾-悦动健身',
  '吴昊@极光网络',
  '郑婷·文三路口腔',
];

export const PHONE_PREFIXES = ['130', '131', '132', '135', '136', '137', '138', '139', '150', '151', '152', '155', '156', '158', '159', '180', '181', '182', '186', '187', '188', '189'];

export const STAFF_WECOM_USERIDS = ['XiaoMan', 'ZhangYu'];

export const SOURCE_STATES = {
  contact_way: ['counter-card', 'cup-sleeve', 'receipt'],
  qr: ['table-qr', 'poster-door', 'takeaway-bag'],
  campaign: ['1111-second-half', 'member-wednesday', 'student-week'],
} as const;

export const ASK_PREFIXES = ['', '', '', '', '你好，', '在吗？', '老板，', '请问', '亲，', '哈喽，'];
export const REPLY_OPENERS = ['', '', '', '亲，', '您好～', '在的～'];
export const REPLY_CLOSERS = ['', '', '', '', ' 还有其他问题随时问我哦～', ' 😊'];
export const THANKS = ['好的谢谢', '好嘞，谢谢～', '明白了，谢谢', 'OK 谢谢', '收到👌'];
export const THANKS_REPLIES = ['不客气～欢迎随时来喝茶 🧋', '不客气呀，祝您今天开心～', '应该的～有需要随时找我'];
