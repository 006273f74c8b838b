import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

// The same record shape as the PocketBase collection the benchmark creates:
// two text fields and a number, no index beyond the defaults.
export default defineSchema({
  posts: defineTable({ title: v.string(), body: v.string(), n: v.number() }),
});
