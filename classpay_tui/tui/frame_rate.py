"""How often the app may paint a frame; Textual reads it once, when it is first imported.

Textual paints at most ``TEXTUAL_FPS`` frames a second (60 unless set), and a frame waits
for the next tick after the last one. A filter keystroke paints its echo at once, and its
rows, read by a worker a few milliseconds later, then wait for the next 1/60 s: at 120 a
second they wait half as long (the rows of a keystroke on 100,000 bundles: ~33 ms to
~23 ms). Frames are still painted only when something on the screen changed. An office
that sets ``TEXTUAL_FPS`` itself (a slow link, say) keeps its own value.
"""

from __future__ import annotations

import os

FRAMES_PER_SECOND = 120


def use_frame_rate() -> None:
    """Call before anything imports Textual."""
    os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
