import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='kb-edit' title='编辑问答' text='这一页正在做。' />
}
