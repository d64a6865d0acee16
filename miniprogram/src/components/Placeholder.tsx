import { Text, View } from '@tarojs/components';

/** A tab that is not built yet: says plainly what will come there. */
export default function Placeholder(props: { name: string; title: string; text: string }) {
  return (
    <View className={`placeholder placeholder-${props.name}`}>
      <Text className="placeholder-title">{props.title}</Text>
      <Text className="placeholder-text">{props.text}</Text>
    </View>
  );
}
