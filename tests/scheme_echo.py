"""A WSGI app for tests/test_deploy.py: answers with the scheme gunicorn decided on."""


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode()]
