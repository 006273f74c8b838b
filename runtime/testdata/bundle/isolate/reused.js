import "./_deps/4HV7NZJM.js";
import {
  a as r,
  c as e,
  g as t
} from "./_deps/7Q3JL4KF.js";

// convex/reused.ts
var i = !0, p = t({
  args: {},
  handler: /* @__PURE__ */ r(async () => 1, "handler")
}), c = t({
  args: { id: e.string() },
  handler: /* @__PURE__ */ r(async (a, { id: n }) => await a.db.get(n), "handler")
});
export {
  c as byId,
  i as experimental_reuseContext,
  p as trivial
};
//# sourceMappingURL=reused.js.map
