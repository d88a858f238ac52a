// `node:http` for the bundles, loaded the CommonJS way. An ES import of `node:http` makes Node
// build its ES facade, which reads every export, including the lazy getters (WebSocket,
// MessageEvent...) that load all of undici: ~40 ms of a cold start on Node 22 for nothing.
// lib/bundling.ts aliases `http` and `node:http` to this file.
module.exports = process.getBuiltinModule('node:http');
