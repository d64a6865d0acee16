export default definePageConfig({ navigationBarTitleText: 'AI 没答上来', enablePullDownRefresh: true });
