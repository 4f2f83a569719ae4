"""The one HTML helper of the tests: a page parsed into a tree of elements, to check pages
by meaning (which elements, attributes and words) rather than by exact strings.

Built on the standard library's HTML tokenizer (``html.parser``), which reads any HTML as
browsers' tokenizers do; the tree here adds what a tree builder must: void elements
never hold children, and an end tag closes every element left open inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser


class Node:
    """An element of a parsed page: tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parent = parent
        self.children: list[Node | str] = []

    def iter(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str, **attrs: str) -> list[Node]:
        """Elements with this tag and attributes (``class_`` matches one of the classes)."""
        return [n for n in self.iter() if n.tag == tag and n._matches(attrs)]

    def _matches(self, attrs: dict[str, str]) -> bool:
        for key, value in attrs.items():
            if key == "class_":
                if not self.has_class(value):
                    return False
            elif self.attrs.get(key.rstrip("_")) != value:
                return False
        return True

    def find(self, tag: str, **attrs: str) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def by_class(self, name: str) -> list[Node]:
        return [n for n in self.iter() if n.has_class(name)]

    @property
    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text)
        return " ".join(" ".join(parts).split())


VOID = {"meta", "link", "input", "br", "img", "hr", "source", "wbr", "area", "base", "col"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.at = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), self.at)
        self.at.children.append(node)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.at.children.append(Node(tag, dict(attrs), self.at))

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.at = node.parent

    def handle_data(self, data: str) -> None:
        self.at.children.append(data)


def parse(html: str) -> Node:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.root
