import { query } from "./_generated/server";
import { v } from "convex/values";

// This module opts into keeping its JavaScript context between calls.
export const experimental_reuseContext = true;

export const trivial = query({
  args: {},
  handler: async () => 1,
});

export const byId = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => await ctx.db.get(id as any),
});
