"""A Sphinx extension: each page loads its scripts once, so the browser console stays clean.

Jupyter Book 1 registers sphinx-thebe's and sphinx-togglebutton's inline scripts
twice on every page; the second ``const THEBE_JS_URL`` is a SyntaxError in every
reader's console, and a real error would drown in it. This drops the repeats. It
also fixes the colour mode (the theme logs an error when none is set), since the
figures are drawn for a light page.
"""

from __future__ import annotations


def _script_key(script) -> tuple:
    """What makes two script tags the same: the file (None or "" for inline code) and the attributes, body included."""
    filename = getattr(script, "filename", script)
    return (str(filename or ""), tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))


def _drop_repeated_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            kept.append(script)
    context["script_files"] = kept


def _light_mode(app, config) -> None:
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")  # pydata-sphinx-theme reads it from the page context
    config.html_context = context


def setup(app) -> dict:
    app.connect("config-inited", _light_mode, priority=900)
    app.connect("html-page-context", _drop_repeated_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
