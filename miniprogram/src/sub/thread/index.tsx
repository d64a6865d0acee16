import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='thread' title='会话详情' text='这一页正在做。' />
}
