import { useState } from 'react';
import { Button, Input, Text, View } from '@tarojs/components';
import { addAlias, addWord, MEANS_MAX, WORD_MAX, type Alias } from './form';

/** A list of words shown as chips: type one, 添加; tap × to take one out. */
export function WordChips(props: { kind: string; title: string; explain: string; placeholder: string; words: string[]; max: number; onChange: (words: string[]) => void }) {
  const { kind, title, explain, placeholder, words, max, onChange } = props;
  const [input, setInput] = useState('');
  const [error, setError] = useState<string | null>(null);

  const add = () => {
    const r = addWord(words, input, max);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    onChange(r.list);
    setInput('');
    setError(null);
  };

  return (
    <View className={`settings-section words words-${kind}`}>
      <Text className="settings-section-title">{title}</Text>
      <Text className="settings-explain">{explain}</Text>
      <View className="words-chips">
        {words.length === 0 && <Text className="words-none">还没有</Text>}
        {words.map((w) => (
          <View key={w} className="word-chip">
            <Text className="word-text">{w}</Text>
            <View className="word-remove" onClick={() => onChange(words.filter((x) => x !== w))}>
              <Text>×</Text>
            </View>
          </View>
        ))}
      </View>
      <View className="words-add-row">
        <Input
          className="settings-input word-input"
          value={input}
          maxlength={WORD_MAX}
          placeholder={placeholder}
          confirmType="done"
          onInput={(e) => {
            setInput(e.detail.value);
            setError(null);
          }}
          onConfirm={add}
        />
        <Button className="word-add" onClick={add}>
          添加
        </Button>
      </View>
      {error && <Text className="word-error">{error}</Text>}
    </View>
  );
}

/** The shop's own names for things: 招牌 → 杨枝甘露. */
export function AliasList({ aliases, onChange }: { aliases: Alias[]; onChange: (aliases: Alias[]) => void }) {
  const [term, setTerm] = useState('');
  const [means, setMeans] = useState('');
  const [error, setError] = useState<string | null>(null);

  const add = () => {
    const r = addAlias(aliases, term, means);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    onChange(r.list);
    setTerm('');
    setMeans('');
    setError(null);
  };

  return (
    <View className="settings-section aliases">
      <Text className="settings-section-title">店里的叫法</Text>
      <Text className="settings-explain">客户用店里的叫法问，AI 也能听懂。比如说"招牌"，就是"杨枝甘露"。</Text>
      {aliases.length === 0 && <Text className="words-none">还没有</Text>}
      {aliases.map((a) => (
        <View key={a.term} className="alias-item">
          <Text className="alias-text">
            {a.term} → {a.means}
          </Text>
          <View className="alias-remove" onClick={() => onChange(aliases.filter((x) => x.term !== a.term))}>
            <Text>×</Text>
          </View>
        </View>
      ))}
      <View className="words-add-row">
        <Input
          className="settings-input alias-term"
          value={term}
          maxlength={WORD_MAX}
          placeholder="如：招牌"
          onInput={(e) => {
            setTerm(e.detail.value);
            setError(null);
          }}
        />
        <Text className="alias-arrow">→</Text>
        <Input
          className="settings-input alias-means"
          value={means}
          maxlength={MEANS_MAX}
          placeholder="如：杨枝甘露"
          onInput={(e) => {
            setMeans(e.detail.value);
            setError(null);
          }}
        />
        <Button className="alias-add" onClick={add}>
          添加
        </Button>
      </View>
      {error && <Text className="word-error">{error}</Text>}
    </View>
  );
}
