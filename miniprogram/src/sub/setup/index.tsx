import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='setup' title='企业微信连接检查' text='这一页正在做。' />
}
