import type { Report } from '../../domain/report';
import { testDeps } from '../../../../test/helpers/deps';
import { channelStatesOf, saveChannelStates } from './channel-states';

const base: Report = {
  merchantId: 'shop-a',
  kind: 'daily',
  date: '2026-11-22',
  numbers: {},
  details: {},
  text: '日报',
  builtAt: 1,
  push: { state: 'pending', to: [], attempts: 0 },
  rev: 1,
};

describe('the robot and subscribe outcomes on a stored report', () => {
  it('are kept beside the app push, robot first, and a later outcome replaces an earlier one', async () => {
    const deps = testDeps();
    await deps.storage.reports.put(base, null);
    const first = await saveChannelStates(deps, base, [
      { channel: 'subscribe', state: 'skipped', reason: 'no_credit', detail: '订阅次数用完了' },
      { channel: 'robot', state: 'failed', reason: 'network', detail: '连不上群机器人' },
      { channel: 'app', state: 'sent', detail: '应用消息' },
    ]);
    const stored = (await deps.storage.reports.get('shop-a', 'daily', '2026-11-22'))!;
    expect(stored.rev).toBe(2);
    expect(channelStatesOf(stored).map((c) => [c.channel, c.state, c.reason])).toEqual([
      ['robot', 'failed', 'network'],
      ['subscribe', 'skipped', 'no_credit'],
    ]);
    await saveChannelStates(deps, first, [{ channel: 'robot', state: 'sent', detail: '已发到群里' }]);
    const again = (await deps.storage.reports.get('shop-a', 'daily', '2026-11-22'))!;
    expect(again.channelPushes).toMatchObject({ robot: { state: 'sent' }, subscribe: { state: 'skipped' } });
    expect(again.push).toEqual(base.push);
    await deps.storage.close();
  });

  it('leave the report alone when no other channel was used, and never fail the push on a lost write', async () => {
    const deps = testDeps();
    await deps.storage.reports.put(base, null);
    expect(await saveChannelStates(deps, base, [])).toBe(base);
    await deps.storage.reports.put({ ...base, text: '别人改过', rev: 2 }, 1);
    const out = await saveChannelStates(deps, base, [{ channel: 'robot', state: 'sent', detail: '已发到群里' }]);
    expect(out).toMatchObject({ text: '别人改过', rev: 2 });
    await deps.storage.close();
  });
});
