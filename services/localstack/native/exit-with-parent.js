// Preloaded into the Node.js programs LocalStack starts (kinesis-mock) through
// NODE_OPTIONS="--require <this file>", natively: kinesis-mock runs in a process group of
// its own, so when LocalStack is killed (a crash, SIGKILL) it lives on as an orphan, keeps
// rewriting its state file every second with its old state, and would overwrite what the
// next kinesis-mock of the same lab writes (issue 21). This ends the program within half a
// second of its parent's death (it is then re-parented). Set by labctl (localstack_native.py).
"use strict";

const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    process.exit(0);
  }
}, 500).unref();
