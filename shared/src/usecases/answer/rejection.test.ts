import type { Message } from '../../domain/conversation';
import { findRejections, isRejection, rejectedAnswer } from './rejection';

const base = { merchantId: 'm1', conversationId: 'c1' };
let at = 0;
const customer = (text: string, id = `kf_${++at}`): Message => ({ ...base, id, sender: 'customer', at: ++at, type: 'text', text });
const answer = (id: string, ids = ['hours'], extra: Partial<Message> = {}): Message =>
  ({
    ...base,
    id: `${id}_00`,
    sender: 'ai',
    at: ++at,
    type: 'text',
    text: '每天十点开门',
    delivery: 'sent',
    answer: { knowledgeIds: ids, confidence: 0.8, handoff: false },
    ...extra,
  }) as Message;

describe('isRejection', () => {
  it.each([
    '不是，我是问你们店招不招人',
    '不对',
    '不对不对，我问的是停车',
    '没问这个',
    '你这答非所问啊',
    '我不是问这个，我问能不能带狗',
    '我问的不是营业时间',
    '错了，我是说外卖',
    '牛头不对马嘴',
  ])('rejects: %s', (t) => expect(isRejection(t)).toBe(true));
  it.each(['不是说好的十点送到吗', '不是很好喝', '不是吧', '几点开门', '对的', '不对劲，喝了肚子疼', '是不是要排队', '好的谢谢', '不是所有的都能退吗'])(
    'does not reject: %s',
    (t) => expect(isRejection(t)).toBe(false),
  );
});

describe('findRejections / rejectedAnswer', () => {
  it('finds the customer’s first message after an answer when it rejects it, and only then', () => {
    const a1 = answer('out_a');
    const clarify = { ...answer('out_b', []), answer: { knowledgeIds: [], confidence: 0.2, handoff: false } } as Message;
    const r1 = customer('不是，我是问招不招人');
    const thread = [customer('你们招牌是什么'), a1, r1, clarify, customer('不对'), answer('out_c'), customer('谢谢'), customer('不是，我是问停车')];
    expect(findRejections(thread)).toEqual([{ answer: a1, rejection: r1 }]);
    // the live path asks about the message it is answering, against the thread before it
    expect(rejectedAnswer(thread.slice(0, 2), r1.type === 'text' ? r1.text : '')).toBe(a1);
    expect(rejectedAnswer(thread.slice(0, 4), '不对')).toBeUndefined(); // after a clarifying question
    expect(rejectedAnswer(thread.slice(0, 2), '几点关门')).toBeUndefined();
  });

  it('a staff message in between, or a handoff notice, is not an answer to reject', () => {
    const staff: Message = { ...base, id: 's1', sender: 'staff', at: ++at, type: 'text', text: '您好' };
    const handoff = { ...answer('out_h', []), answer: { knowledgeIds: [], confidence: 1, handoff: true } } as Message;
    expect(findRejections([answer('out_x'), staff, customer('不是')])).toEqual([]);
    expect(findRejections([handoff, customer('不是')])).toEqual([]);
  });

  it('a multi-part answer is one answer: its later parts do not close it', () => {
    const first = answer('out_m');
    const second: Message = { ...base, id: 'out_m_01', sender: 'ai', at: ++at, type: 'text', text: '第二段', delivery: 'sent' };
    const r = customer('不是这个意思');
    expect(findRejections([first, second, r])).toEqual([{ answer: first, rejection: r }]);
    expect(rejectedAnswer([first, second], '不是这个意思')).toBe(first);
  });
});
