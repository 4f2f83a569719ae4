"""Where the templates are looked for: one rule, used by every part."""

from __future__ import annotations

from pathlib import Path

from pathways import resources


def test_a_users_templates_folder_comes_before_the_packaged_one(tmp_path: Path) -> None:
    """A user's templates folder is looked in first, then the packaged one."""
    assert resources.template_dirs(tmp_path) == (tmp_path, resources.default_templates_dir())


def test_without_a_users_folder_only_the_packaged_templates_are_used() -> None:
    """With no folder chosen, the packaged templates are the only ones."""
    assert resources.template_dirs(None) == (resources.default_templates_dir(),)
