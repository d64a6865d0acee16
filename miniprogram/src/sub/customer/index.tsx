import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='customer' title='客户资料' text='这一页正在做。' />
}
