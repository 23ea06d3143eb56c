"""Python's garbage collector kept out of the request (issue 17).

A full collection walks every tracked object in the worker, and a page that builds many
objects (a dashboard, a register) set one off in the middle of someone's request: at the
trust's scale that was most of the record form's p95. Here:

- `gc.freeze()` once the app is loaded (the first request through the middleware) moves
  everything alive then (modules, settings, URL patterns, templates) into a generation the
  collector never walks again: later collections are shorter.
- During a request the collector is paused; the objects it would have looked at wait.
- When the response has been sent (Django's `request_finished`, after the WSGI server has
  written the body), the generations that are due are collected, as the collector would
  have done by itself: the time goes between requests, not into one.

A reference cycle made during a request is freed a moment later than it would have been;
nothing else changes. `safeguard.settings.MIDDLEWARE` puts this first.
"""

import gc

from django.core.signals import request_finished

_frozen = False


def _collect_what_is_due(**kwargs) -> None:
    gc.enable()
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [generation for generation in range(3) if counts[generation] >= thresholds[generation]]
    if due:
        gc.collect(max(due))


class CollectorOutsideRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(_collect_what_is_due, dispatch_uid="safeguard.collector")

    def __call__(self, request):
        global _frozen
        if not _frozen:
            gc.collect()
            gc.freeze()
            _frozen = True
        gc.disable()
        return self.get_response(request)
