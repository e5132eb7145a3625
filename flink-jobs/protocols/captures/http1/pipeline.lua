-- wrk script: three GETs written in ONE send() (HTTP/1.1 pipelining), then stop after their three responses so
-- the capture holds one pipelined batch, not a benchmark.
init = function(args)
  batch = wrk.format("GET", "/index.html") .. wrk.format("GET", "/a.txt") .. wrk.format("GET", "/missing")
end
request = function()
  return batch
end
local seen = 0
response = function(status, headers, body)
  seen = seen + 1
  if seen >= 3 then
    wrk.thread:stop()
  end
end
