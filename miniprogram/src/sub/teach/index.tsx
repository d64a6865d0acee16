import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='teach' title='AI 没答上来' text='这一页正在做。' />
}
