"""No network for the course's code: every connection or name lookup that leaves this machine fails.

The test suite runs this file in its own process (tests/conftest.py) and, as an IPython startup
file, in every kernel it starts (nbval, the solved-notebook runs, JupyterLab in the browser
tests): so each notebook and helper is tested offline. Loopback stays open, for the kernels'
own plumbing and the browser tests' JupyterLab. Subprocesses are not covered.
"""
import ipaddress
import socket

MESSAGE = "network access is blocked in the course's tests"


def _local(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _guarded(original):
    def connect(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _local(address[0]):
            raise OSError(f"{MESSAGE}: {address}")
        return original(self, address, *args)
    return connect


def _guarded_lookup(original):
    def getaddrinfo(host, *args, **kwargs):
        if not _local(host):
            raise OSError(f"{MESSAGE}: {host}")
        return original(host, *args, **kwargs)
    return getaddrinfo


if not getattr(socket, "_course_offline", False):
    socket.socket.connect = _guarded(socket.socket.connect)
    socket.socket.connect_ex = _guarded(socket.socket.connect_ex)
    socket.getaddrinfo = _guarded_lookup(socket.getaddrinfo)
    socket._course_offline = True
