export default definePageConfig({ navigationBarTitleText: '知识库', enablePullDownRefresh: true });
