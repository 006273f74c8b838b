import "./_deps/4HV7NZJM.js";
import {
  j as e,
  m as o
} from "./_deps/7Q3JL4KF.js";

// convex/http.ts
var t = o(), h = e(async () => new Response("hello"));
t.route({ path: "/hello", method: "GET", handler: h });
t.route({ pathPrefix: "/files/", method: "POST", handler: h });
var p = t;
export {
  p as default,
  h as hello
};
//# sourceMappingURL=http.js.map
