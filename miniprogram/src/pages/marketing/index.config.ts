export default definePageConfig({ navigationBarTitleText: '营销', enablePullDownRefresh: true });
