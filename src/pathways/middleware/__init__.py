"""The web app's ASGI middlewares, one a module: ``headers`` (security headers and the
page for a bug), ``limits`` (oversized requests refused) and ``finished`` (built pages sent
from memory). Framework types only (``starlette.types``); ``web.py`` stacks them."""
