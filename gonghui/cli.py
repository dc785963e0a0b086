"""The ``gonghui`` console command: every Django management command, with gonghui's settings."""

from __future__ import annotations

import os
import sys

# The PRODUCT.md names of commands whose Django module names use underscores.
COMMAND_ALIASES = {
    "import-members": "import_members",
    "hotline-tick": "hotline_tick",
    "audit-verify": "audit_verify",
    "audit-archive": "audit_archive",
    "grant-runtime-role": "grant_runtime_role",
    "rotate-field-key": "rotate_field_key",
}
# ``gonghui audit verify`` reads as well as ``gonghui audit-verify``
TWO_WORD = {("audit", "verify"): "audit_verify", ("audit", "archive"): "audit_archive"}


def _apply_data_dir(args: list[str]) -> None:
    """``gonghui demo --data-dir DIR``: the settings read ``GONGHUI_DATA_DIR`` when imported,
    so the option has to reach the environment before Django loads."""
    if not args or args[0] != "demo":
        return
    for i, arg in enumerate(args[1:], start=1):
        if arg == "--data-dir" and i + 1 < len(args):
            os.environ["GONGHUI_DATA_DIR"] = args[i + 1]
        elif arg.startswith("--data-dir="):
            os.environ["GONGHUI_DATA_DIR"] = arg.split("=", 1)[1]


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    os.umask(0o077)  # before anything is written: every file the program writes is 0600
    if len(args) >= 2 and (args[0], args[1]) in TWO_WORD:
        args = [TWO_WORD[(args[0], args[1])], *args[2:]]
    if args and args[0] in COMMAND_ALIASES:
        args = [COMMAND_ALIASES[args[0]], *args[1:]]
    _apply_data_dir(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gonghui", *args])


if __name__ == "__main__":
    main()
