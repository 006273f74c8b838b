import { query, mutation, action, internalQuery, internalMutation } from "./_generated/server";
import { v, ConvexError } from "convex/values";
import { api, internal } from "./_generated/api";
import { z } from "zod";

const Body = z.string().min(1).max(100);

export const list = query({
  args: { limit: v.optional(v.number()) },
  handler: async (ctx, args) => {
    const rows = await ctx.db.query("messages").take(args.limit ?? 10);
    return rows.map((m) => m.body);
  },
});

export const send = mutation({
  args: { body: v.string(), author: v.string() },
  returns: v.id("messages"),
  handler: async (ctx, { body, author }) => {
    const parsed = Body.safeParse(body);
    if (!parsed.success) {
      throw new ConvexError({ code: "bad_body", length: BigInt(body.length) });
    }
    console.log("sending", body, { author, n: 1 });
    return await ctx.db.insert("messages", { body, author });
  },
});

export const echo = query({
  args: { n: v.int64(), f: v.float64(), b: v.bytes(), s: v.string() },
  handler: async (_ctx, args) => {
    return { n: args.n + 1n, f: args.f, b: args.b, s: args.s, len: args.b.byteLength };
  },
});

export const globals = query({
  args: {},
  handler: async () => {
    const enc = new TextEncoder().encode("héllo");
    return {
      now: Date.now(),
      dateNow: new Date().getTime(),
      random: Math.random(),
      env: process.env.GREETING ?? null,
      missing: process.env.NOT_SET === undefined,
      utf8: Array.from(enc).length,
      roundTrip: new TextDecoder().decode(enc),
      b64: btoa("hi!"),
      unb64: atob("aGkh"),
      asUintN: BigInt.asUintN(64, -1n).toString(),
      hasWindow: typeof window !== "undefined",
    };
  },
});

export const logs = query({
  args: {},
  handler: async () => {
    console.log("a", 1, [1, "x"], { k: "v" });
    console.info("info line");
    console.warn("warn line");
    console.error("error line");
    console.debug("debug line");
    return null;
  },
});

export const fails = query({
  args: {},
  handler: async () => {
    throw new Error("plain failure");
  },
});

export const failsConvex = mutation({
  args: {},
  handler: async () => {
    throw new ConvexError("just a string");
  },
});

export const never = query({
  args: {},
  handler: () => new Promise(() => {}),
});

export const spin = query({
  args: {},
  handler: async () => {
    for (;;) {}
  },
});

export const unknownSync = query({
  args: {},
  handler: async () => {
    return (globalThis as any).Convex.syscall("1.0/noSuchOp", "{}");
  },
});

export const unknownAsync = query({
  args: {},
  handler: async () => {
    try {
      await (globalThis as any).Convex.asyncSyscall("1.0/noSuchAsyncOp", "{}");
      return "resolved";
    } catch (e: any) {
      return e.message;
    }
  },
});

export const hostConvexError = mutation({
  args: {},
  handler: async (ctx) => {
    try {
      await ctx.db.insert("reject", { x: 1 });
      return "inserted";
    } catch (e: any) {
      return { message: e.message, data: e.data ?? null, isConvex: e instanceof ConvexError };
    }
  },
});

export const secret = internalQuery({
  args: { x: v.number() },
  handler: async (_ctx, { x }) => x * 2,
});

export const bump = internalMutation({
  args: {},
  handler: async () => null,
});

export const run = action({
  args: { body: v.string() },
  handler: async (ctx, { body }): Promise<number> => {
    const doubled: number = await ctx.runQuery(internal.messages.secret, { x: body.length });
    await ctx.runMutation(api.messages.send, { body, author: "action" });
    return doubled;
  },
});

export const state = query({
  args: {},
  handler: async () => {
    const g = globalThis as any;
    g.__counter = (g.__counter ?? 0) + 1;
    return g.__counter;
  },
});

export const byId = query({
  args: { id: v.string() },
  handler: async (ctx, { id }) => await ctx.db.get(id as any),
});

export const byAuthor = query({
  args: { author: v.string() },
  handler: async (ctx, { author }) =>
    await ctx.db.query("messages").withIndex("by_author", (q) => q.eq("author", author)).take(20),
});
