export default definePageConfig({ navigationBarTitleText: '企业微信连接检查', enablePullDownRefresh: true });
