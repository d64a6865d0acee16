import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='staff' title='店员和邀请码' text='这一页正在做。' />
}
