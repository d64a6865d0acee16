import type { StoredFaq } from '../../domain/knowledge';
import { createKbIndexCache, type KbSource } from './kb-index';

const faq = (id: string, question: string, answer: string): StoredFaq => ({ id, merchantId: 'm1', question, answer, alternatives: [], enabled: true, updatedAt: 1 });
const HOURS = faq('hours', '你们几点开门？', '每天早上九点开门，晚上九点关门。');
const PARKING = faq('parking', '附近好停车吗？', '门口有免费停车位。');

/** A knowledge repository in memory that counts its reads and can hold a listing until released. */
function source(initial: StoredFaq[]) {
  let faqs = initial;
  let version = 1;
  let hold: Promise<void> | undefined;
  const s = {
    lists: 0,
    set(next: StoredFaq[]) {
      faqs = next;
      version++;
    },
    holdNextList() {
      let release!: () => void;
      hold = new Promise((r) => (release = r));
      return release;
    },
    repo: {
      listFaqs: async () => {
        s.lists++;
        const snapshot = faqs;
        const h = hold;
        hold = undefined;
        if (h) await h;
        return snapshot;
      },
      faqsVersion: async () => version,
    } satisfies KbSource,
  };
  return s;
}

describe('the per-shop answer index', () => {
  it('is built once per knowledge-base version, however many questions come in at once', async () => {
    const src = source([HOURS, PARKING]);
    const cache = createKbIndexCache(src.repo);
    const got = await Promise.all([1, 2, 3, 4, 5].map(() => cache.get('m1')));
    expect(src.lists).toBe(1);
    expect(new Set(got.map((g) => g.engine)).size).toBe(1);
    expect(got[0]!.engine.answer('几点开门').got).toBe('hours');
    await cache.get('m1');
    expect(src.lists).toBe(1);
    src.set([HOURS, PARKING, faq('wifi', '店里有无线网吗？', '有，密码 88888888。')]);
    expect((await cache.get('m1')).engine.answer('店里有无线网吗').got).toBe('wifi');
    expect(src.lists).toBe(2);
  });

  it('answers with the previous index while a slow rebuild runs, then switches to the new one', async () => {
    const src = source([HOURS]);
    let wake!: () => void;
    const cache = createKbIndexCache(src.repo, { staleWaitMs: 50, sleep: () => new Promise<void>((r) => (wake = r)) });
    const first = await cache.get('m1');
    src.set([HOURS, PARKING]);
    const release = src.holdNextList();
    const during = cache.get('m1');
    await new Promise((r) => setImmediate(r));
    wake(); // the stale wait is over before the listing comes back
    expect(await during).toBe(first);
    release();
    await new Promise((r) => setImmediate(r));
    const after = await cache.get('m1');
    expect(after).not.toBe(first);
    expect(after.engine.answer('附近好停车吗').got).toBe('parking');
    expect(src.lists).toBe(2);
  });

  it('never lets an older build that finishes late replace a newer index', async () => {
    const src = source([HOURS]);
    const cache = createKbIndexCache(src.repo);
    const releaseOld = src.holdNextList();
    const old = cache.get('m1');
    await new Promise((r) => setImmediate(r));
    src.set([HOURS, PARKING]);
    const fresh = await cache.get('m1');
    releaseOld();
    await old;
    expect(await cache.get('m1')).toBe(fresh);
  });

  it('yields between slices of a large build so other work runs', async () => {
    const many = Array.from({ length: 450 }, (_, i) => faq(`f${i}`, `第${i}个问题是什么？`, `这是第${i}个回答。`));
    const src = source(many);
    let yields = 0;
    const cache = createKbIndexCache(src.repo, {
      yieldNow: () => {
        yields++;
        return new Promise<void>((r) => setImmediate(r));
      },
    });
    expect((await cache.get('m1')).faqs).toHaveLength(450);
    expect(yields).toBeGreaterThanOrEqual(4);
  });

  it('without a repository version, notices an edit that keeps the same length and time', async () => {
    let faqs = [HOURS];
    const cache = createKbIndexCache({ listFaqs: async () => faqs });
    expect((await cache.get('m1')).faqs[0]!.answer).toBe(HOURS.answer);
    faqs = [{ ...HOURS, answer: '每天早上十点开门，晚上十点关门。' }];
    expect((await cache.get('m1')).faqs[0]!.answer).toContain('十点');
  });

  it('leaves disabled FAQs out', async () => {
    const src = source([HOURS, { ...PARKING, enabled: false }]);
    expect((await createKbIndexCache(src.repo).get('m1')).faqs.map((f) => f.id)).toEqual(['hours']);
  });
});

describe("the shop's team in the index", () => {
  it('hands off a customer who asks for a member by name, and a new member rebuilds the index', async () => {
    const team: { name: string }[] = [];
    const s = source([HOURS, PARKING]);
    const cache = createKbIndexCache({ ...s.repo, listMembers: async () => team });
    // 阿珍 is nobody yet: the engine cannot tell she is a person (at most it is unsure)
    expect((await cache.get('m1')).engine.answer('找阿珍').reason).not.toBe('handoff:person');
    team.push({ name: '阿珍' });
    const rebuilt = await cache.get('m1');
    expect(s.lists).toBe(2);
    expect(rebuilt.engine.answer('找阿珍').reason).toBe('handoff:person');
    // the same team again: no rebuild
    await cache.get('m1');
    expect(s.lists).toBe(2);
  });
});
