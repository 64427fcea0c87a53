"""Confine a query process: no file outside the database's folder, nothing written, no network, no exec.

On Linux, Landlock (kernel 5.13 or newer) limits the process to reading beneath one folder, and a
seccomp filter refuses the system calls a query never needs (sockets, exec, ptrace, mounts,
namespaces, kernel modules). Both are inherited by any thread the engine starts and cannot be lifted
by the process itself. Elsewhere (macOS, Windows, a Linux without Landlock or libseccomp) the
sandbox is not in force, :func:`sandbox_support` says why, and the endpoint then refuses to listen
beyond loopback unless told to.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass
from pathlib import Path

#: System calls a query process never makes; each fails with EPERM.
REFUSED_SYSCALLS = (
    "socket", "socketpair", "execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "bpf", "perf_event_open",
    "init_module", "finit_module", "delete_module", "kexec_load", "keyctl", "add_key", "request_key",
    "personality", "userfaultfd",
)


class SandboxUnavailable(RuntimeError):
    """The platform offers no sandbox for query processes; the message says what is missing."""


@dataclass(frozen=True)
class SandboxSupport:
    """Whether query processes can be confined here.

    Attributes
    ----------
    available : bool
        Both Landlock and seccomp can be applied.
    reason : str
        What confines them, or what is missing.
    """

    available: bool
    reason: str


def sandbox_support() -> SandboxSupport:
    """Whether this platform can confine query processes, and why not if it cannot.

    Examples
    --------
    >>> support = sandbox_support()
    >>> support.reason != ""
    True
    """
    if not sys.platform.startswith("linux"):
        return SandboxSupport(False, f"{sys.platform} has no Landlock or seccomp")
    try:
        from landlock.plumbing import landlock_abi_version

        abi = landlock_abi_version()
    except Exception as error:  # the package raises its own errors, OSError or AttributeError by kernel
        return SandboxSupport(False, f"Landlock is not available: {error}")
    try:
        import pyseccomp  # noqa: F401 - loading it finds libseccomp

    except (ImportError, OSError) as error:
        return SandboxSupport(False, f"libseccomp is not available: {error}")
    return SandboxSupport(True, f"Landlock ABI {abi} (read-only, one folder) and a seccomp filter")


def enter_sandbox(readable: Path) -> None:
    """Confine the calling process for good: read beneath ``readable`` only, no writes, no network, no exec.

    Files already open stay usable, so the database is opened first.

    Raises
    ------
    SandboxUnavailable
        Where :func:`sandbox_support` says the platform cannot do it.

    Examples
    --------
    >>> import subprocess, sys, textwrap
    >>> code = textwrap.dedent('''
    ...     from pathlib import Path
    ...     from civicgraph.cypher.sandbox import enter_sandbox
    ...     enter_sandbox(Path("/usr/share"))
    ...     try:
    ...         open("/etc/hostname").read()
    ...     except PermissionError:
    ...         print("refused")''')
    >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip()
    'refused'
    """
    support = sandbox_support()
    if not support.available:
        raise SandboxUnavailable(support.reason)
    import landlock
    import pyseccomp
    from landlock.plumbing import FSAccess

    syscalls = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    syscalls.set_attr(pyseccomp.Attr.CTL_TSYNC, 1)  # every thread of the process, not only this one
    for name in REFUSED_SYSCALLS:
        try:
            syscalls.add_rule(pyseccomp.ERRNO(errno.EPERM), name)
        except (ValueError, OSError, RuntimeError):  # a call this architecture does not have
            continue
    ruleset = landlock.Ruleset()
    ruleset.allow(str(readable), rules=FSAccess.READ_FILE | FSAccess.READ_DIR)
    ruleset.apply()
    syscalls.load()
