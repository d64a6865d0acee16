import { utf8Length } from './msgid';

/** kf/send_msg's text.content limit, in UTF-8 bytes. */
export const KF_TEXT_MAX_BYTES = 2048;

const SENTENCE_END = new Set(['。', '！', '？', '!', '?', '\n', '；', ';', '…']);
const CLAUSE_END = new Set(['，', ',', '、', '：', ':', ' ', '）', ')']);

/**
 * Splits text into parts of at most `maxBytes` UTF-8 bytes, cutting after the last sentence end
 * (。！？ or a newline) that fits, else after the last clause mark (，、：), else at the last
 * whole character. Never cuts inside a character; parts are trimmed of edge newlines and empty
 * parts are dropped.
 */
export function splitByBytes(text: string, maxBytes = KF_TEXT_MAX_BYTES): string[] {
  const parts: string[] = [];
  let rest = text.replace(/^\s+|\s+$/g, '');
  while (rest.length) {
    if (utf8Length(rest) <= maxBytes) {
      parts.push(rest);
      break;
    }
    const chars = Array.from(rest);
    let bytes = 0;
    let fit = 0; // characters that fit
    let sentence = -1;
    let clause = -1;
    for (const ch of chars) {
      const b = utf8Length(ch);
      if (bytes + b > maxBytes) break;
      bytes += b;
      fit++;
      if (SENTENCE_END.has(ch)) sentence = fit;
      else if (CLAUSE_END.has(ch)) clause = fit;
    }
    const cut = sentence > 0 ? sentence : clause > 0 ? clause : Math.max(fit, 1);
    const head = chars.slice(0, cut).join('').replace(/\s+$/, '');
    if (head) parts.push(head);
    rest = chars.slice(cut).join('').replace(/^\s+/, '');
  }
  return parts;
}
