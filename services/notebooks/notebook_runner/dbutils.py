"""`dbutils` as the lab's notebooks use it: `fs` (mount, unmount, mounts, refreshMounts, ls, head
on DBFS and on S3 mounts; mkdirs, put, rm, cp on the local DBFS: on a mount they name the limit), and `widgets` (values given on the command line win
over a widget's default, as a job's parameters do on Databricks)."""
from __future__ import annotations

import shutil

from notebook_runner.dbfs import DBFS, FileInfo, MountInfo


class FsUtils:
    def __init__(self, dbfs: DBFS) -> None:
        self._dbfs = dbfs

    def _local(self, path: str, operation: str):
        if self._dbfs.s3_location(path):
            raise NotImplementedError(f"dbutils.fs.{operation} on an S3 mount ({path}) is not provided by the lab: "
                                      "write through Spark (it reads and writes the mount in place)")
        return self._dbfs.local_path(path)

    def mount(self, source: str, mount_point: str, encryption_type: str = "", extra_configs: dict | None = None,
              **_ignored) -> bool:
        return self._dbfs.mount(source, mount_point, extra_configs)

    def unmount(self, mount_point: str) -> bool:
        return self._dbfs.unmount(mount_point)

    def mounts(self) -> list[MountInfo]:
        return self._dbfs.mounts()

    def refreshMounts(self) -> bool:
        return True

    def ls(self, path: str) -> list[FileInfo]:
        return self._dbfs.ls(path)

    def head(self, file: str, maxBytes: int = 65536) -> str:
        return self._dbfs.head(file, maxBytes).decode("utf-8", errors="replace")

    def mkdirs(self, path: str) -> bool:
        self._local(path, "mkdirs").mkdir(parents=True, exist_ok=True)
        return True

    def put(self, file: str, contents: str, overwrite: bool = False) -> bool:
        local = self._local(file, "put")
        if local.exists() and not overwrite:
            raise FileExistsError(f"{self._dbfs.dbfs_path(file)} already exists (overwrite=False)")
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_text(contents, encoding="utf-8")
        return True

    def rm(self, path: str, recurse: bool = False) -> bool:
        local = self._local(path, "rm")
        if local.is_dir():
            if not recurse:
                raise IsADirectoryError(f"{self._dbfs.dbfs_path(path)} is a directory (recurse=False)")
            shutil.rmtree(local)
        elif local.exists():
            local.unlink()
        else:
            return False
        return True

    def cp(self, source: str, destination: str, recurse: bool = False) -> bool:
        src, dst = self._local(source, "cp"), self._local(destination, "cp")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            if not recurse:
                raise IsADirectoryError(f"{self._dbfs.dbfs_path(source)} is a directory (recurse=False)")
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
        return True


class WidgetsUtils:
    def __init__(self, given: dict[str, str]) -> None:
        self._given = dict(given)
        self._values: dict[str, str] = {}

    def _define(self, name: str, default: str) -> None:
        self._values[name] = self._given.get(name, default)

    def text(self, name: str, defaultValue: str = "", label: str | None = None) -> None:
        self._define(name, defaultValue)

    def dropdown(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:
        self._define(name, defaultValue)
        if self._values[name] not in choices:
            raise ValueError(f"widget {name}: {self._values[name]!r} is not one of {choices}")

    combobox = dropdown

    def multiselect(self, name: str, defaultValue: str, choices: list[str], label: str | None = None) -> None:
        self._define(name, defaultValue)

    def get(self, name: str) -> str:
        if name in self._values:
            return self._values[name]
        if name in self._given:
            return self._given[name]
        raise ValueError(f"InputWidgetNotDefined: No input widget named {name} is defined")

    getArgument = get

    def remove(self, name: str) -> None:
        self._values.pop(name, None)

    def removeAll(self) -> None:
        self._values.clear()


class DBUtils:
    def __init__(self, dbfs: DBFS, widgets: dict[str, str]) -> None:
        self.fs = FsUtils(dbfs)
        self.widgets = WidgetsUtils(widgets)
