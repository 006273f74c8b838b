import { mutation, query } from "./_generated/server";
import { v } from "convex/values";

// create inserts one record, as PocketBase's REST create does.
export const create = mutation({
  args: { title: v.string(), body: v.string(), n: v.number() },
  returns: v.id("posts"),
  handler: async (ctx, args) => await ctx.db.insert("posts", args),
});

// latest reads the newest record: the first query of a cold start.
export const latest = query({
  args: {},
  handler: async (ctx) => await ctx.db.query("posts").order("desc").first(),
});
