export { DEMO_MERCHANT_ID, DEMO_WECOM, buildDemoShop, seedDemoShop, type DemoShopData } from './seed';
