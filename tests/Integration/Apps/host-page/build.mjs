// Builds dist/host.html: index.html with the bundled host script inlined.
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const here = new URL(".", import.meta.url);
const bundle = await build({
  entryPoints: [new URL("src/host.ts", here).pathname],
  bundle: true,
  format: "iife",
  target: "es2022",
  platform: "browser",
  minify: true,
  legalComments: "none",
  write: false,
});
const script = bundle.outputFiles[0].text.replaceAll("</script", "<\\/script");
const template = await readFile(new URL("index.html", here), "utf8");
await mkdir(new URL("dist/", here), { recursive: true });
await writeFile(new URL("dist/host.html", here), template.replace("/*SCRIPT*/", () => script));
console.log("dist/host.html written");
