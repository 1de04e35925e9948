"""Publishing a snapshot atomically.

The snapshot is assembled in a hidden sibling folder (`.<as-of>.tmp-<pid>-*`, `work_dir`) and renamed into place
only when every file is written; an existing snapshot (`--force`, `--resume`) is swapped out in one atomic
exchange, so a crash at any moment leaves earlier snapshots byte-identical and never shows a half-written folder
under a visible name. Hidden folders of runs that died are removed by the next run (`sweep_dead_work_dirs`).

A published snapshot has the permissions of any folder the user creates (the umask: 755 folders and 644 files
under the usual 022), so other users of a shared reports server can read it; the work folder (`tempfile.mkdtemp`,
700) and the files written through temp files (600) are opened up just before publishing (`share`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from planning.errors import SnapshotExists

# Hidden working folders next to the snapshots: `.<as-of>.tmp-<pid>-<random>` (`.<as-of>+<scenario>.tmp-...` for
# a named scenario's snapshot).
_WORK_DIR = re.compile(r"^\.\d{4}-\d{2}-\d{2}(?:\+[a-z][a-z0-9_-]{0,39})?\.tmp-(\d+)-")
_WORK_DIR_DATE = re.compile(r"^\.(\d{4}-\d{2}-\d{2}(?:\+[a-z][a-z0-9_-]{0,39})?)\.tmp-\d+-")


def published_path(work: Path) -> Path:
    """The snapshot folder a hidden working folder (`work_dir`) is published as: `<root>/<as-of>` (or
    `<root>/<as-of>+<scenario>`); `work` itself when it is not a working folder."""
    m = _WORK_DIR_DATE.match(work.name)
    return work.with_name(m.group(1)) if m else work


def work_dir(out_root: Path, snapshot_name: str) -> Path:
    """A new hidden folder in `out_root` to assemble the snapshot `snapshot_name` in (after sweeping dead ones)."""
    out_root.mkdir(parents=True, exist_ok=True)
    sweep_dead_work_dirs(out_root)
    return Path(tempfile.mkdtemp(prefix=f".{snapshot_name}.tmp-{os.getpid()}-", dir=out_root))


def sweep_dead_work_dirs(out_root: Path) -> None:
    """Remove hidden working folders left by runs that were killed (their process no longer exists)."""
    for entry in out_root.iterdir() if out_root.is_dir() else ():
        m = _WORK_DIR.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(entry, ignore_errors=True)
        except PermissionError:
            pass  # a live process of another user


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def umask() -> int:
    """The process's umask, read without changing it where the system tells it (Linux: /proc/self/status); else
    set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def share(path: Path) -> None:
    """Give `path` and, for a folder, everything in it the permissions of a new folder / file under the umask
    (folders 777 - umask, files 666 - umask, or 777 - umask for a file with an execute bit); symlinks are left."""
    mask = umask()
    dir_mode, file_mode, exec_mode = 0o777 & ~mask, 0o666 & ~mask, 0o777 & ~mask
    if path.is_symlink():
        return
    if not path.is_dir():
        os.chmod(path, exec_mode if path.stat().st_mode & 0o111 else file_mode)
        return
    os.chmod(path, dir_mode)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            if stat.S_ISDIR(st.st_mode):
                os.chmod(p, dir_mode)
            elif stat.S_ISREG(st.st_mode):
                os.chmod(p, exec_mode if st.st_mode & 0o111 else file_mode)


def publish(tmp: Path, final: Path, replace: bool) -> None:
    """Rename the finished temp folder into place.

    An existing snapshot is replaced only with `replace` (--force, --resume), in one atomic exchange where the
    system supports it (else two renames: for an instant no snapshot of that date is visible, but no half one).
    The folder gets the umask's permissions first (`share`).
    """
    share(tmp)
    if final.exists() or final.is_symlink():
        if not replace:
            raise SnapshotExists(f"{final}: a snapshot for {final.name} appeared while this run was working")
        if exchange(tmp, final):
            shutil.rmtree(tmp, ignore_errors=True)  # now holds the old snapshot under the hidden name
            return
        trash = tmp.with_name(tmp.name + "-old")
        os.replace(final, trash)
        os.replace(tmp, final)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(tmp, final)
