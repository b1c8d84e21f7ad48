// The ticket board: list_tickets as a table, with a Gridify filter and buttons that assign or close a ticket.
// Every call goes to the server through the host (App.callServerTool), which checks it as the user's own call.
import { App } from "@modelcontextprotocol/ext-apps/app-with-deps";

interface Ticket {
  id: number;
  title: string;
  status: string;
  priority: string;
  assignee?: string | null;
}

interface TicketPage {
  items: Ticket[];
  page: number;
  pageSize: number;
  totalItems: number;
}

interface ToolResult {
  isError?: boolean;
  structuredContent?: Record<string, unknown>;
  content?: Array<{ type: string; text?: string }>;
}

const PageSize = 25;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const table = $<HTMLTableElement>("#tickets");
const body = table.tBodies[0];
const filterInput = $<HTMLInputElement>("#filter");
const assigneeInput = $<HTMLInputElement>("#assignee");
const resolutionInput = $<HTMLInputElement>("#resolution");
const errorBox = $<HTMLParagraphElement>("#error");
const summary = $<HTMLSpanElement>("#summary");
const previous = $<HTMLButtonElement>("#previous");
const next = $<HTMLButtonElement>("#next");

const app = new App({ name: "ticket-board", version: "1.0.0" }, {}, { autoResize: true });

let page = 1;
// Each load gets a number; only the newest one renders, so a slow answer never overwrites a newer one.
let latest = 0;

function showError(message: string | null): void {
  errorBox.hidden = message === null;
  errorBox.textContent = message ?? "";
}

function textOf(result: ToolResult): string {
  return (result.content ?? []).filter((c) => c.type === "text" && c.text).map((c) => c.text).join("\n") || "The tool reported an error.";
}

function pageOf(result: ToolResult): TicketPage | null {
  const content = result.structuredContent;
  if (!content || !Array.isArray(content.items)) {
    return null;
  }
  return {
    items: content.items as Ticket[],
    page: Number(content.page ?? 1),
    pageSize: Number(content.pageSize ?? PageSize),
    totalItems: Number(content.totalItems ?? (content.items as unknown[]).length),
  };
}

function cell(row: HTMLTableRowElement, className: string, text: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}

function button(label: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.className = className;
  b.textContent = label;
  b.addEventListener("click", onClick);
  return b;
}

function render(result: ToolResult): void {
  if (result.isError) {
    showError(textOf(result));
    table.dataset.state = "error";
    return;
  }
  const data = pageOf(result);
  if (!data) {
    showError("list_tickets answered without structured content (items).");
    table.dataset.state = "error";
    return;
  }
  showError(null);
  page = data.page;
  body.replaceChildren();
  for (const ticket of data.items) {
    const row = body.insertRow();
    row.dataset.id = String(ticket.id);
    cell(row, "id", String(ticket.id));
    cell(row, "title", ticket.title);
    const status = cell(row, "status-cell", "");
    const badge = document.createElement("span");
    badge.className = `status status-${ticket.status}`;
    badge.textContent = ticket.status;
    status.append(badge);
    cell(row, `priority priority-${ticket.priority}`, ticket.priority);
    cell(row, "assignee", ticket.assignee ?? "");
    const actions = cell(row, "actions", "");
    const closed = ticket.status === "Closed";
    const assign = button("Assign", "assign", () => void assignTicket(ticket.id));
    const close = button("Close", "close", () => void closeTicket(ticket.id));
    close.disabled = closed;
    actions.append(assign, close);
  }
  const first = data.totalItems === 0 ? 0 : (data.page - 1) * data.pageSize + 1;
  const last = (data.page - 1) * data.pageSize + data.items.length;
  summary.textContent = data.totalItems === 0 ? "No tickets match." : `${first}–${last} of ${data.totalItems} tickets`;
  previous.disabled = data.page <= 1;
  next.disabled = last >= data.totalItems;
  table.dataset.state = "ready";
}

async function call(name: string, args: Record<string, unknown>): Promise<ToolResult | null> {
  try {
    return (await app.callServerTool({ name, arguments: args })) as ToolResult;
  } catch (error) {
    showError(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

async function load(): Promise<void> {
  const mine = ++latest;
  table.dataset.state = "loading";
  const filter = filterInput.value.trim();
  const result = await call("list_tickets", { ...(filter ? { filter } : {}), page, pageSize: PageSize });
  if (mine !== latest) {
    return;
  }
  if (result) {
    render(result);
  } else {
    table.dataset.state = "error";
  }
}

async function change(name: string, args: Record<string, unknown>): Promise<void> {
  const result = await call(name, args);
  if (result?.isError) {
    showError(textOf(result));
    return;
  }
  if (result) {
    await load();
  }
}

async function assignTicket(ticketId: number): Promise<void> {
  const assignee = assigneeInput.value.trim();
  await change("assign_ticket", { ticketId, assignee: assignee === "" ? null : assignee });
}

async function closeTicket(ticketId: number): Promise<void> {
  const resolution = resolutionInput.value.trim();
  if (resolution === "") {
    showError("Write a resolution before closing a ticket.");
    return;
  }
  await change("close_ticket", { ticketId, resolution });
}

// No <form>: hosts sandbox views without allow-forms, where a form never submits.
function applyFilter(): void {
  page = 1;
  void load();
}
$<HTMLButtonElement>("#apply").addEventListener("click", applyFilter);
filterInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    applyFilter();
  }
});
previous.addEventListener("click", () => {
  page = Math.max(1, page - 1);
  void load();
});
next.addEventListener("click", () => {
  page += 1;
  void load();
});

// The call that opened the view: its arguments fill the filter, its result is the first page.
app.ontoolinput = (params) => {
  const args = (params.arguments ?? {}) as Record<string, unknown>;
  if (typeof args.filter === "string") {
    filterInput.value = args.filter;
  }
  if (typeof args.page === "number") {
    page = args.page;
  }
};
app.ontoolresult = (params) => {
  // Shown unless the board has already started a load of its own (which is newer).
  if (latest === 0) {
    render(params as ToolResult);
  }
};

app.connect().then(
  () => {
    // Opened for a tool call, the view gets its result from the host; opened on its own, it loads the first page.
    if (!app.getHostContext()?.toolInfo) {
      void load();
    }
  },
  (error: unknown) => showError(`Could not connect to the host: ${error instanceof Error ? error.message : String(error)}`),
);
