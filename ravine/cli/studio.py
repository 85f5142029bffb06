"""``ravine studio``: the local web app (navigator, previews, renders) on uvicorn."""

from __future__ import annotations

import errno
import ipaddress
import socket
import threading
import webbrowser
from pathlib import Path

import click

from ravine.cli.options import CONTEXT, check_out_dir, load_scenes, log, require_render_deps


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _check_port(host: str, port: int) -> None:
    """Refuse a port that is taken (one line, exit 1) before the app starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            why = "it is in use" if error.errno == errno.EADDRINUSE else error.strerror
            raise click.ClickException(f"--port {port}: cannot listen on {host}:{port} ({why})") from None


@click.command("studio", context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDRESS",
              help="address to listen on (loopback unless told otherwise)")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="port, 1..65535")
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR",
              help="output folder for previews and renders (the CLI's; files are served from it only)")
@click.option("--no-browser", is_flag=True, help="do not open the page in a browser")
def studio_command(host: str, port: int, out_dir: str, no_browser: bool) -> None:
    """Start the studio: pick a scene, move its parameters and watch the engine's runs redraw,
    preview a frame, render a draft or a final clip (same pipeline, cache and out folder as
    'ravine render'). Stop it with Ctrl-C.

    \b
    Examples:
      ravine studio
      ravine studio --port 9000 --out drafts/ --no-browser
    """
    import uvicorn

    from ravine.studio.app import create_app, scene_listing

    check_out_dir(Path(out_dir))
    load_scenes()
    require_render_deps()
    _check_port(host, port)
    scene_listing()  # the registry is read once, before the first request
    app = create_app(Path(out_dir).resolve(), out_label=out_dir)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if not _loopback(host):
        log(f"warning: listening on {host}, not loopback: anyone who can reach it can render into {out_dir}")
    log(f"ravine studio at {url} (renders into {out_dir}; Ctrl-C stops it)")
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    if not no_browser:
        def open_page() -> None:
            while not server.started and not server.should_exit:
                threading.Event().wait(0.1)
            if server.started:
                webbrowser.open(url)

        threading.Thread(target=open_page, name="ravine-studio-browser", daemon=True).start()
    server.run()
