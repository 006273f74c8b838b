import { httpRouter } from "convex/server";
import { httpAction } from "./_generated/server";

const http = httpRouter();

export const hello = httpAction(async () => new Response("hello"));

http.route({ path: "/hello", method: "GET", handler: hello });
http.route({ pathPrefix: "/files/", method: "POST", handler: hello });

export default http;
