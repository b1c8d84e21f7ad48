-- wrk script: POST one JSON-RPC message (MCP_BODY) per request to /mcp. 2025-11-25 (the default): in the session
-- MCP_SESSION. 2026-07-28: MCP_PROTOCOL_VERSION=2026-07-28 and no session, with MCP_METHOD and MCP_NAME for the
-- standard headers a conforming client sends. Used by mcp-wrk.sh and lib.sh.
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = os.getenv("MCP_PROTOCOL_VERSION") or "2025-11-25"
local function header(name, variable)
  local value = os.getenv(variable)
  if value ~= nil and value ~= "" then wrk.headers[name] = value end
end
header("Mcp-Session-Id", "MCP_SESSION")
header("Mcp-Method", "MCP_METHOD")
header("Mcp-Name", "MCP_NAME")

local failures = 0
response = function(status, headers, body)
  if status ~= 200 or string.find(body, '"error"', 1, true) then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("unexpected answer " .. status .. ": " .. string.sub(body, 1, 200) .. "\n") end
  end
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s %.0f  p50 %.2f ms  p99 %.2f ms  errors %d  non-2xx/JSON-RPC errors %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, failures))
end
