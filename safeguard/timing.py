"""Server-side timing for the benchmark (`make bench`), switched on by BENCH=true only.

The middleware wraps everything after it, so the time it reports is the application's own
work for the request (views, templates, queries, sessions), without the network or the
WSGI server; it also counts the database queries. Both go back in a Server-Timing header,
which is why this must never be on in production: it tells a client how long things took.
"""

import time

from django.db import connection


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
            if getattr(response, "streaming", False) is False and hasattr(response, "render"):
                response.render()
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f'app;dur={elapsed_ms:.2f}, db;desc="{queries} queries"'
        response["X-Query-Count"] = str(queries)
        return response
