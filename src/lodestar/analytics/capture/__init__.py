"""Event capture: the PostHog and Segment HTTP endpoints' server side.

    body.py       the request body as JSON: gzip (header, `?compression=gzip-js` or sniffed),
                  form-encoded `data=` (base64), text/plain (sendBeacon); size caps
    normalize.py  PostHog events and Segment messages -> spool rows (lodestar.analytics.events),
                  validated one by one: a bad event is dropped with its index and reason
    keys.py       the product behind a write key (cached per process for a few seconds)
    ratelimit.py  a per-process token bucket per write key (no relational write per request)
    services.py   `capture_accept`: the spool append that must return before the 200
    limits.py     every size and rate limit, in one place

The views (analytics/views/capture.py) only tie these together. What a client sees (status
codes, partial batches, CORS) is documented in docs/measure-capture.md.
"""
