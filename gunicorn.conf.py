"""gunicorn's settings for Safeguard behind its TLS proxy (README, "Deploying"):
`.venv/bin/gunicorn -c gunicorn.conf.py`. Options given on the command line win."""

wsgi_app = "safeguard.wsgi"
# Only the proxy on this machine talks to gunicorn.
bind = "127.0.0.1:8001"
workers = 3

# Whether a request came over HTTPS is Django's decision alone (SECURE_PROXY_SSL_HEADER,
# the X-Forwarded-Proto the proxy sets). gunicorn would otherwise also believe
# X-Forwarded-Proto, X-Forwarded-Protocol and X-Forwarded-Ssl from the proxy's address,
# headers a proxy passes on from the client unless told to remove them, and set
# wsgi.url_scheme from them.
secure_scheme_headers = {}
# Nor may the proxy (or a client through it) set SCRIPT_NAME or PATH_INFO by header.
forwarder_headers = ""
# Named here so that a FORWARDED_ALLOW_IPS in the environment cannot widen it.
forwarded_allow_ips = "127.0.0.1,::1"
