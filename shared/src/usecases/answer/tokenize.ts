/**
 * Char uni+bigram tokenizer (stack-notes §5: the best lexical baseline measured). Text is
 * normalized (full-width → half-width, lower case, punctuation → breaks), then each CJK run
 * gives its characters and adjacent pairs; ASCII words and numbers stay whole.
 */

/** Function characters: dropped as unigrams (bigrams containing them are kept unless both are stop). */
const STOP_CHARS = new Set(Array.from('的了吗呢吧啊呀哦嘛么是我你他她它们在和与就都也还要想能会可以这那个什怎有没不给把被让从到对很太更最又再呃哈嗯么啥吧么得地着过一'));
/** Bigrams that carry no topic. */
const STOP_BIGRAMS = new Set([
  '可以',
  '你们',
  '我们',
  '他们',
  '什么',
  '怎么',
  '能不',
  '是不',
  '不是',
  '一下',
  '有没',
  '没有',
  '请问',
  '这个',
  '那个',
  '一个',
  '么办',
  '怎样',
  '如何',
  '吗我',
  '好的',
  '谢谢',
  '你好',
  '您好',
  '现在',
  '还是',
  '就是',
  '但是',
  '因为',
  '所以',
  '的话',
  '一点',
  '们的',
  '我的',
  '你的',
  '的吗',
  '了吗',
  '有吗',
  '能吗',
  '行吗',
  '么样',
  '知道',
  '想问',
  '问一',
  '问下',
  '请教',
  '能够',
]);

export function normalize(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0x3000) out += ' ';
    else if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else out += ch;
  }
  return out.toLowerCase();
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Splits normalized text into runs of CJK characters and ASCII words/numbers. */
function runs(text: string): { cjk: boolean; s: string }[] {
  const out: { cjk: boolean; s: string }[] = [];
  let cur = '';
  let curCjk = false;
  const flush = () => {
    if (cur) out.push({ cjk: curCjk, s: cur });
    cur = '';
  };
  for (const ch of text) {
    if (CJK.test(ch)) {
      if (!curCjk) flush();
      curCjk = true;
      cur += ch;
    } else if (/[a-z0-9]/.test(ch)) {
      if (curCjk) flush();
      curCjk = false;
      cur += ch;
    } else flush();
  }
  flush();
  return out;
}

/** Tokens of one text: CJK unigrams (minus stop chars) and bigrams (minus stop bigrams), ASCII words. */
export function tokenize(text: string): string[] {
  const toks: string[] = [];
  for (const r of runs(normalize(text))) {
    if (!r.cjk) {
      toks.push(r.s);
      continue;
    }
    const chars = Array.from(r.s);
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (!STOP_CHARS.has(c)) toks.push(c);
      const n = chars[i + 1];
      if (n !== undefined) {
        const bg = c + n;
        if (!STOP_BIGRAMS.has(bg) && !(STOP_CHARS.has(c) && STOP_CHARS.has(n))) toks.push(bg);
      }
    }
  }
  return toks;
}
