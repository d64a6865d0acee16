import type { Deps } from '../../ports/deps';
import type { ManualClock } from '../../domain/time';
import { testDeps } from '../../../../test/helpers/deps';
import { createMerchant } from '../shop/merchants';
import { updateAlertSettings } from './settings';

const SHOP = 'alert-settings-shop';
const CORP = { corpId: 'wx5823bf96d3bd56c7', token: 'QDG6eK', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };
let deps: Deps & { clock: ManualClock };

beforeEach(async () => {
  deps = testDeps();
  await createMerchant(deps, { id: SHOP, name: '阿香奶茶', ...CORP });
});
afterEach(() => deps.storage.close());

describe('提醒设置 (updateAlertSettings)', () => {
  it('reads the settings without rewriting the shop when no field is given (the app’s 报表和提醒 card reads this way)', async () => {
    const before = (await deps.storage.merchants.get(SHOP))!;
    deps.clock.advance(60_000);
    expect(await updateAlertSettings(deps, SHOP, {})).toEqual({ unfulfilledHours: 24, stock: true });
    expect(await deps.storage.merchants.get(SHOP)).toEqual(before);
  });

  it('changes the fields given and keeps the rest; null turns big-order alerts off', async () => {
    expect(await updateAlertSettings(deps, SHOP, { bigOrderFen: 50_000, unfulfilledHours: 6 })).toEqual({ bigOrderFen: 50_000, unfulfilledHours: 6, stock: true });
    expect(await updateAlertSettings(deps, SHOP, { stock: false })).toEqual({ bigOrderFen: 50_000, unfulfilledHours: 6, stock: false });
    expect(await updateAlertSettings(deps, SHOP, { bigOrderFen: null })).toEqual({ unfulfilledHours: 6, stock: false });
    expect(await updateAlertSettings(deps, SHOP, {})).toEqual({ unfulfilledHours: 6, stock: false });
  });
});
