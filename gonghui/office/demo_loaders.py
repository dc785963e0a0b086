"""Found by ``gonghui.demo.loaders.run_all``: the office's documents, calls and tasks."""

from __future__ import annotations

from gonghui.demo.loaders import register

from .demo import load_office

register("office", load_office)
