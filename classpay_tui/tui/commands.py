"""The command palette (ctrl+p): every action of the screen underneath, by name.

Actions come from the live key bindings that carry an id (ours; so the palette can
never offer a key that does not exist, nor an action the role cannot use), plus the extra commands a screen
offers through ``palette_commands()`` (sort orders, status filters)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ActionsProvider(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        commands: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or not active.enabled or binding.action in seen:
                continue
            if binding.id is None:
                continue  # Textual's own cursor and focus keys: ours all carry an id
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            run = partial(self.app.run_action, binding.action, active.node)
            commands.append((f"{binding.description} ({key})", binding.tooltip or binding.description, run))
        extra = getattr(screen, "palette_commands", None)
        if callable(extra):
            commands.extend(extra())
        return commands

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=help_text)
