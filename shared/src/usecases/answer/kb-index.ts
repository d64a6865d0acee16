import type { StoredFaq } from '../../domain/knowledge';
import type { KnowledgeRepo } from '../../ports/storage';
import { buildOfflineEngine, createOfflineEngine, type OfflineEngine } from './engine';

/**
 * Where FAQs come from; without `faqsVersion` (eval, bench) every lookup lists them and compares.
 * `listMembers`: the shop's team, whose names customers ask for ("让王姐回我") — a handoff signal.
 */
export type KbSource = Pick<KnowledgeRepo, 'listFaqs'> & Partial<Pick<KnowledgeRepo, 'faqsVersion'>> & { listMembers?: (merchantId: string) => Promise<TeamMember[]> };
export type TeamMember = { name: string; role?: string };

export interface KbIndexOptions {
  /** Lets other work run between slices of a big build, so one shop's index never holds the process. */
  yieldNow?: () => Promise<void>;
  /** With an older index in hand, wait this long for the new one, then answer with the older. */
  staleWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface KbIndex {
  /** The enabled FAQs, in the repository's order. */
  faqs: StoredFaq[];
  engine: OfflineEngine;
}

export interface KbIndexCache {
  get(merchantId: string): Promise<KbIndex>;
  /** Builds (or refreshes) a shop's index ahead of its next question. */
  warm(merchantId: string): Promise<void>;
}

const DEFAULT_STALE_WAIT_MS = 300;

/** Identifies a FAQ list's content when the repository keeps no version. */
const fingerprint = (faqs: StoredFaq[]) =>
  faqs.map((f) => `${f.id}\u0001${f.updatedAt}\u0001${f.question}\u0001${f.answer}\u0001${(f.alternatives ?? []).join('\u0002')}`).join('\u0003');

/**
 * Each shop's answer index, built once per knowledge-base version rather than per question, in
 * slices that yield to other work. A question that arrives while its shop's index is being
 * rebuilt waits briefly for it; past that it is answered with the previous index (seconds old)
 * rather than stalled, and the next question gets the new one.
 */
export function createKbIndexCache(source: KbSource, opts: KbIndexOptions = {}): KbIndexCache {
  const ready = new Map<string, KbIndex & { version: string; seq: number }>();
  const building = new Map<string, { version: string; done: Promise<KbIndex> }>();
  let seq = 0;

  const build = async (merchantId: string, version: string, members: TeamMember[], listed?: StoredFaq[]): Promise<KbIndex> => {
    const mine = ++seq;
    const faqs = (listed ?? (await source.listFaqs(merchantId))).filter((f) => f.enabled !== false);
    const engine = opts.yieldNow ? await buildOfflineEngine({ faqs, members }, opts.yieldNow) : createOfflineEngine({ faqs, members });
    const built = { faqs, engine, version, seq: mine };
    // a slower build of an older version must not replace a newer one
    if ((ready.get(merchantId)?.seq ?? 0) < mine) ready.set(merchantId, built);
    return built;
  };

  const start = (merchantId: string, version: string, members: TeamMember[], listed?: StoredFaq[]) => {
    const current = building.get(merchantId);
    if (current?.version === version) return current.done;
    const done = build(merchantId, version, members, listed).finally(() => {
      if (building.get(merchantId)?.done === done) building.delete(merchantId);
    });
    // a caller that moved on with the older index must not leave this rejection unhandled
    done.catch(() => undefined);
    building.set(merchantId, { version, done });
    return done;
  };

  async function get(merchantId: string): Promise<KbIndex> {
    let listed: StoredFaq[] | undefined;
    let version: string;
    if (source.faqsVersion) version = String(await source.faqsVersion(merchantId));
    else version = fingerprint((listed = await source.listFaqs(merchantId)));
    // a new name on the team rebuilds the index like a changed FAQ does
    const members = source.listMembers ? (await source.listMembers(merchantId)).filter((m) => m.name.trim()).map((m) => ({ name: m.name.trim() })) : [];
    if (members.length) version += `\u0004${members.map((m) => m.name).join('\u0002')}`;
    const hit = ready.get(merchantId);
    if (hit?.version === version) return hit;
    const done = start(merchantId, version, members, listed);
    if (!hit || !opts.sleep) return done;
    const waitMs = opts.staleWaitMs ?? DEFAULT_STALE_WAIT_MS;
    return Promise.race([done, opts.sleep(waitMs).then(() => hit)]);
  }

  return {
    get,
    async warm(merchantId) {
      await get(merchantId);
    },
  };
}
