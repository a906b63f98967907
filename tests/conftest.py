"""Shared fixtures. Qt tests run offscreen; PostgreSQL tests need KIOSK_TEST_DATABASE_URL."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def postgres_url() -> str:
    url = os.environ.get("KIOSK_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set KIOSK_TEST_DATABASE_URL (.ci/run does)")
        pytest.skip("KIOSK_TEST_DATABASE_URL is not set")
    return url
