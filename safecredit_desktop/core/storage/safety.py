"""Keeping the database file safe: private permissions, network folders, damage.

- Files the program opens or writes (the database and its -wal/-shm, backups, PDFs,
  workbooks, e-mail drafts) are readable by the user only (0600; on Windows the user's
  profile folder already restricts them), whatever the umask and whatever mode an
  existing file had: they hold personal data (ID numbers, penalties).
- SQLite's locking and WAL are unsafe on network file systems: a database on an NFS,
  SMB/CIFS or other remote mount (Linux), or on a UNC path or mapped network drive
  (Windows), is opened read-only with a warning.
- A database that SQLite cannot read is reported with the newest backup that passes
  its checks, so the window can offer to restore it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

NETWORK_FILE_SYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "fuse.sshfs",
        "fuse.rclone",
        "fuse.glusterfs",
        "davfs",
        "fuse.davfs2",
    }
)
NETWORK_WARNING = (
    "数据库位于网络共享文件夹（{where}），多台电脑同时写入会损坏数据，已以只读方式打开。"
    "请把数据库放在本机磁盘上：每台电脑各用自己的数据库，用“全部数据”工作簿交换和合并。"
)


def make_private(path: Path) -> None:
    """Readable and writable by the owner only (no effect where chmod means little)."""
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)


def make_private_folder(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.chmod(path, 0o700)


DATABASE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private_database(path: Path) -> None:
    """The database and the files SQLite keeps beside it, owner only."""
    make_private(path)
    for suffix in DATABASE_SIDE_FILES:
        side = Path(f"{path}{suffix}")
        if side.exists():
            make_private(side)


def write_private_file(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all, readable by the owner only: a
    temporary file created 0600 beside it, flushed to disk, then renamed into place.
    OSError is left to the caller (it knows what the file was)."""
    partial = path.with_name(f".~{path.name}.part")
    partial.unlink(missing_ok=True)
    try:
        handle = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _BINARY, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    make_private(path)
    return path


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _linux_mount_type(path: Path, mounts_file: Path = Path("/proc/mounts")) -> str | None:
    """The file-system type of the mount holding ``path`` (the longest mount point)."""
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    target = str(path.resolve())
    best, kind = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


def _windows_remote(path: Path) -> bool:
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return True
    drive = path.resolve().drive
    if not drive or sys.platform != "win32":
        return False
    import ctypes

    drive_remote = 4
    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (Windows only)
    kind = kernel32.GetDriveTypeW(f"{drive}\\")
    return int(kind) == drive_remote


def network_location(path: Path) -> str | None:
    """A description of the network file system holding ``path``, or None if local."""
    if _windows_remote(path):
        return "网络路径或映射的网络驱动器"
    if sys.platform.startswith("linux"):
        kind = _linux_mount_type(path.parent if not path.exists() else path)
        if kind is not None and kind.lower() in NETWORK_FILE_SYSTEMS:
            return f"{kind} 网络文件系统"
    return None


def sqlite_failure(error: BaseException) -> str | None:
    """A Chinese sentence for an SQLite failure the user can act on, or None."""
    text = str(error).lower()
    if "full" in text or "disk i/o" in text:
        return (
            "磁盘空间不足或磁盘读写失败，本次更改没有保存，数据库保持原样。请清理磁盘空间后重试。"
        )
    if "locked" in text or "busy" in text:
        return "数据库正被其他程序长时间占用，本次更改没有保存。请稍后重试。"
    if "readonly" in text or "read-only" in text:
        return "数据库文件不可写（只读或位于网络共享文件夹），本次更改没有保存。"
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return "数据库文件已损坏。请用最近的备份恢复（safecredit restore 备份文件）。"
    return None
