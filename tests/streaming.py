"""Reading a streamed response as a server does (one helper for every domain's tests)."""

from __future__ import annotations

import threading


def fetch_in_a_thread(client, url: str) -> str:
    """Fetch ``url`` the way a server does: from a thread with no app context of the test's,
    so the request tears its session down when the view returns, before the body is read."""
    result: dict = {}

    def fetch():
        try:
            response = client.get(url)
            result["body"] = response.get_data(as_text=True)
        except Exception as error:  # noqa: BLE001 - handed to the test below
            result["error"] = error

    thread = threading.Thread(target=fetch)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["body"]
