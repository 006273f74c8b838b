import {
  k as o
} from "./7Q3JL4KF.js";

// convex/_generated/api.js
var n = o, p = o;

export {
  n as a,
  p as b
};
//# sourceMappingURL=Z5ABNSNX.js.map
