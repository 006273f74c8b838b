// Bad component trees through the official CLI: an invalid
// convex.config.ts, two components with one name, a cycle of component
// definitions, an invalid component name. Each push fails with Convex's
// message and leaves the deployment as it was. These pushes fail before
// anything is stored, so they run on the first backend only.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { Hull, App, backends } from "../lib/hull.mjs";

const config = (body) => `import { defineApp } from "convex/server";\n${body}\n`;

for (const backend of backends().slice(0, 1)) {
  describe(`bad component trees on ${backend}`, () => {
    let hull, app;

    before(async () => {
      hull = await Hull.create(backend);
      app = await App.create("components_bad", hull);
      await app.deploy();
    });

    after(async () => {
      await app?.destroy();
      await hull?.destroy();
    });

    async function failedPush(configTs) {
      await app.write("convex/convex.config.ts", configTs);
      const r = await app.convex(["deploy", "-y", "--typecheck", "disable"]);
      assert.notEqual(r.code, 0, `the push succeeded:\n${r.stdout}\n${r.stderr}`);
      return r.stdout + r.stderr;
    }

    it("an invalid convex.config.ts", async () => {
      const out = await failedPush(config("const app = defineApp();\nexport default { app };"));
      assert.match(out, /InvalidDefinition: The default export of `convex\.config\.ts` in your app has an invalid value \(missing `export` property on the default export of `convex\.config\.ts`\)/);
    });

    it("a convex.config.ts that throws", async () => {
      const out = await failedPush(config("throw new Error(\"no config today\");\nexport default defineApp();"));
      assert.match(out, /InvalidDefinition: .*\n?.*no config today/);
    });

    it("two components with the same name", async () => {
      const out = await failedPush(config(`import shardedCounter from "@convex-dev/sharded-counter/convex.config.js";
const app = defineApp();
app.use(shardedCounter);
app.use(shardedCounter);
export default app;`));
      assert.match(out, /TypecheckError: Component "" has multiple child components with the same name: "shardedCounter"/);
    });

    it("a component name that is not an identifier", async () => {
      const out = await failedPush(config(`import shardedCounter from "@convex-dev/sharded-counter/convex.config.js";
const app = defineApp();
app.use(shardedCounter, { name: "sharded-counter" });
export default app;`));
      assert.match(out, /TypecheckError: Invalid component name "sharded-counter"/);
    });

    it("component definitions that use each other", async () => {
      for (const [me, other] of [["a", "b"], ["b", "a"]]) {
        await mkdir(join(app.dir, "convex", "components", me), { recursive: true });
        await app.write(`convex/components/${me}/convex.config.ts`, `import { defineComponent } from "convex/server";
import other from "../${other}/convex.config.js";
const c = defineComponent("${me}");
c.use(other);
export default c;
`);
      }
      const out = await failedPush(config(`import a from "./components/a/convex.config.js";
const app = defineApp();
app.use(a);
export default app;`));
      assert.match(out, /CyclicImport: Found cyclic definition dependency/);
    });

    it("left the deployment as it was", async () => {
      const client = new ConvexHttpClient(hull.url);
      assert.equal(await client.query("f:q", {}), 1);
      const list = await app.convex(["data", "--component", "shardedCounter"]);
      assert.notEqual(list.code, 0, "no component was installed");
    });
  });
}
