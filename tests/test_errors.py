"""Every error a user can meet has one home, assistant.errors, and is exported from the package."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import assistant
from assistant.errors import ScrError


def _modules() -> list[str]:
    """Every run-time and evaluation module of the package (``__main__`` runs the CLI, so it is left out)."""
    names = [info.name for info in pkgutil.walk_packages(assistant.__path__, "assistant.")]
    return [name for name in names if not name.endswith("__main__")]


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_scr_error_lives_in_errors_and_is_exported() -> None:
    modules = _modules()
    assert len(modules) > 40 and "assistant.search.filters" in modules  # the walk finds the subpackages' modules
    for name in modules:
        importlib.import_module(name)
    errors = {ScrError} | {cls for cls in _subclasses(ScrError) if cls.__module__.startswith("assistant")}
    misplaced = sorted(f"{cls.__module__}.{cls.__name__}" for cls in errors if cls.__module__ != "assistant.errors")
    assert misplaced == []
    assert sorted(cls.__name__ for cls in errors if cls.__name__ not in assistant.__all__) == []
    assert all(getattr(assistant, cls.__name__) is cls for cls in errors)


def test_no_public_exception_class_is_defined_outside_errors() -> None:
    """A private one (generate's ``_Unusable``) is caught where it is raised and never reaches a user."""
    public = []
    for name in _modules():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == name:
                if not attr.startswith("_") and name != "assistant.errors":
                    public.append(f"{name}.{attr}")
    assert public == []


def test_old_import_paths_still_work() -> None:
    import assistant.answer.roles
    import assistant.api
    import assistant.errors
    import assistant.search.filters

    assert assistant.api.QueryError is assistant.errors.QueryError
    assert assistant.search.filters.FilterError is assistant.errors.FilterError
    assert assistant.answer.roles.RoleError is assistant.errors.RoleError
