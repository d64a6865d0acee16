import { merchant } from './fixtures';
import { type MakeStorage, withStorage } from './harness';

export function merchantRepoContract(make: MakeStorage) {
  describe('MerchantRepo', () => {
    const ctx = withStorage(make);
    it('creates, reads, saves and lists; a taken id is a conflict', async () => {
      await ctx.s.merchants.create(merchant('shop-a'));
      await ctx.s.merchants.create(merchant('shop-b'));
      await expect(ctx.s.merchants.create(merchant('shop-a'))).rejects.toMatchObject({ code: 'CONFLICT.MERCHANT_EXISTS' });
      const a = await ctx.s.merchants.get('shop-a');
      expect(a?.name).toBe('店铺shop-a');
      await ctx.s.merchants.save({ ...a!, name: '新名字' });
      expect((await ctx.s.merchants.get('shop-a'))?.name).toBe('新名字');
      expect((await ctx.s.merchants.listAll()).map((m) => m.id).sort()).toEqual(['shop-a', 'shop-b']);
      expect(await ctx.s.merchants.get('nope')).toBeNull();
    });
  });
}

export function memberRepoContract(make: MakeStorage) {
  describe('MemberRepo', () => {
    const ctx = withStorage(make);
    it('scopes members to a merchant and finds one person across shops', async () => {
      const base = { name: '小王', onDuty: true, createdAt: 1 };
      await ctx.s.members.add({ ...base, id: 'm1', merchantId: 'a', openid: 'o-1', role: 'owner' });
      await ctx.s.members.add({ ...base, id: 'm2', merchantId: 'b', openid: 'o-1', role: 'staff' });
      await ctx.s.members.add({ ...base, id: 'm3', merchantId: 'b', openid: 'o-2', role: 'owner' });
      await expect(ctx.s.members.add({ ...base, id: 'm1', merchantId: 'a', role: 'staff' })).rejects.toMatchObject({ code: 'CONFLICT.MEMBER_EXISTS' });
      expect((await ctx.s.members.list('b')).map((m) => m.id)).toEqual(['m2', 'm3']);
      expect(await ctx.s.members.get('a', 'm3')).toBeNull();
      expect((await ctx.s.members.findByOpenid('b', 'o-1'))?.role).toBe('staff');
      expect(await ctx.s.members.findByOpenid('a', 'o-2')).toBeNull();
      expect((await ctx.s.members.listByOpenid('o-1')).map((m) => m.merchantId)).toEqual(['a', 'b']);
      // save replaces one shop's member only, and refuses a member that does not exist
      const m2 = (await ctx.s.members.get('b', 'm2'))!;
      await ctx.s.members.save({ ...m2, onDuty: false, wecomUserId: 'ZhangSan' });
      expect(await ctx.s.members.get('b', 'm2')).toMatchObject({ onDuty: false, wecomUserId: 'ZhangSan', openid: 'o-1' });
      expect((await ctx.s.members.get('a', 'm1'))?.wecomUserId).toBeUndefined();
      await expect(ctx.s.members.save({ ...m2, merchantId: 'a' })).rejects.toMatchObject({ code: 'NOT_FOUND.MEMBER' });
    });

    it("removes one shop's member only, once", async () => {
      const base = { name: '小李', onDuty: true, createdAt: 1, role: 'staff' as const };
      await ctx.s.members.add({ ...base, id: 'm1', merchantId: 'a', openid: 'o-1' });
      await ctx.s.members.add({ ...base, id: 'm1', merchantId: 'b', openid: 'o-1' });
      expect(await ctx.s.members.remove('a', 'm1')).toBe(true);
      expect(await ctx.s.members.remove('a', 'm1')).toBe(false);
      expect(await ctx.s.members.get('a', 'm1')).toBeNull();
      expect(await ctx.s.members.findByOpenid('a', 'o-1')).toBeNull();
      // the same person stays in the other shop
      expect((await ctx.s.members.listByOpenid('o-1')).map((m) => m.merchantId)).toEqual(['b']);
      expect(await ctx.s.members.remove('b', 'nobody')).toBe(false);
    });
  });
}

export function inviteRepoContract(make: MakeStorage) {
  describe('InviteRepo', () => {
    const ctx = withStorage(make);
    it('redeems a code once, never after expiry', async () => {
      await ctx.s.invites.create({ code: 'ABCD2345', merchantId: 'a', role: 'staff', createdAt: 0, expiresAt: 1000 });
      await ctx.s.invites.create({ code: 'EXPIRED2', merchantId: 'a', role: 'owner', createdAt: 0, expiresAt: 10 });
      await expect(ctx.s.invites.create({ code: 'ABCD2345', merchantId: 'b', role: 'owner', createdAt: 0, expiresAt: 1000 })).rejects.toMatchObject({
        code: 'CONFLICT.INVITE_EXISTS',
      });
      const results = await Promise.all([ctx.s.invites.redeem('ABCD2345', 'o-1', 50), ctx.s.invites.redeem('ABCD2345', 'o-2', 50)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(results.find(Boolean)).toMatchObject({ merchantId: 'a', role: 'staff', usedAt: 50 });
      expect(await ctx.s.invites.redeem('EXPIRED2', 'o-3', 50)).toBeNull();
      expect(await ctx.s.invites.redeem('NOSUCH22', 'o-3', 50)).toBeNull();
      expect(await ctx.s.invites.find('ABCD2345')).toMatchObject({ merchantId: 'a', usedAt: 50 });
      expect(await ctx.s.invites.find('EXPIRED2')).toMatchObject({ expiresAt: 10 });
      expect(await ctx.s.invites.find('EXPIRED2')).not.toHaveProperty('usedAt');
      expect(await ctx.s.invites.find('NOSUCH22')).toBeNull();
      expect((await ctx.s.invites.list('a')).length).toBe(2);
      expect(await ctx.s.invites.list('b')).toEqual([]);
    });
  });
}

export function storeRepoContract(make: MakeStorage) {
  describe('StoreRepo', () => {
    const ctx = withStorage(make);
    it('upserts and lists per merchant', async () => {
      await ctx.s.stores.upsert({ id: 's1', merchantId: 'a', name: '一店', address: '', createdAt: 1 });
      await ctx.s.stores.upsert({ id: 's1', merchantId: 'a', name: '一号店', address: '', createdAt: 1 });
      await ctx.s.stores.upsert({ id: 's1', merchantId: 'b', name: '别人的店', address: '', createdAt: 1 });
      expect((await ctx.s.stores.list('a')).map((s) => s.name)).toEqual(['一号店']);
    });
  });
}
