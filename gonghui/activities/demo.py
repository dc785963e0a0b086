from typing import Any


def load_activities(stdout: Any) -> None:
    pass
