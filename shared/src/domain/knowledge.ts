import { z } from 'zod';
import { Fen, Instant, MerchantId } from './ids';

/** Shapes of ARCHITECTURE §6: what a shop knows and the AI may say. */
export const Faq = z.object({
  id: z.string().min(1).max(64),
  question: z.string().min(1).max(500),
  answer: z.string().min(1).max(4000),
  alternatives: z.array(z.string().min(1).max(500)).default([]),
  enabled: z.boolean().default(true),
});
export type Faq = z.infer<typeof Faq>;

export const Product = z.object({
  sku: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  priceFen: Fen.nonnegative(),
  stock: z.number().int(),
  attributes: z.record(z.string(), z.unknown()).optional(),
});
export type Product = z.infer<typeof Product>;

export const ShopFacts = z.record(z.string(), z.unknown());

/** The sample-file format (`kb-*.json`), also the import/export format. */
export const KnowledgeBaseFile = z.object({
  merchant: z.object({ name: z.string(), industry: z.string().default('') }),
  faqs: z.array(Faq),
  products: z.array(Product).optional(),
  facts: ShopFacts.optional(),
});
export type KnowledgeBaseFile = z.infer<typeof KnowledgeBaseFile>;

export const StoredFaq = Faq.extend({ merchantId: MerchantId, updatedAt: Instant });
export type StoredFaq = z.infer<typeof StoredFaq>;
/** `lowStockAt` is the yellow mark (running low), `redStockAt` the red one (about out; absent: 0). */
export const StoredProduct = Product.extend({ merchantId: MerchantId, updatedAt: Instant, lowStockAt: z.number().int().default(5), redStockAt: z.number().int().optional() });
export type StoredProduct = z.infer<typeof StoredProduct>;
