export default {
  providers: [{ domain: "https://issuer.example.com", applicationID: "convex" }],
};
