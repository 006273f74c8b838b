// A React app on the official client: a live list (useQuery), a form
// (useMutation) and a paginated list (usePaginatedQuery). The deployment
// URL comes from ?url=.
import { createElement as h, useState } from "react";
import { createRoot } from "react-dom/client";
import { ConvexProvider, ConvexReactClient, useQuery, useMutation, usePaginatedQuery } from "convex/react";
import { anyApi } from "convex/server";

const api = anyApi;
const params = new URLSearchParams(location.search);
const list = params.get("list") ?? "web";
const client = new ConvexReactClient(params.get("url"));

function Items() {
  const items = useQuery(api.items.list, { list });
  const add = useMutation(api.items.add);
  const [text, setText] = useState("");
  if (items === undefined) return h("p", { id: "loading" }, "loading");
  return h(
    "div",
    null,
    h("ul", { id: "items" }, items.map((t, i) => h("li", { key: i }, t))),
    h("input", { id: "text", value: text, onChange: (e) => setText(e.target.value) }),
    h("button", { id: "add", onClick: () => add({ list, text }).then(() => setText("")) }, "add"),
  );
}

function Pages() {
  const { results, status, loadMore } = usePaginatedQuery(api.items.page, { list }, { initialNumItems: 2 });
  return h(
    "div",
    null,
    h("ol", { id: "pages" }, results.map((r) => h("li", { key: r._id }, r.text))),
    h("span", { id: "status" }, status),
    h("button", { id: "more", onClick: () => loadMore(10) }, "more"),
  );
}

createRoot(document.getElementById("root")).render(
  h(ConvexProvider, { client }, h(Items), h(Pages)),
);
