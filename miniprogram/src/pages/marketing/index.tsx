import Placeholder from '../../components/Placeholder'

export default function MarketingPage() {
  return <Placeholder name='marketing' title='营销活动和标签规则即将上线' text='到时可以给客户自动打标签、定时群发优惠，现在还没有营销活动。' />
}
