"""Shared fixtures for the unit tests."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(autouse=True, scope="session")
def _private_trust_store(tmp_path_factory: pytest.TempPathFactory):
    """Documents trusted by tests go to a store of the test session's, not the user's."""
    import os

    path = tmp_path_factory.mktemp("trust") / "trusted.json"
    previous = os.environ.get("JNO_LAB_TRUST_FILE")
    os.environ["JNO_LAB_TRUST_FILE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("JNO_LAB_TRUST_FILE", None)
    else:
        os.environ["JNO_LAB_TRUST_FILE"] = previous
