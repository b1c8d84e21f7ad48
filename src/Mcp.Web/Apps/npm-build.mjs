// Builds one npm project for MSBuild (NodeBundle.targets): `npm ci` when node_modules is missing or older than
// package-lock.json, then `npm run build`. Builds of several projects may start this at once for the same folder,
// so it runs under a lock (a directory, created atomically), which a crashed build leaves behind at most 10 minutes.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const project = resolve(process.argv[2] ?? ".");
const lock = join(project, ".build.lock");
const staleAfterMs = 10 * 60 * 1000;

async function acquire() {
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") {
        throw error;
      }
      try {
        if (Date.now() - statSync(lock).mtimeMs > staleAfterMs) {
          rmSync(lock, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue; // released between the two calls
      }
      await delay(250);
    }
  }
}

function run(...args) {
  const result = spawnSync("npm", args, { cwd: project, stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error(`error: 'npm ${args.join(" ")}' failed in ${project} (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

function stale() {
  const installed = join(project, "node_modules", ".package-lock.json");
  return !existsSync(installed) || statSync(installed).mtimeMs < statSync(join(project, "package-lock.json")).mtimeMs;
}

await acquire();
try {
  if (stale()) {
    run("ci", "--no-audit", "--no-fund", "--loglevel=error");
  }
  run("run", "build", "--silent");
} finally {
  rmSync(lock, { recursive: true, force: true });
}
