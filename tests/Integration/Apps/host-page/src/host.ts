// A minimal MCP Apps host: connects to the server that served this page (/mcp, JSON-RPC over Streamable HTTP),
// calls a tool, reads the view the tool links to, renders it in a sandboxed frame and bridges it with AppBridge:
// the view's tool calls and resource reads go to the server, and the opening call's input and result go to the view.
// Progress is written into the page (body[data-host], #calls, #log) for the test to wait on.
import { AppBridge, PostMessageTransport, getToolUiResourceUri } from "@modelcontextprotocol/ext-apps/app-bridge";

type Json = Record<string, unknown>;

const endpoint = new URL("/mcp", location.origin).href;
const protocolVersion = "2025-11-25";
const params = new URLSearchParams(location.search);
const toolName = params.get("tool") ?? "list_tickets";
const toolArguments = JSON.parse(params.get("arguments") ?? "{}") as Json;

const log = document.querySelector<HTMLPreElement>("#log")!;
const calls = document.querySelector<HTMLOListElement>("#calls")!;
let sessionId: string | null = null;
let nextId = 1;

function state(value: string, detail?: string): void {
  document.body.dataset.host = value;
  if (detail) {
    log.textContent += `${detail}\n`;
  }
}

class RpcError extends Error {
  constructor(readonly code: number, message: string, readonly data?: unknown) {
    super(message);
  }
}

/** The JSON-RPC message in a response: a JSON body, or the one with our id among the events of an SSE stream. */
async function messageOf(response: Response, id?: number): Promise<Json | null> {
  const type = response.headers.get("content-type") ?? "";
  const text = await response.text();
  if (type.startsWith("application/json")) {
    return JSON.parse(text) as Json;
  }
  if (type.startsWith("text/event-stream")) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart()).join("\n");
      if (data) {
        const message = JSON.parse(data) as Json;
        if (message.id === id) {
          return message;
        }
      }
    }
  }
  return null;
}

async function post(body: Json): Promise<Response> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
    "MCP-Protocol-Version": protocolVersion,
  };
  if (sessionId) {
    headers["Mcp-Session-Id"] = sessionId;
  }
  return fetch(endpoint, { method: "POST", headers, body: JSON.stringify(body) });
}

async function rpc<T = Json>(method: string, methodParams: Json): Promise<T> {
  const id = nextId++;
  const response = await post({ jsonrpc: "2.0", id, method, params: methodParams });
  const message = await messageOf(response, id);
  if (!message) {
    throw new Error(`${method}: HTTP ${response.status} without a JSON-RPC answer`);
  }
  if (message.error) {
    const error = message.error as { code: number; message: string; data?: unknown };
    throw new RpcError(error.code, `${method}: ${error.message}`, error.data);
  }
  return message.result as T;
}

async function connect(): Promise<void> {
  const response = await post({
    jsonrpc: "2.0",
    id: nextId++,
    method: "initialize",
    params: {
      protocolVersion,
      capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } } },
      clientInfo: { name: "mcp-apps-test-host", version: "1.0.0" },
    },
  });
  const message = await messageOf(response, 1);
  if (!response.ok || !message?.result) {
    throw new Error(`initialize failed: HTTP ${response.status} ${JSON.stringify(message)}`);
  }
  sessionId = response.headers.get("Mcp-Session-Id");
  await post({ jsonrpc: "2.0", method: "notifications/initialized" });
}

function record(name: string, args: unknown, outcome: string): void {
  const item = document.createElement("li");
  item.dataset.tool = name;
  item.dataset.outcome = outcome;
  item.textContent = `${name} ${JSON.stringify(args)} → ${outcome}`;
  calls.append(item);
}

async function main(): Promise<void> {
  await connect();
  const { tools } = await rpc<{ tools: Array<Json & { name: string }> }>("tools/list", {});
  const tool = tools.find((t) => t.name === toolName);
  const uri = tool && getToolUiResourceUri(tool);
  if (!uri) {
    throw new Error(`The server's tool '${toolName}' links no view (_meta.ui.resourceUri).`);
  }

  const result = await rpc<Json>("tools/call", { name: toolName, arguments: toolArguments });
  const read = await rpc<{ contents: Array<{ text?: string; mimeType?: string; _meta?: Json }> }>("resources/read", { uri });
  const document_ = read.contents[0];
  if (document_?.mimeType !== "text/html;profile=mcp-app" || !document_.text) {
    throw new Error(`${uri} is not an MCP App document: ${JSON.stringify(document_?.mimeType)}`);
  }
  const ui = (document_._meta?.ui ?? {}) as { prefersBorder?: boolean };

  const frame = document.createElement("iframe");
  frame.id = "view";
  frame.title = uri;
  frame.setAttribute("sandbox", "allow-scripts");
  frame.classList.toggle("border", ui.prefersBorder === true);
  document.querySelector("#stage")!.append(frame);

  const bridge = new AppBridge(
    null,
    { name: "mcp-apps-test-host", version: "1.0.0" },
    { serverTools: {}, serverResources: {}, logging: {} },
    { hostContext: { theme: "light", displayMode: "inline", platform: "web", toolInfo: { tool: tool as never } } },
  );
  bridge.oncalltool = async (call) => {
    try {
      const answer = await rpc<Json>("tools/call", call as unknown as Json);
      record(call.name, call.arguments, answer.isError ? "error" : "ok");
      return answer as never;
    } catch (error) {
      record(call.name, call.arguments, "failed");
      throw error;
    }
  };
  bridge.onreadresource = async (request) => (await rpc<Json>("resources/read", request as unknown as Json)) as never;
  bridge.addEventListener("sizechange", ({ height }) => {
    if (height != null) {
      frame.style.height = `${height}px`;
    }
  });
  bridge.addEventListener("initialized", () => {
    void (async () => {
      await bridge.sendToolInput({ arguments: toolArguments });
      await bridge.sendToolResult(result as never);
      state("ready");
    })().catch((error: unknown) => state("error", String(error)));
  });

  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  state("loading-view");
  frame.srcdoc = document_.text;
}

main().catch((error: unknown) => state("error", error instanceof Error ? error.stack ?? error.message : String(error)));
