export default definePageConfig({ navigationBarTitleText: '商品和库存', enablePullDownRefresh: true });
