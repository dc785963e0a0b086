from typing import Any


def load_ventures(stdout: Any) -> None:
    pass
