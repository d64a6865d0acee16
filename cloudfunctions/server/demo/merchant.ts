import type { AppError } from '@xiaoer/shared/domain/errors';
import type { Merchant } from '@xiaoer/shared/domain/merchant';
import type { Deps } from '@xiaoer/shared/ports/deps';
import { createMerchant } from '@xiaoer/shared/usecases/shop/merchants';
import { ensureLocalMember } from '@xiaoer/shared/usecases/shop/members';
import { DEMO_ALERTS } from './alerts';
import { DEMO_HOURS, DEMO_MERCHANT_ID, DEMO_PERSONA, DEMO_SHOP, DEMO_WECOM } from './catalog';

/**
 * Creates the demo merchant with its (fake) WeCom connection. The seed's last write: "merchant
 * exists" means "seed complete". False when another seeder finished first with the same rows.
 */
export async function createDemoMerchant(deps: Deps): Promise<boolean> {
  try {
    await createMerchant(deps, {
      id: DEMO_MERCHANT_ID,
      name: DEMO_SHOP.name,
      industry: DEMO_SHOP.industry,
      timezone: DEMO_SHOP.timezone,
      corpId: DEMO_WECOM.corpId,
      token: DEMO_WECOM.token,
      aesKey: DEMO_WECOM.aesKey,
      kfSecret: DEMO_WECOM.kfSecret,
      appSecret: DEMO_WECOM.appSecret,
      contactSecret: DEMO_WECOM.contactSecret,
      agentId: DEMO_WECOM.agentId,
    });
    return true;
  } catch (err) {
    if ((err as AppError).code !== 'CONFLICT.MERCHANT_EXISTS') throw err;
    return false;
  }
}

/** What createMerchant can't set (hours, persona, 提醒设置) and the owner; no writes when already done. */
export async function finishMerchant(deps: Deps, merchant: Merchant): Promise<void> {
  if (!merchant.businessHours && !merchant.aiPersona) {
    await deps.storage.merchants.save({ ...merchant, businessHours: DEMO_HOURS, aiPersona: DEMO_PERSONA, alerts: { ...DEMO_ALERTS, ...merchant.alerts } });
  }
  const owner = await ensureLocalMember(deps, DEMO_MERCHANT_ID, 'owner');
  if (!owner.wecomUserId) await deps.storage.members.save({ ...owner, wecomUserId: DEMO_WECOM.ownerUserId });
  // the other member the demo's 客户联系 customers belong to (people.ts STAFF_WECOM_USERIDS): a plan has two senders
  if (!(await deps.storage.members.get(DEMO_MERCHANT_ID, DEMO_STAFF.id))) {
    await deps.storage.members.add({ ...DEMO_STAFF, merchantId: DEMO_MERCHANT_ID, role: 'staff', onDuty: true, createdAt: deps.clock.now() });
  }
}

/** 张宇, a member who works in WeCom only (no app login: the openid is not a WeChat one). */
const DEMO_STAFF = { id: 'demo-zhangyu', openid: 'demo:ZhangYu', name: '张宇', wecomUserId: 'ZhangYu' };
