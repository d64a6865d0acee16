export default definePageConfig({
  navigationBarTitleText: '标签和规则',
  enablePullDownRefresh: true,
});
