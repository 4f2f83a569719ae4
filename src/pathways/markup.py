"""What of an HTML text a reader sees: the one home of that rule, for the rendered pages
(``templating``: is the intended-purpose statement shown?) and for template sources
(``lint``: does a template's visible text read as advice?). Plain patterns, no parser:
they run on every render. Layer 1 (stdlib only).
"""

from __future__ import annotations

import re

HIDDEN_ELEMENT = re.compile(r"<(style|script|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
"""What HTML holds that a reader never sees: styles, scripts, inert templates, comments."""

TAG = re.compile(r"<[^>]*>")
"""An HTML tag, attributes and all (``[^>]`` crosses line ends)."""
