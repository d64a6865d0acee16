export { createOfflineEngine, CALIBRATION, HANDOFF_REPLY, queryTokens, type Kb, type KbFaq, type EngineResult, type OfflineEngine, type EngineOptions } from './engine';
export { detectHandoff, type HandoffReason } from './handoff';
export { LEXICON, concepts, type LexiconGroup } from './lexicon';
export { tokenize, normalize } from './tokenize';
export { buildBm25 } from './bm25';
