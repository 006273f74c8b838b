import {
  b as o
} from "./_deps/Z5ABNSNX.js";
import {
  l as m
} from "./_deps/7Q3JL4KF.js";

// convex/crons.ts
var e = m();
e.interval("bump often", { minutes: 5 }, o.messages.bump, {});
e.cron("nightly", "0 3 * * *", o.messages.bump, {});
var s = e;
export {
  s as default
};
//# sourceMappingURL=crons.js.map
