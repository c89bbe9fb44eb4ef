-- wrk script for scripts/benchmark_load.py: stops each thread after its share
-- of the request budget, and prints the figures as one JSON line.
local budget = tonumber(os.getenv("OCSREGISTRY_WRK_MAX_REQUESTS_PER_THREAD") or "0")
local done_here = 0

function response(status, headers, body)
  done_here = done_here + 1
  if budget > 0 and done_here >= budget then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
