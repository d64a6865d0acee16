import type { ManualClock } from '../../domain/time';
import type { Customer } from '../../domain/customer';
import type { Deps } from '../../ports/deps';
import { testDeps } from '../../../../test/helpers/deps';
import { readCorpTags, sourceFromState } from './contact-events';
import { processInboxEntry } from './inbox';
import { SHOP, VECTOR_A, setupHarness, type Harness } from '../../testing/wecom-harness';

let deps: Deps & { clock: ManualClock };
let h: Harness;
let tagged: Customer[];

beforeEach(async () => {
  deps = testDeps();
  tagged = [];
  h = await setupHarness(deps, { tagRules: async (_ctx, c) => void tagged.push(c) });
  h.fake.contacts.set('wmCUST1', {
    external_contact: { external_userid: 'wmCUST1', name: '王小明', avatar: 'https://wework.qpic.cn/a.png', type: 1 },
    follow_user: [
      { userid: 'other', remark: '', createtime: 1 },
      { userid: 'zhangsan', remark: '王哥', createtime: 1, remark_mobiles: ['13800001111'], state: 'table-qr' },
    ],
  });
});
afterEach(() => deps.storage.close());

const contactEvent = (changeType: string, extra: Record<string, string | number> = {}) =>
  h.callback({
    ToUserName: VECTOR_A.corpId,
    FromUserName: 'sys',
    CreateTime: Math.floor(deps.clock.now() / 1000),
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: changeType,
    UserID: 'zhangsan',
    ExternalUserID: 'wmCUST1',
    ...extra,
  });

describe('客户联系 events', () => {
  it('add_external_contact: welcome first, then the customer, source, tag rules, one new customer', async () => {
    const entry = await contactEvent('add_external_contact', { State: 'table-qr', WelcomeCode: 'WC1' });
    const r = await processInboxEntry(h.ctx, entry);
    expect(r).toMatchObject({ status: 'processed', result: { status: 'handled', detail: { welcome: 'sent' } } });
    const apis = h.fake.calls.map((c) => c.api);
    expect(apis.indexOf('externalcontact/send_welcome_msg')).toBe(0);
    expect(apis.indexOf('externalcontact/get')).toBeGreaterThan(0);
    expect(h.fake.calls[0].req).toMatchObject({ welcome_code: 'WC1', text: { content: expect.stringContaining('茶小满') } });
    const c = await deps.storage.customers.get(SHOP, 'wmCUST1');
    expect(c).toMatchObject({ name: '王哥', phone: '13800001111', followUserId: 'zhangsan', source: 'qr', sourceState: 'table-qr', lost: false });
    expect(tagged.map((t) => t.externalUserId)).toEqual(['wmCUST1']);
    expect(await h.counters()).toMatchObject({ newCustomers: 1 });
    // processing the same entry again (or WeCom's retry) welcomes no one twice
    await processInboxEntry(h.ctx, { ...entry, status: 'pending' });
    expect(h.fake.callsTo('externalcontact/send_welcome_msg', false)).toHaveLength(1);
    expect(await h.counters()).toMatchObject({ newCustomers: 1 });
  });

  it('41051 (someone else welcomed first) is fine', async () => {
    h.fake.usedWelcomeCodes.add('WC2');
    const r = await processInboxEntry(h.ctx, await contactEvent('add_external_contact', { WelcomeCode: 'WC2' }));
    expect(r).toMatchObject({ status: 'processed', result: { detail: { welcome: 'already_used' } } });
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ name: '王哥', source: 'qr', sourceState: 'table-qr' }); // State from follow_user
    expect(await h.counters()).toMatchObject({ newCustomers: 1 });
  });

  it('without a WelcomeCode nobody is welcomed, the customer still arrives', async () => {
    await processInboxEntry(h.ctx, await contactEvent('add_external_contact', { State: 'campaign-1111' }));
    expect(h.fake.callsTo('externalcontact/send_welcome_msg', false)).toHaveLength(0);
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ source: 'campaign', sourceState: 'campaign-1111' });
  });

  it('a failing externalcontact/get still welcomes and keeps the customer', async () => {
    h.fake.failNext('externalcontact/get', 60020);
    const r = await processInboxEntry(h.ctx, await contactEvent('add_external_contact', { WelcomeCode: 'WC3' }));
    expect(r).toMatchObject({ status: 'processed', result: { detail: { welcome: 'sent', contactError: expect.stringContaining('60020') } } });
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ externalUserId: 'wmCUST1', followUserId: 'zhangsan' });
  });

  it('del_follow_user: the customer is lost, counted once', async () => {
    await processInboxEntry(h.ctx, await contactEvent('add_external_contact'));
    deps.clock.advance(60_000);
    await processInboxEntry(h.ctx, await contactEvent('del_follow_user'));
    deps.clock.advance(60_000);
    await processInboxEntry(h.ctx, await contactEvent('del_external_contact'));
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ lost: true, name: '王哥' });
    expect(await h.counters()).toMatchObject({ newCustomers: 1, lostCustomers: 1 });
    // they come back: a new customer again
    deps.clock.advance(60_000);
    await processInboxEntry(h.ctx, await contactEvent('add_external_contact'));
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ lost: false });
    expect(await h.counters()).toMatchObject({ newCustomers: 2, lostCustomers: 1 });
  });

  it('del_external_contact by 在职继承 is not a loss', async () => {
    await processInboxEntry(h.ctx, await contactEvent('add_external_contact'));
    const r = await processInboxEntry(h.ctx, await contactEvent('del_external_contact', { Source: 'DELETE_BY_TRANSFER' }));
    expect(r).toMatchObject({ status: 'processed', result: { status: 'ignored' } });
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ lost: false });
  });

  it('edit_external_contact refreshes the customer', async () => {
    await processInboxEntry(h.ctx, await contactEvent('add_external_contact'));
    h.fake.contacts.get('wmCUST1')!.follow_user[1].remark = '王总';
    deps.clock.advance(60_000);
    await processInboxEntry(h.ctx, await contactEvent('edit_external_contact'));
    expect(await deps.storage.customers.get(SHOP, 'wmCUST1')).toMatchObject({ name: '王总' });
    expect(await h.counters()).toMatchObject({ newCustomers: 1 });
  });

  it('change_external_tag resyncs the corp tag list', async () => {
    h.fake.corpTags = [{ group_id: 'g1', group_name: '口味', tag: [{ id: 't1', name: '少糖' }] }];
    const r = await processInboxEntry(
      h.ctx,
      await h.callback({
        ToUserName: VECTOR_A.corpId,
        FromUserName: 'sys',
        CreateTime: 1,
        MsgType: 'event',
        Event: 'change_external_tag',
        ChangeType: 'create',
        Id: 't1',
        TagType: 'tag',
      }),
    );
    expect(r.status).toBe('processed');
    expect(h.fake.callsTo('externalcontact/get_corp_tag_list')).toHaveLength(1);
    expect((await readCorpTags(h.ctx, SHOP))!.tag_group).toEqual(h.fake.corpTags);
  });

  it('transfer_fail is recorded for the owner', async () => {
    await processInboxEntry(h.ctx, await contactEvent('transfer_fail', { FailReason: 'customer_refused' }));
    const audit = await deps.storage.audit.list(SHOP, 10);
    expect(audit.find((a) => a.action === 'customer.transfer_fail')).toMatchObject({ target: 'wmCUST1', detail: { userId: 'zhangsan', failReason: 'customer_refused' } });
  });

  it('maps State to a source', () => {
    expect(sourceFromState(undefined)).toBe('other');
    expect(sourceFromState('table-qr')).toBe('qr');
    expect(sourceFromState('campaign_1111')).toBe('campaign');
    expect(sourceFromState('ref-u123')).toBe('referral');
    expect(sourceFromState('counter-card')).toBe('contact_way');
  });
});
