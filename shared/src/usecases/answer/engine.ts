/**
 * The offline answer engine (no chat model): a greeting or thanks answered in kind; handoff rules
 * and a request for a commitment (commit.ts) first, then the learned handoff signal
 * (handoff-model.ts: sure enough, it hands off); a handed-off message with another request in it
 * answers that one too and names the rest (parts.ts). Then char uni+bigram BM25 with the synonym
 * lexicon over each FAQ's question, alternatives and answer; the answer gate (answer-gate.ts: a
 * learned probability that the best FAQ is the right one; without it, the hand-set confidence
 * from the top score and its margin over the runner-up), held below the threshold when the match
 * rests on single characters. Answers when confident; when not, hands off
 * an upset or problem message (problem.ts), one that leans towards a person, or a second miss in a
 * row (the customer rejected our last reply), else asks one short clarifying question. FAQs the
 * customer just rejected are left out. Synchronous, no I/O.
 */
import { loadAnswerGate, type AnswerGate, type AnswerGateData, type GateFeatures } from './answer-gate';
import SHIPPED_ANSWER_GATE from './answer-gate.json';
import { buildBm25, type Bm25Index, type WeightedTokens } from './bm25';
import { bestMatchOf, FORMULA } from './best-match';
import { isEvidence } from './match-features';
import { standardize } from './colloquial';
import { asksForCommitment } from './commit';
import { detectHandoff, type HandoffReason } from './handoff';
import { isPleasantry, loadHandoffModel, type HandoffModel, type HandoffModelData } from './handoff-model';
import SHIPPED_HANDOFF_MODEL from './handoff-model.json';
import { memberTerms } from './handoff-signals';
import { concepts } from './lexicon';
import { asPart, isQuestion, splitPieces, splitRequests } from './parts';
import { problemReason } from './problem';
import { chitchatReply, handoffReply, partialReply } from './replies';
import { tokenize } from './tokenize';

export type KbFaq = { id: string; question: string; answer: string; alternatives?: string[]; enabled?: boolean };
/** `members`: the shop's team, whose names customers ask for (a handoff signal). */
export type Kb = { faqs: KbFaq[]; members?: { name: string; role?: string }[] };
/**
 * `got`: a FAQ id, `handoff`, `clarify` or `chitchat` (a greeting or thanks answered in kind).
 * `suggestion`: for a clarifying question, the FAQ it asks about (a "是的" next turn confirms it).
 * A handoff of a message with two requests also carries what it `answered` (FAQ ids, their
 * answers in `answers`) and the `part` a person must handle, in the customer's words.
 */
export type EngineResult = {
  got: string;
  answer: string | null;
  confidence: number;
  reason: string;
  suggestion?: string;
  answered?: string[];
  answers?: string;
  part?: string;
  /** Decided before retrieval could matter (a greeting, a handoff rule or request for a commitment, a sure handoff signal): a model must not override it. */
  settled?: boolean;
};
/**
 * What the conversation says about this turn: `exclude`, FAQs the customer just said were not what
 * they asked ("不是…"); `afterMiss`, our last reply missed, so another miss goes to a person.
 */
export type AnswerContext = { exclude?: readonly string[]; afterMiss?: boolean };
export type OfflineEngine = {
  answer(text: string, history?: string[], context?: AnswerContext): EngineResult;
  /** The enabled FAQs, best match for `text` first (the model's prompt takes the top ones). */
  ranked(text: string): KbFaq[];
  /** Retrieval's best FAQ for `text` with the answer gate's features (training); null when nothing matches. */
  bestMatch(text: string): { id: string; features: GateFeatures } | null;
};

export type EngineOptions = {
  /** Answer only at or above this confidence (calibrated on the samples). */
  threshold?: number;
  /** Field weights in the index. */
  weights?: { question: number; alternatives: number; answer: number; concept: number; answerConcept: number };
  /** The learned handoff signal; the shipped one by default, `null` for the rules alone (training, baselines). */
  handoffModel?: HandoffModel | null;
  /** The learned answer gate; the shipped one by default, `null` for the hand-set confidence (training, baselines). */
  answerGate?: AnswerGate | null;
};

let shippedGate: AnswerGate | undefined;
/** The shipped answer gate (answer-gate.json, written by scripts/train-handoff.ts), loaded once. */
export const shippedAnswerGate = (): AnswerGate => (shippedGate ??= loadAnswerGate(SHIPPED_ANSWER_GATE as AnswerGateData));

let shipped: HandoffModel | undefined;
/** The shipped handoff model (handoff-model.json, written by scripts/train-handoff.ts), loaded once. */
export const shippedHandoffModel = (): HandoffModel => (shipped ??= loadHandoffModel(SHIPPED_HANDOFF_MODEL as HandoffModelData));

/**
 * Calibrated on ../shared/samples (bakery, fruit, pet), then re-set on 13 shops (the samples plus
 * ten written blind to the engine, test/fixtures/heldout*): threshold 0.30 → pooled precision 0.968
 * / coverage 0.839, 0.35 → 0.986 / 0.816 (worst shop 0.938 / 0.70), 0.40 → 0.990 / 0.792 (worst
 * coverage 0.65). 0.35 because a wrong answer is worse than a clarifying question. Frozen; see
 * test/eval-cli.test.ts for the per-shop levels.
 */
export const CALIBRATION = {
  threshold: 0.35,
  /** confidence = min(1, top/ideal * normScale) * (1 - marginWeight + marginWeight * margin) */
  marginWeight: FORMULA.marginWeight,
  normScale: FORMULA.normScale,
  weights: { question: 1, alternatives: 1, answer: 0.7, concept: 3, answerConcept: 1 },
} as const;

/** Below this confidence a clarifying question names no FAQ. */
export const SUGGEST_MIN = 0.1;

export const HANDOFF_REPLY = '这个我帮您转给店里的同事处理，请稍等，马上有人来跟您说。';

/** Tokens of a text for retrieval: uni+bigrams plus lexicon concept tokens. */
export function queryTokens(text: string, conceptWeight = 1): string[] {
  const toks = tokenize(text);
  for (const c of concepts(text)) for (let i = 0; i < conceptWeight; i++) toks.push(c);
  return toks;
}

type Weights = { question: number; alternatives: number; answer: number; concept: number; answerConcept: number };
/** One FAQ's fields as the two indexes see them: what it asks, and what it answers. */
type FaqDoc = { asks: WeightedTokens; answers: WeightedTokens };

function faqDoc(f: KbFaq, w: Weights): FaqDoc {
  const alts = (f.alternatives ?? []).join('\n');
  return {
    asks: [
      { tokens: tokenize(f.question), weight: w.question },
      { tokens: tokenize(alts), weight: w.alternatives },
      { tokens: concepts(`${f.question}\n${alts}`), weight: w.question * w.concept },
    ],
    answers: [
      { tokens: tokenize(f.answer), weight: 1 },
      { tokens: concepts(f.answer), weight: w.answerConcept },
    ],
  };
}

function indexOfDocs(docs: FaqDoc[], w: Weights) {
  const qIndex: Bm25Index = buildBm25(docs.map((d) => d.asks));
  const aIndex: Bm25Index = buildBm25(docs.map((d) => d.answers));
  return {
    score: (q: string[]) => {
      const a = aIndex.score(q);
      return qIndex.score(q).map((x, i) => x + w.answer * a[i]!);
    },
    ideal: (q: string[]) => qIndex.ideal(q) + w.answer * aIndex.ideal(q),
    has: (t: string, doc: number) => qIndex.has(t, doc) || aIndex.has(t, doc),
    /** Each side on its own (the answer gate's features). */
    asks: qIndex,
    answers: aIndex,
    answerWeight: w.answer,
  };
}
type FaqIndex = ReturnType<typeof indexOfDocs>;

/**
 * Two BM25 indexes (BM25F-style) over enabled FAQs: what each FAQ asks (question, alternatives,
 * concepts) and what it answers; a query's scores add with the calibrated weights.
 */
export function buildFaqIndex(faqs: KbFaq[], w: Weights = CALIBRATION.weights): FaqIndex {
  return indexOfDocs(
    faqs.map((f) => faqDoc(f, w)),
    w,
  );
}

/** FAQs tokenized per slice, between slices `yieldNow`: a 5,000-FAQ shop's build never holds the process. */
const BUILD_SLICE = 100;

export function createOfflineEngine(kb: Kb, opts: EngineOptions = {}): OfflineEngine {
  const w = opts.weights ?? CALIBRATION.weights;
  const faqs = kb.faqs.filter((f) => f.enabled !== false);
  return engineOver(faqs, buildFaqIndex(faqs, w), opts, kb.members);
}

/** The same engine as `createOfflineEngine`, built in slices with `yieldNow` between them. */
export async function buildOfflineEngine(kb: Kb, yieldNow: () => Promise<void>, opts: EngineOptions = {}): Promise<OfflineEngine> {
  const w = opts.weights ?? CALIBRATION.weights;
  const faqs = kb.faqs.filter((f) => f.enabled !== false);
  const docs: FaqDoc[] = [];
  for (let i = 0; i < faqs.length; i += BUILD_SLICE) {
    for (const f of faqs.slice(i, i + BUILD_SLICE)) docs.push(faqDoc(f, w));
    await yieldNow();
  }
  return engineOver(faqs, indexOfDocs(docs, w), opts, kb.members);
}

function engineOver(faqs: KbFaq[], index: FaqIndex, opts: EngineOptions, members: Kb['members'] = []): OfflineEngine {
  const w = opts.weights ?? CALIBRATION.weights;
  const gate = opts.answerGate === undefined ? shippedAnswerGate() : opts.answerGate;
  const threshold = opts.threshold ?? gate?.threshold ?? CALIBRATION.threshold;
  const model = opts.handoffModel === undefined ? shippedHandoffModel() : opts.handoffModel;
  const team = memberTerms(members);

  const ids = new Map(faqs.map((f, i) => [f.id, i]));
  // each way a FAQ is asked, as evidence tokens (the gate's faqCover), made on first use
  const phraseCache = new Map<number, string[][]>();
  const phrasesOf = (i: number): string[][] => {
    let p = phraseCache.get(i);
    if (!p) {
      const f = faqs[i]!;
      phraseCache.set(i, (p = [f.question, ...(f.alternatives ?? [])].map((x) => [...new Set([...tokenize(x), ...concepts(x)])].filter(isEvidence))));
    }
    return p;
  };
  /** What the query shares with FAQ `i` rests on more than one character: a pair, a concept, a word, or two characters. */
  function hasEvidence(q: string[], i: number): boolean {
    const chars = new Set<string>();
    for (const t of q) {
      if (!index.has(t, i)) continue;
      if (isEvidence(t)) return true;
      if (!/^\d+$/.test(t)) chars.add(t);
    }
    return chars.size >= 2;
  }
  function rank(text: string, exclude: readonly string[] = []) {
    const found = concepts(text);
    const q = tokenize(text);
    for (const c of found) for (let i = 0; i < w.concept; i++) q.push(c);
    const asks = index.asks.score(q);
    const answers = index.answers.score(q);
    const scores = asks.map((x, i) => x + w.answer * answers[i]!);
    for (const id of exclude) {
      const i = ids.get(id);
      if (i !== undefined) scores[i] = asks[i] = answers[i] = 0;
    }
    const m = bestMatchOf(index, { q, concepts: found, chars: text.replace(/\s/g, '').length, asks, answers, scores, ideal: index.ideal(q) }, phrasesOf);
    // nothing in common with any FAQ: there is no "best" to suggest
    if (!m) return { best: undefined, confidence: 0, norm: 0, margin: 0, match: m };
    // with the gate, confidence is its probability that the best FAQ is the right one
    let confidence = gate ? gate.p(m.features) : m.formula;
    // one character only ("招" of 招人 in 招牌, "车" of 车子 in 停车): never an answer, at most a guess to
    // confirm; with the gate, single characters never answer at all — in a small knowledge base
    // "店里养的猫叫什么名字" shares only 店 with the delivery FAQ and nothing else scores
    // (and the hand-set confidence decides whether it is even worth naming as a guess)
    if (!hasEvidence(q, m.i) || (gate && m.features.matched === 0)) confidence = Math.min(confidence, m.formula, threshold - 0.001);
    return { best: faqs[m.i], confidence: round(confidence), norm: m.norm, margin: m.margin, match: m };
  }

  return {
    bestMatch(raw) {
      const { match } = rank(standardize(raw));
      return match ? { id: faqs[match.i]!.id, features: match.features } : null;
    },
    ranked(text) {
      const scores = index.score(queryTokens(text, w.concept));
      return faqs
        .map((f, i) => ({ f, s: scores[i]!, i }))
        .sort((x, y) => y.s - x.s || x.i - y.i)
        .map((x) => x.f);
    },
    answer(raw, rawHistory, context = {}) {
      const text = standardize(raw);
      const history = rawHistory?.map(standardize);
      const exclude = context.exclude ?? [];
      const chat = chitchatReply(text) ?? (isPleasantry(text) ? chitchatReply('你好') : null);
      if (chat) return { got: 'chitchat', answer: chat, confidence: 1, reason: 'chitchat', settled: true };
      const p = model ? model.score(text, team) : 0;
      const sure = whoTakes(text) ?? (model && p >= model.thresholds.handoff ? 'model' : null);
      if (sure) return { ...answerParts(text, sure, sure === 'model' ? round(p) : 1, exclude), settled: true };
      let r = rank(text, exclude);
      // A short follow-up ("那蛋糕呢") leans on the customer's previous message.
      if (r.confidence < threshold && history?.length) {
        const prev = history[history.length - 1]!;
        const r2 = rank(`${prev}\n${text}`, exclude);
        if (r2.confidence >= threshold) r = r2;
      }
      if (r.best && r.confidence >= threshold) {
        return { got: r.best.id, answer: r.best.answer, confidence: r.confidence, reason: `bm25 norm=${r.norm.toFixed(2)} margin=${r.margin.toFixed(2)}` };
      }
      // unsure what they ask: an upset or problem message gets a person, never a guess at an FAQ
      const problem = problemReason(text, team);
      if (problem) return handoff(problem, r.confidence);
      // unsure, and the message looks like one for a person: a person, not a guess
      if (model && p >= model.thresholds.unsure) return handoff('unsure', round(p));
      // our last reply missed and this one would too: two misses, a person takes it
      if (context.afterMiss) return handoff('repeated_miss', r.confidence);
      // a guess too weak to name: ask for more instead of suggesting something unrelated
      const guess = r.best && r.confidence >= SUGGEST_MIN ? r.best : undefined;
      const clarify = guess ? `想确认一下，您是想问「${guess.question.replace(/[？?。]+$/, '')}」吗？` : '能再具体说说您想了解什么吗？';
      return { got: 'clarify', answer: clarify, confidence: r.confidence, reason: guess ? 'low confidence' : 'no match', ...(guess ? { suggestion: guess.id } : {}) };
    },
  };

  /** A rule's reason for a person: a handoff rule, or a request for a commitment (this time, this quantity…). */
  function whoTakes(text: string): HandoffReason | null {
    const h = detectHandoff(text, team.names);
    if (h) return h.reason;
    if (asksForCommitment(text)) return 'commit';
    // a rule on one of several requests: "自动挡多少钱？能不能这周六给我加一节"
    for (const piece of splitRequests(text)) if (piece !== text && asksForCommitment(piece)) return 'commit';
    return null;
  }

  function handoff(reason: HandoffReason | 'model', confidence: number): EngineResult {
    return { got: 'handoff', answer: handoffReply(reason, { open: true }) ?? HANDOFF_REPLY, confidence, reason: `handoff:${reason}` };
  }

  /**
   * A message a person must take: the requests in it the knowledge base answers on their own
   * (a question, no rule, no problem, the model calm, retrieval confident) are answered in the
   * same reply, and the rest is named as what a person will confirm.
   */
  function answerParts(text: string, reason: HandoffReason | 'model', confidence: number, exclude: readonly string[]): EngineResult {
    const whole = handoff(reason, confidence);
    const pieces = splitPieces(text);
    if (pieces.length < 2) return whole;
    const answered: KbFaq[] = [];
    const rest: string[] = [];
    for (const { text: piece, opens } of pieces) {
      // a request of its own (it opens one), a question, and nothing in it for a person
      const calm = opens && isQuestion(piece) && !whoTakes(piece) && !problemReason(piece, team) && !(model && model.score(piece, team) >= model.thresholds.unsure);
      const r = calm ? rank(piece, exclude) : undefined;
      if (r?.best && r.confidence >= threshold) {
        if (!answered.includes(r.best)) answered.push(r.best);
      } else rest.push(piece);
    }
    if (!answered.length || !rest.length) return whole;
    const answers = answered.map((f) => f.answer.replace(/[。.!！~～\s]+$/, '')).join('；');
    const part = asPart(rest);
    return { ...whole, answer: partialReply(answers, part, whole.reason, { open: true }), answered: answered.map((f) => f.id), answers, part };
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
