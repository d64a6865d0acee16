import Placeholder from '../../components/Placeholder'

export default function ConversationsPage() {
  return <Placeholder name='conversations' title='会话' text='客户消息会显示在这里，AI 回不了的会标成待人工，你可以接过来自己回复。' />
}
