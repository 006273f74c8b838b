import { Scrypt } from "lucia";
import { v } from "convex/values";
import { mutation } from "./_generated/server";

// The password hashing @convex-dev/auth's Password provider runs in its
// sign-up and sign-in mutations: lucia's Scrypt, which hashes in JS.

export const hash = mutation({
  args: { password: v.string() },
  handler: async (_ctx, { password }) => await new Scrypt().hash(password),
});

export const verify = mutation({
  args: { hash: v.string(), password: v.string() },
  handler: async (_ctx, { hash, password }) => await new Scrypt().verify(hash, password),
});
