import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='kb' title='知识库' text='这一页正在做。' />
}
