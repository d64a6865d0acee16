import Placeholder from '../../components/Placeholder'

export default function Page() {
  return <Placeholder name='settings' title='店铺设置' text='这一页正在做。' />
}
