-- wrk script: POST one 2026-07-28 (stateless) JSON-RPC request per request to /mcp: no session; the protocol
-- version, method and name in headers as a conforming client sends them. MCP_BODY, MCP_METHOD and MCP_NAME come
-- from the environment (see ab.sh).
wrk.method = "POST"
wrk.body = os.getenv("MCP_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = os.getenv("MCP_METHOD")
if os.getenv("MCP_NAME") ~= nil and os.getenv("MCP_NAME") ~= "" then wrk.headers["Mcp-Name"] = os.getenv("MCP_NAME") end

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
