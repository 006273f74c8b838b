// convex/auth.config.ts
var e = {
  providers: [{ domain: "https://issuer.example.com", applicationID: "convex" }]
};
export {
  e as default
};
//# sourceMappingURL=auth.config.js.map
