import type { InboxEntry } from '../../domain/inbox';
import { dispatch, on, parseCallback, routeKey, type RouteTable } from './events';
import { parseFlatXml, xmlOf } from '../../testing/wecom-harness';

const entry = { merchantId: 'shop-a', dedupeKey: 'k' } as InboxEntry;

describe('callback parsing', () => {
  it('reads a kf_msg_or_event', () => {
    const raw = parseFlatXml(
      '<xml><ToUserName><![CDATA[ww12345678910]]></ToUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR]]></Token><OpenKfId><![CDATA[wkxxxxxxx]]></OpenKfId></xml>',
    );
    expect(parseCallback(raw)).toEqual({
      kind: 'kf_msg_or_event',
      msgType: 'event',
      event: 'kf_msg_or_event',
      changeType: '',
      corpId: 'ww12345678910',
      createTime: 1348831860_000,
      token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR',
      openKfId: 'wkxxxxxxx',
    });
  });

  it('reads the documented add_external_contact example', () => {
    const raw = parseFlatXml(
      '<xml><ToUserName><![CDATA[toUser]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[add_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mAAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode></xml>',
    );
    expect(parseCallback(raw)).toMatchObject({
      kind: 'external_contact',
      changeType: 'add_external_contact',
      userId: 'zhangsan',
      externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mAAAA',
      state: 'teststate',
      welcomeCode: 'WELCOMECODE',
      createTime: 1403610513_000,
    });
  });

  it('keeps anything else as `other`, never throwing', () => {
    expect(parseCallback({ MsgType: 'text', Content: 'hi', MsgId: '1234567890123456789', Nested: { Item: ['a'] } })).toMatchObject({
      kind: 'other',
      msgType: 'text',
      fields: { MsgType: 'text', Content: 'hi', MsgId: '1234567890123456789' },
    });
    expect(parseCallback({})).toMatchObject({ kind: 'other', msgType: '', createTime: 0 });
    expect(parseCallback(parseFlatXml(xmlOf({ MsgType: 'event', Event: 'change_external_contact', ChangeType: 'brand_new_thing' })))).toMatchObject({ kind: 'other' });
  });
});

describe('table dispatch', () => {
  const calls: string[] = [];
  const table: RouteTable<null> = {
    [routeKey('event', 'change_external_contact', 'del_follow_user')]: on('external_contact', async (_c, _m, ev) => {
      calls.push(`lost ${ev.externalUserId}`);
      return { status: 'handled' };
    }),
    [routeKey('event', 'change_external_tag', '*')]: on('external_tag', async (_c, _m, ev) => {
      calls.push(`tag ${ev.changeType}`);
      return { status: 'handled' };
    }),
  };

  it('routes exact keys and the * row; unknown combinations are ignored', async () => {
    const lost = parseCallback({ MsgType: 'event', Event: 'change_external_contact', ChangeType: 'del_follow_user', ExternalUserID: 'wm1' });
    const tag = parseCallback({ MsgType: 'event', Event: 'change_external_tag', ChangeType: 'shuffle', Id: 'g' });
    const chat = parseCallback({ MsgType: 'event', Event: 'change_external_chat', ChangeType: 'create', ChatId: 'c' });
    const add = parseCallback({ MsgType: 'event', Event: 'change_external_contact', ChangeType: 'add_external_contact' });
    expect(await dispatch(table, null, 'shop-a', lost, entry)).toEqual({ status: 'handled' });
    expect(await dispatch(table, null, 'shop-a', tag, entry)).toEqual({ status: 'handled' });
    expect(await dispatch(table, null, 'shop-a', chat, entry)).toEqual({ status: 'ignored', reason: 'no handler for event|change_external_chat|create' });
    expect(await dispatch(table, null, 'shop-a', add, entry)).toMatchObject({ status: 'ignored' });
    expect(calls).toEqual(['lost wm1', 'tag shuffle']);
  });
});
