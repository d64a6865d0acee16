import Placeholder from '../../components/Placeholder'

export default function CustomersPage() {
  return <Placeholder name='customers' title='客户' text='加了你企业微信或找过客服的客户会列在这里，可以按标签和来源查找。' />
}
