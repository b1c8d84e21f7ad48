// Builds dist/ticket-board.html: index.html with the bundled script and the stylesheet inlined, so the view needs
// nothing from any other origin (hosts' CSP forbids it unless the view declares the origin).
import { build } from "esbuild";
import { mkdir, readFile, writeFile } from "node:fs/promises";

const here = new URL(".", import.meta.url);
const bundle = await build({
  entryPoints: [new URL("src/board.ts", here).pathname],
  bundle: true,
  format: "iife",
  target: "es2022",
  minify: true,
  legalComments: "none",
  write: false,
});
const script = bundle.outputFiles[0].text.replaceAll("</script", "<\\/script");
const style = (await readFile(new URL("src/board.css", here), "utf8")).replaceAll("</style", "<\\/style");
const template = await readFile(new URL("index.html", here), "utf8");
const html = template.replace("/*STYLE*/", () => style).replace("/*SCRIPT*/", () => script);
await mkdir(new URL("dist/", here), { recursive: true });
await writeFile(new URL("dist/ticket-board.html", here), html);
console.log(`dist/ticket-board.html: ${html.length} characters`);
