#!/usr/bin/env node
// Starts this platform's concord-mock binary, from the package npm installed for it: the launcher lists one
// package per platform as optionalDependencies with `os` and `cpu` fields, so npm installs the matching one
// and skips the rest. No install script runs and nothing is downloaded at install time (esbuild's and
// Biome's way), so it works behind a corporate registry and with --ignore-scripts.
"use strict";
const { spawn } = require("node:child_process");

const PACKAGES = {
  "linux-x64": "@concord-mock/linux-x64",
  "linux-arm64": "@concord-mock/linux-arm64",
  "darwin-x64": "@concord-mock/darwin-x64",
  "darwin-arm64": "@concord-mock/darwin-arm64",
  "win32-x64": "@concord-mock/win32-x64",
};

// CONCORD_MOCK_PLATFORM runs another platform's binary (one installed with `npm install --os … --cpu …`),
// e.g. an arm64 build under qemu-user.
const platform = process.env.CONCORD_MOCK_PLATFORM || `${process.platform}-${process.arch}`;
const name = PACKAGES[platform];
if (!name) {
  console.error(
    `concord-mock: no prebuilt binary for ${platform} (there are: ${Object.keys(PACKAGES).join(", ")}). ` +
      "Build one with a Rust toolchain: cargo install --locked --path mock-server (in a clone of the repository).",
  );
  process.exit(1);
}
const file = `${name}/bin/concord-mock${platform.startsWith("win32") ? ".exe" : ""}`;
let binary;
try {
  binary = require.resolve(file);
} catch {
  console.error(
    `concord-mock: the package ${name} is not installed. npm leaves optional dependencies out with ` +
      `--omit=optional (or --no-optional); install again without it, or add ${name} yourself.`,
  );
  process.exit(1);
}

const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
// Ctrl-C and a stop from a process manager reach the mock, which shuts down cleanly.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => {
  console.error(`concord-mock: could not start ${binary}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
