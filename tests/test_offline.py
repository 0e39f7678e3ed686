"""Nothing in the notebooks or helpers opens a network connection: the tests run offline.

tests/offline/no_network.py blocks every connection and name lookup that leaves the machine, in
the test process and in every kernel the tests start; so nbval, the solved-notebook runs and the
browser tests execute every notebook offline, and a download anywhere would fail them.
"""
import socket
import urllib.request

import nbformat
import pytest
from nbclient import NotebookClient


def test_the_test_process_cannot_reach_the_network():
    with pytest.raises(OSError, match="network access is blocked"):
        socket.create_connection(("93.184.215.14", 80), timeout=2)
    with pytest.raises(OSError, match="network access is blocked"):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(Exception, match="network access is blocked"):
        urllib.request.urlopen("https://example.com", timeout=2)


def test_loopback_stays_open():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=2)
    client.close()
    server.close()


def test_a_kernel_started_like_nbvals_is_offline_too():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import socket, urllib.request\n"
        "for attempt in (lambda: socket.create_connection(('1.1.1.1', 53), timeout=2),\n"
        "                lambda: urllib.request.urlopen('https://pypi.org', timeout=2)):\n"
        "    try:\n"
        "        attempt()\n"
        "        print('connected')\n"
        "    except Exception as e:\n"
        "        print('blocked' if 'network access is blocked' in str(e) else repr(e))\n")]
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    assert nb.cells[0].outputs[0]["text"].split() == ["blocked", "blocked"]
