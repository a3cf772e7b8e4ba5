"""gunicorn settings for production mode (`make web`; README "Production mode").

gunicorn reads this file from the working directory by itself; `make web` names it anyway. Request
bodies are limited per route by the application (webapp/common/limits.py, docs/security.md); what
gunicorn bounds is the part it parses before the application sees anything: the request line and the
headers. A request over these gets gunicorn's 400 and never reaches Django.
"""

# The request line: method, path with its query string, protocol. API filters and the pages' links
# stay far below 4 KB.
limit_request_line = 4094
# Headers per request: a browser sends about 15, a proxy adds a few.
limit_request_fields = 50
# One header line: the session, CSRF and language cookies together are well under 1 KB.
limit_request_field_size = 8190
