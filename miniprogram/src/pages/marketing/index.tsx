import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import './index.scss';

const COMING = [
  { title: '定时群发', text: '挑一批客户，定好时间，把新品和优惠发给他们。' },
  { title: '活动效果', text: '发出去以后，看看有多少人回复、下单。' },
];

/** 营销: the way to 标签和规则; campaigns are not built yet — say what is coming, and that customers are still answered meanwhile. */
export default function MarketingPage() {
  return (
    <View className="page-marketing">
      <View className="mk-tags" onClick={() => void Taro.navigateTo({ url: '/sub/tags/index' })}>
        <View className="mk-tags-text">
          <Text className="mk-item-title">标签和规则</Text>
          <Text className="mk-item-text">按消费、来店频率、聊天说过的话，自动给客户打上标签，比如「VIP」「沉睡」「咨询过大码」。</Text>
        </View>
        <Text className="mk-tags-go">去设置</Text>
      </View>
      <View className="mk-head">
        <Text className="mk-title">营销活动还在做</Text>
        <Text className="mk-calm">不用担心，现在客户发来的问题，AI 都会先回答；回答不了的会交给你。</Text>
      </View>
      <View className="mk-list">
        <Text className="mk-list-title">做好以后可以：</Text>
        {COMING.map((c) => (
          <View key={c.title} className="mk-item">
            <Text className="mk-item-title">{c.title}</Text>
            <Text className="mk-item-text">{c.text}</Text>
          </View>
        ))}
      </View>
    </View>
  );
}
