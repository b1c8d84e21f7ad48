-- wrk script: session churn. Each connection repeats initialize -> tools/call echo -> DELETE, carrying the
-- session id from the initialize answer. Run with one connection per thread (-c equal to -t): the session id is
-- kept per thread. The summary counts whole cycles (sessions/s) and any answer that is not what the step expects.
local threads = {}
setup = function(thread) table.insert(threads, thread) end

step, session, failures, cycles = 0, nil, 0, 0
local accept = "application/json, text/event-stream"

local init = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"wrk","version":"1"}}}'
local call = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"message":"hello"}}}'

request = function()
  if step == 0 or session == nil then
    step = 0
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Accept"] = accept }, init)
  elseif step == 1 then
    return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["Accept"] = accept,
      ["Mcp-Session-Id"] = session, ["MCP-Protocol-Version"] = "2025-11-25" }, call)
  else
    return wrk.format("DELETE", nil, { ["Mcp-Session-Id"] = session, ["MCP-Protocol-Version"] = "2025-11-25" })
  end
end

response = function(status, headers, body)
  if step == 0 then
    session = headers["Mcp-Session-Id"] or headers["mcp-session-id"]
    if status ~= 200 or session == nil then failures = failures + 1; step = 0; return end
    step = 1
  elseif step == 1 then
    if status ~= 200 or string.find(body, '"error"', 1, true) then failures = failures + 1 end
    step = 2
  else
    if status >= 300 then failures = failures + 1 end
    cycles = cycles + 1
    step, session = 0, nil
  end
end

done = function(summary, latency, requests)
  local total, failed = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("cycles")
    failed = failed + thread:get("failures")
  end
  io.write(string.format("sessions/s %.0f  p99 %.2f ms (per request)  errors %d  failed steps %d\n",
    total / (summary.duration / 1e6), latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, failed))
end
