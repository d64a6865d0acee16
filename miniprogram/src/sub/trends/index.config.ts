export default definePageConfig({ navigationBarTitleText: '经营趋势', enablePullDownRefresh: true });
