-- wrk: one binary-mode CloudEvent POST with a JSON body, repeated; the figures come back as one JSON line.
wrk.method = "POST"
wrk.body = '{"orderId":"A-1042","amount":19.5,"quantity":3,"customer":{"id":"c-77","tier":"gold"},"items":[{"sku":"S-1","qty":2},{"sku":"S-9","qty":1}]}'
wrk.headers["content-type"] = "application/json"
wrk.headers["ce-specversion"] = "1.0"
wrk.headers["ce-id"] = "bench-0001"
wrk.headers["ce-source"] = "//bench.example.com/orders"
wrk.headers["ce-type"] = "com.example.order.placed"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean,
    e.status, e.connect, e.read, e.write, e.timeout))
end
