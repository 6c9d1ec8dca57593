// Preloaded into the Node.js programs LocalStack starts (kinesis-mock, which serves
// Kinesis) through NODE_OPTIONS="--require <this file>": kinesis-mock has no setting
// for its listen address and binds every interface. This makes a listen() on "all
// interfaces" (no host, 0.0.0.0 or ::) use LAB_BIND_ADDRESS instead (127.0.0.1 by
// default), so the native lab opens no port beyond loopback. Set by labctl
// (localstack_native.py); nothing else in those programs changes.
"use strict";
const net = require("net");

const address = process.env.LAB_BIND_ADDRESS || "127.0.0.1";
const ANY = new Set([undefined, null, "", "0.0.0.0", "::", "::0"]);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (...args) {
  if (address !== "0.0.0.0" && args.length > 0) {
    const first = args[0];
    if (first !== null && typeof first === "object" && !Array.isArray(first)) {
      if (first.path === undefined && first.fd === undefined && first.handle === undefined
          && ANY.has(first.host)) {
        args[0] = Object.assign({}, first, { host: address });
      }
    } else if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
      if (args.length === 1 || typeof args[1] === "function" || ANY.has(args[1])) {
        const rest = args.length > 1 && typeof args[1] !== "function" ? args.slice(2) : args.slice(1);
        args = [first, address, ...rest];
      }
    }
  }
  return listen.apply(this, args);
};
