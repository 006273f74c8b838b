//# sourceMappingURL=4HV7NZJM.js.map
