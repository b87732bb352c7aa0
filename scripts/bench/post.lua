-- wrk -s scripts/bench/post.lua: every request is a POST of $BENCH_BODY as JSON.
-- Other headers (the API key) come from wrk's own -H.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or error("post.lua: BENCH_BODY is not set")
wrk.headers["Content-Type"] = "application/json"
