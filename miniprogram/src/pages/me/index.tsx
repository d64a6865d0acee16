import Placeholder from '../../components/Placeholder'

export default function MePage() {
  return <Placeholder name='me' title='我的' text='店铺设置、AI 的说话方式、营业时间和店员邀请会放在这里。' />
}
